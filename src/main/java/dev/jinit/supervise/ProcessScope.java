package dev.jinit.supervise;

import dev.jinit.exec.ProcessSpec;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which processes belong to one unit, and how they are all signalled: the unit's own cgroup where
 * cgroup v2 is available, else the process groups of its processes (each spawned with setsid) plus
 * every descendant found in /proc. Owned by the manager thread.
 */
sealed interface ProcessScope {
    /** Adds what the scope needs to a process spec before the spawn (a cgroup, or a new session). */
    ProcessSpec.Builder prepare(ProcessSpec.Builder spec);

    /** A process was spawned for the unit (or named by MAINPID=/PIDFile=). */
    void adopt(int pid);

    /** A process of the unit was reaped: its pid may be reused by someone else from now on. */
    default void exited(int pid) {}

    /** Live processes of the unit, as far as it can be told. */
    List<Integer> pids();

    boolean contains(int pid);

    /** Sends {@code signal} to every process of the unit, including {@code alsoPids} wherever they are. */
    void signalAll(int signal, int... alsoPids);

    /** The unit is down: forget its processes and remove its cgroup (when empty). */
    void release();

    /** "cgroup /sys/fs/cgroup/…" or "process group": for status output. */
    String describe();

    /** The unit's own cgroup, e.g. {@code <cgroup2>/jinit.slice/web.service}. */
    record Cgroup(Path dir) implements ProcessScope {
        public Cgroup {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("mkdir " + dir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public ProcessSpec.Builder prepare(ProcessSpec.Builder spec) {
            // The exec gate writes the child into the group before it runs a single instruction, so
            // nothing it forks can escape; a new session too, away from jinit's terminal job control.
            return spec.cgroup(dir).newSession(true);
        }

        @Override
        public void adopt(int pid) {
            // The child was spawned in jinit's cgroup; moving it right away leaves a window in which
            // a child it forks stays behind, so place it before it can run much (exec gate when present).
            if (contains(pid)) return;
            try {
                Files.writeString(dir.resolve("cgroup.procs"), Integer.toString(pid));
            } catch (IOException e) {
                // It may already have exited: nothing to place.
                if (ProcTable.readStat(pid) != null)
                    throw new UncheckedIOException("write " + dir.resolve("cgroup.procs") + " " + pid + ": " + e.getMessage(), e);
            }
        }

        @Override
        public List<Integer> pids() {
            List<Integer> out = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs")))
                    if (!line.isBlank()) out.add(Integer.parseInt(line.trim()));
            } catch (IOException e) {
                return List.of(); // removed: nothing in it
            }
            return out;
        }

        @Override
        public boolean contains(int pid) {
            return pids().contains(pid);
        }

        @Override
        public void signalAll(int signal, int... alsoPids) {
            Set<Integer> targets = new LinkedHashSet<>();
            for (int p : alsoPids) if (p > 0) targets.add(p);
            if (signal == Signals.SIGKILL && Files.exists(dir.resolve("cgroup.kill"))) {
                try {
                    Files.writeString(dir.resolve("cgroup.kill"), "1");
                } catch (IOException e) {
                    targets.addAll(pids());
                }
            } else {
                targets.addAll(pids());
            }
            for (int p : targets) Posix.kill(p, signal);
        }

        @Override
        public void release() {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // still populated (a process that survived SIGKILL in D state): kept for the next run
            }
        }

        @Override
        public String describe() {
            return "cgroup " + dir;
        }
    }

    /** No cgroup: process groups (one per spawned process, by setsid) and descendants. */
    final class Groups implements ProcessScope {
        private final Set<Integer> groups = new HashSet<>();
        private final Set<Integer> roots = new HashSet<>();

        @Override
        public ProcessSpec.Builder prepare(ProcessSpec.Builder spec) {
            return spec.newSession(true);
        }

        @Override
        public void adopt(int pid) {
            roots.add(pid);
            ProcTable.Entry e = ProcTable.readStat(pid);
            groups.add(e != null && e.pgid() > 1 && e.pgid() != Posix.getpid() ? e.pgid() : pid);
        }

        @Override
        public void exited(int pid) {
            roots.remove(pid);
        }

        @Override
        public List<Integer> pids() {
            if (groups.isEmpty() && roots.isEmpty()) return List.of();
            return ProcTable.read().members(groups, roots);
        }

        @Override
        public boolean contains(int pid) {
            return pids().contains(pid);
        }

        @Override
        public void signalAll(int signal, int... alsoPids) {
            Set<Integer> targets = new LinkedHashSet<>();
            for (int p : alsoPids) if (p > 0) targets.add(p);
            targets.addAll(pids());
            for (int p : targets) Posix.kill(p, signal);
        }

        @Override
        public void release() {
            groups.clear();
            roots.clear();
        }

        @Override
        public String describe() {
            return "process groups " + groups;
        }
    }
}
