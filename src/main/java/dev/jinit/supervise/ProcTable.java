package dev.jinit.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of /proc: pid, parent, process group and state of every process. Used where there is
 * no cgroup to ask which processes belong to a unit: its process groups, and every descendant of
 * its processes.
 */
public record ProcTable(Map<Integer, Entry> entries) {
    /** One process: pid, parent, process group, and state letter (R, S, Z, …). */
    public record Entry(int pid, int ppid, int pgid, char state) {}

    static ProcTable read() {
        Map<Integer, Entry> out = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                if (n.isEmpty() || !Character.isDigit(n.charAt(0))) continue;
                Entry e = readStat(Integer.parseInt(n));
                if (e != null) out.put(e.pid(), e);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("read /proc: " + e.getMessage(), e);
        }
        return new ProcTable(Map.copyOf(out));
    }

    /** One process's entry, or null when it is gone. */
    static Entry readStat(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            return parseStat(stat);
        } catch (IOException | RuntimeException e) {
            return null; // exited between listing and reading
        }
    }

    /** The cgroup v2 path of a process ("/jinit/1234/web.service"), or null when it is gone or has none. */
    static String cgroupOf(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup")))
                if (line.startsWith("0::")) return line.substring(3);
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return null;
    }

    /** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields start after the last ')'. */
    static Entry parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        int pid = Integer.parseInt(stat.substring(0, stat.indexOf(' ')).trim());
        String[] f = stat.substring(close + 2).split(" ");
        return new Entry(pid, Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[0].charAt(0));
    }

    /** Live (non-zombie) processes in one of {@code groups}, or descending from one of {@code roots}. */
    List<Integer> members(java.util.Set<Integer> groups, java.util.Set<Integer> roots) {
        List<Integer> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.state() == 'Z' || e.state() == 'X') continue;
            if (groups.contains(e.pgid()) || descends(e.pid(), roots)) out.add(e.pid());
        }
        return out;
    }

    private boolean descends(int pid, java.util.Set<Integer> roots) {
        int p = pid;
        for (int depth = 0; depth < 64 && p > 1; depth++) {
            if (roots.contains(p)) return true;
            Entry e = entries.get(p);
            if (e == null) return false;
            p = e.ppid();
        }
        return false;
    }
}
