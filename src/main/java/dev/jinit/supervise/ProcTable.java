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
                Entry e = readStatStrict(Integer.parseInt(n));
                if (e != null) out.put(e.pid(), e);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("read /proc: " + e.getMessage(), e);
        }
        return new ProcTable(Map.copyOf(out));
    }

    /** One process's entry, or null when it is gone (or cannot be read, for whatever reason). */
    static Entry readStat(int pid) {
        try {
            return readStatStrict(pid);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * One process's entry, or null when it is gone; a failure for want of descriptors (EMFILE,
     * ENFILE) is thrown instead, since "gone" would be a wrong answer: a listing that lost its
     * entries that way would declare a unit's live processes ended.
     */
    static Entry readStatStrict(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            return parseStat(stat);
        } catch (IOException e) {
            if (dev.jinit.linux.FdReserve.outOfDescriptors(e)) throw new java.io.UncheckedIOException(e);
            return null; // exited between listing and reading
        } catch (RuntimeException e) {
            return null; // a stat line cut by the process's end
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

    /** At most this much of a process's environment block is read (the kernel allows a quarter of the stack limit). */
    static final int MAX_ENVIRON = 4 << 20;

    /**
     * Whether the environment block of {@code pid} (as it was at its exec: /proc/PID/environ) holds
     * the entry {@code entry} ("INVOCATION_ID=ab12…"); false when it is gone or cannot be read.
     */
    static boolean environHas(int pid, String entry) {
        byte[] want = entry.getBytes(StandardCharsets.UTF_8);
        byte[] env;
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc", Integer.toString(pid), "environ"))) {
            env = in.readNBytes(MAX_ENVIRON);
        } catch (IOException e) {
            // Out of descriptors is no answer: thrown, so that the caller's reserve retries it.
            if (dev.jinit.linux.FdReserve.outOfDescriptors(e)) throw new java.io.UncheckedIOException(e);
            return false; // gone, or not ours to read
        }
        return hasEntry(env, want);
    }

    /** Whether NUL-separated {@code block} has an entry equal to {@code want}. */
    static boolean hasEntry(byte[] block, byte[] want) {
        int start = 0;
        while (start < block.length) {
            int end = start;
            while (end < block.length && block[end] != 0) end++;
            if (end - start == want.length && java.util.Arrays.equals(block, start, end, want, 0, want.length)) return true;
            start = end + 1;
        }
        return false;
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
