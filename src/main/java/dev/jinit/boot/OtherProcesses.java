package dev.jinit.boot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that kill(-1, …) reaches from PID 1: every process of the PID namespace but PID 1
 * itself and the kernel's threads. Zombies are left out: they are already dead and the reaper collects
 * them. Read from /proc, so only the shutdown pays for it.
 */
final class OtherProcesses {
    private OtherProcesses() {}

    /** PF_KTHREAD in the flags field of /proc/PID/stat (include/linux/sched.h). */
    static final long PF_KTHREAD = 0x00200000;

    static List<Integer> list(int self) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) continue;
                int pid = Integer.parseInt(name);
                if (pid == self) continue;
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (isLiveUserProcess(stat)) out.add(pid);
            }
        } catch (IOException e) {
            // no /proc: nothing can be listed; the caller's SIGKILL round still went out
        }
        return out;
    }

    /** From a /proc/PID/stat line: not a zombie (state Z, or X dead), not a kernel thread. */
    static boolean isLiveUserProcess(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return false;
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); flags is field 9, so f[6].
        if (f.length < 7) return false;
        if (f[0].equals("Z") || f[0].equals("X")) return false;
        long flags;
        try {
            flags = Long.parseLong(f[6]);
        } catch (NumberFormatException e) {
            return false;
        }
        return (flags & PF_KTHREAD) == 0;
    }
}
