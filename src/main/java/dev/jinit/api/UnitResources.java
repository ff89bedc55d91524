package dev.jinit.api;

import dev.jinit.exec.Cgroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * CPU time and memory of one unit's processes. A unit in its own cgroup (jinit's default where cgroup
 * v2 is writable) is read from the group, which also counts children that exited and every process the
 * unit forked; otherwise the unit's live processes are summed from /proc (what exited is lost then).
 * Read on the API's threads, never the manager's: /proc and cgroupfs reads can stall.
 *
 * @param cpuSeconds  user + system CPU time, or -1 when unknown (no process, nothing readable)
 * @param memoryBytes memory now (cgroup memory.current, or the sum of resident sets), or -1 when unknown
 * @param source      "cgroup", "proc" or "none"
 */
record UnitResources(double cpuSeconds, long memoryBytes, String source) {
    static final UnitResources NONE = new UnitResources(-1, -1, "none");
    /** USER_HZ: the unit of /proc/PID/stat times; 100 on every Linux architecture jinit runs on. */
    private static final double CLOCK_TICKS = 100.0;
    private static final long PAGE = 4096;

    /** Measures a unit from its processes (main first); the cgroup mount, or null without cgroup v2. */
    static UnitResources of(String unit, List<Integer> processes, Cgroups cgroups) {
        if (processes.isEmpty()) return NONE;
        UnitResources proc = fromProc(processes);
        if (cgroups != null) {
            Optional<UnitResources> group = fromCgroup(unit, processes.getFirst(), cgroups.mount());
            // A group without the memory controller enabled has CPU figures only: memory then comes from /proc.
            if (group.isPresent())
                return group.get().memoryBytes() >= 0 ? group.get()
                        : new UnitResources(group.get().cpuSeconds(), proc.memoryBytes(), "cgroup+proc");
        }
        return proc;
    }

    /** The unit's own group: the process's cgroup path must end in the unit's name (not jinit's group). */
    private static Optional<UnitResources> fromCgroup(String unit, int pid, Path mount) {
        String path = null;
        for (String line : readLines(Path.of("/proc", Integer.toString(pid), "cgroup")))
            if (line.startsWith("0::")) path = line.substring(3);
        if (path == null || !path.endsWith("/" + unit)) return Optional.empty();
        Path group = mount.resolve(path.substring(1));
        double cpu = -1;
        for (String line : readLines(group.resolve("cpu.stat")))
            if (line.startsWith("usage_usec ")) cpu = Long.parseLong(line.substring(11).trim()) / 1e6;
        long memory = -1;
        List<String> current = readLines(group.resolve("memory.current"));
        if (!current.isEmpty()) memory = Long.parseLong(current.getFirst().trim());
        if (cpu < 0 && memory < 0) return Optional.empty();
        return Optional.of(new UnitResources(cpu, memory, "cgroup"));
    }

    private static UnitResources fromProc(List<Integer> processes) {
        long ticks = 0, pages = 0;
        boolean any = false;
        for (int pid : processes) {
            List<String> stat = readLines(Path.of("/proc", Integer.toString(pid), "stat"));
            List<String> statm = readLines(Path.of("/proc", Integer.toString(pid), "statm"));
            if (stat.isEmpty() || statm.isEmpty()) continue; // exited meanwhile
            String s = stat.getFirst();
            // fields after the command name, which is in parentheses and may hold blanks
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            pages += Long.parseLong(statm.getFirst().split(" ")[1]); // resident
            any = true;
        }
        return any ? new UnitResources(ticks / CLOCK_TICKS, pages * PAGE, "proc") : NONE;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return List.of(); // gone, or not readable: the caller reports the value as unknown
        }
    }
}
