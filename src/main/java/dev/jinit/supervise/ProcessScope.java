package dev.jinit.supervise;

import dev.jinit.exec.Cgroups;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.linux.Epoll;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which processes belong to one unit, and how they are all signalled: the unit's own cgroup where
 * cgroup v2 is available, else the process groups of its processes (each spawned with setsid) plus
 * every descendant found in /proc. Owned by the manager thread. Made through {@link Ports.Scopes}, so
 * tests can give units a scope of fake processes.
 */
public interface ProcessScope {
    /** Adds what the scope needs to a process spec before the spawn (a cgroup, or a new session). */
    ProcessSpec.Builder prepare(ProcessSpec.Builder spec);

    /**
     * A process was spawned for the unit (or named by MAINPID=/PIDFile=), held by {@code handle}
     * (null when there is none): the scope may consult it, never close it.
     */
    void adopt(int pid, Ports.Handle handle);

    /**
     * A process was spawned for the unit from a spec this scope {@link #prepare prepared}, held by
     * {@code handle}: as {@link #adopt}, for a scope that may know where its spawns are already.
     */
    default void adoptSpawned(int pid, Ports.Handle handle) {
        adopt(pid, handle);
    }

    /** A process of the unit was reaped: its pid may be reused by someone else from now on. */
    default void exited(int pid) {}

    /** Live processes of the unit, as far as it can be told. */
    List<Integer> pids();

    /**
     * {@link #pids()} as a question to ask later, on another thread (status output): what the answer
     * depends on is copied now, on the manager thread; the /proc or cgroupfs reads happen when the
     * result is called, so a status request never makes the manager thread read files. A read that
     * fails (the group was removed meanwhile, EMFILE) answers an empty list.
     */
    default java.util.function.Supplier<List<Integer>> pidsLater() {
        List<Integer> now = pids();
        return () -> now;
    }

    boolean contains(int pid);

    /**
     * Whether a process seen at some earlier moment (its cgroup path and /proc stat entry, either
     * null) belonged to the unit: for a notify sender that may have exited since.
     */
    boolean owned(String cgroupPath, ProcTable.Entry entry);

    /**
     * Sends {@code signal} to every process of the unit, and to the processes of {@code known}
     * (the main and control processes, held by pidfd) wherever they are. Every process is signalled
     * through a pidfd, opened after it was listed and checked to still belong to the unit, so a pid
     * recycled in between is never hit. One failure (EPERM from a setuid program) does not stop the
     * others from getting theirs.
     *
     * @return a line for each process that could not be signalled; empty when every one was
     */
    List<String> signalAll(int signal, List<Ports.Handle> known);

    /**
     * Calls {@code onChange} once (on another thread), when the unit's set of processes may have
     * become empty: the kernel's event, not a poll. The caller checks {@link #pids()} then, and
     * asks again when some are left. Closing the result cancels it.
     */
    AutoCloseable whenChanged(Runnable onChange);

    /** The unit is down: forget its processes and remove its cgroup (when empty). */
    void release();

    /** "cgroup /sys/fs/cgroup/…" or "process group": for status output. */
    String describe();

    /**
     * The unit's own cgroup, e.g. {@code <cgroup2>/jinit/<pid>/web.service}, through the cgroup v2
     * helper: creation, listing (the group and any groups a service made below it), SIGKILL through
     * cgroup.kill (atomic, forks included), removal.
     */
    record Cgroup(Cgroups hierarchy, Path dir, ScopeWatcher watcher) implements ProcessScope {
        public Cgroup {
            hierarchy.create(dir);
        }

        /**
         * cgroup.events changes ("populated 0") wake its pollers with EPOLLPRI. kernfs reports a
         * change against what this descriptor last read, so it is read once first.
         */
        @Override
        public AutoCloseable whenChanged(Runnable onChange) {
            Fd events = Posix.open(dir.resolve("cgroup.events").toString(), Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment buffer = arena.allocate(256);
                Posix.read(events.get(), buffer, buffer.byteSize());
            } catch (RuntimeException e) {
                events.close();
                throw e;
            }
            return watcher.watch(List.of(events), Epoll.EPOLLPRI, onChange);
        }

        @Override
        public ProcessSpec.Builder prepare(ProcessSpec.Builder spec) {
            // The exec gate writes the child into the group before it runs a single instruction, so
            // nothing it forks can escape; a new session too, away from jinit's terminal job control.
            return spec.cgroup(dir).newSession(true);
        }

        /** Nothing to do: the exec gate wrote the child into the group before it ran (prepare's cgroup). */
        @Override
        public void adoptSpawned(int pid, Ports.Handle handle) {
        }

        @Override
        public void adopt(int pid, Ports.Handle handle) {
            // A PIDFile/MAINPID process is normally in the group already (forked from it).
            if (contains(pid)) return;
            try {
                hierarchy.place(dir, pid);
            } catch (RuntimeException e) {
                if (ProcTable.readStat(pid) != null) throw e; // only an exited process may fail to move
            }
        }

        @Override
        public List<Integer> pids() {
            return watcher.withReserve(() -> hierarchy.allProcs(dir));
        }

        @Override
        public java.util.function.Supplier<List<Integer>> pidsLater() {
            return () -> {
                try {
                    return hierarchy.allProcs(dir);
                } catch (RuntimeException e) {
                    return List.of(); // removed since, or no descriptor free: nothing to show
                }
            };
        }

        @Override
        public boolean contains(int pid) {
            return pids().contains(pid);
        }

        @Override
        public boolean owned(String cgroupPath, ProcTable.Entry entry) {
            return cgroupPath != null && cgroupPath.startsWith("/")
                    && hierarchy.mount().resolve(cgroupPath.substring(1)).normalize().startsWith(dir);
        }

        @Override
        public List<String> signalAll(int signal, List<Ports.Handle> known) {
            List<String> failures = new ArrayList<>();
            if (signal == Signals.SIGKILL) {
                // cgroup.kill: atomic, forks included; the known ones may live elsewhere (MAINPID=).
                try {
                    watcher.withReserve(() -> hierarchy.kill(dir));
                } catch (RuntimeException e) {
                    failures.add("SIGKILL to " + dir + " through cgroup.kill: " + e.getMessage());
                }
                failures.addAll(PidfdSignals.send(signal, known, List.of(), Set::of));
                return failures;
            }
            failures.addAll(PidfdSignals.send(signal, known, pids(), () -> Set.copyOf(pids())));
            return failures;
        }

        @Override
        public void release() {
            try {
                watcher.withReserve(() -> hierarchy.remove(dir));
            } catch (RuntimeException e) {
                // still populated (KillMode=process leftovers, or a process in D state): kept for the next run
            }
        }

        @Override
        public String describe() {
            return "cgroup " + dir;
        }
    }

    /**
     * No cgroup: process groups (one per spawned process, by setsid), descendants, and escapees.
     *
     * <p>A process that leaves its group (setsid) and whose parent then exits is reparented to jinit
     * (the subreaper, or PID 1): its ancestry is gone and its group is its own. It is still
     * attributed to the unit it came from by what it inherited and the kernel keeps: the environment
     * block it was exec'd with (/proc/PID/environ) holds the unit's INVOCATION_ID, which jinit gives
     * every process of a run. So an orphan of jinit (parent jinit, not a process jinit spawned)
     * whose environment carries this run's INVOCATION_ID belongs to the unit, with its descendants.
     * No timing is involved: the marker is copied at fork, whatever happens between two looks.
     * What escapes anyway: a process that also clears or overwrites its environment block
     * (env -i; setproctitle() writes over it) before it is looked at. cgroups have no such gap.
     */
    final class Groups implements ProcessScope {
        private final ScopeWatcher watcher;
        /**
         * The processes jinit spawned (or adopted as MAINPID) for any process-group unit: jinit's
         * children that are not orphans. Shared by every Groups scope of one manager, so that
         * looking for escapees reads the environment of orphans only. Manager thread only.
         */
        private final Set<Integer> allRoots;
        private final int self;

        Groups(ScopeWatcher watcher, Set<Integer> allRoots) {
            this.watcher = watcher;
            this.allRoots = allRoots;
            this.self = Posix.getpid();
        }

        /** A scope of its own (tests): no other unit's processes are known to it. */
        Groups(ScopeWatcher watcher) {
            this(watcher, new HashSet<>());
        }

        /** The pidfds of the processes there are now: one readable means one exited; none, empty already. */
        @Override
        public AutoCloseable whenChanged(Runnable onChange) {
            List<Fd> pidfds = new ArrayList<>();
            for (int pid : pids()) {
                try {
                    pidfds.add(Pidfd.open(pid));
                } catch (RuntimeException gone) {
                    // exited since it was listed: the next look sees it gone
                }
            }
            return watcher.watch(pidfds, Epoll.EPOLLIN, onChange);
        }
        private final Set<Integer> groups = new HashSet<>();
        /**
         * The unit's own processes, each with its handle: a root whose process has been reaped is no
         * root any more, even before its exit is handled, since its number may be another's by then.
         */
        private final Map<Integer, Ports.Handle> roots = new HashMap<>();
        /** "INVOCATION_ID=…" of each run whose processes were spawned in this scope. */
        private final Set<String> markers = new HashSet<>();

        @Override
        public ProcessSpec.Builder prepare(ProcessSpec.Builder spec) {
            String id = spec.envValue("INVOCATION_ID");
            if (id != null && !id.isEmpty()) markers.add("INVOCATION_ID=" + id);
            return spec.newSession(true);
        }

        @Override
        public void adopt(int pid, Ports.Handle handle) {
            roots.put(pid, handle);
            allRoots.add(pid);
            ProcTable.Entry e = ProcTable.readStat(pid);
            groups.add(e != null && e.pgid() > 1 && e.pgid() != self ? e.pgid() : pid);
        }

        @Override
        public void exited(int pid) {
            if (roots.remove(pid) != null) allRoots.remove(pid);
        }

        @Override
        public List<Integer> pids() {
            if (groups.isEmpty() && roots.isEmpty()) return List.of();
            return watcher.withReserve(() -> {
                Set<Integer> from = new HashSet<>();
                roots.forEach((pid, h) -> {
                    if (h == null || h.alive()) from.add(pid);
                });
                ProcTable table = ProcTable.read();
                from.addAll(escapees(table));
                return table.members(groups, from);
            });
        }

        /**
         * jinit's orphans (its children it did not spawn for a unit) whose environment holds one of
         * this scope's INVOCATION_IDs.
         */
        private List<Integer> escapees(ProcTable table) {
            return escapees(table, markers, allRoots, self);
        }

        /** The same, from copies of the scope's sets: for {@link #pidsLater}, off the manager thread. */
        private static List<Integer> escapees(ProcTable table, java.util.Collection<String> markers,
                                              java.util.Collection<Integer> allRoots, int self) {
            if (markers.isEmpty()) return List.of();
            List<Integer> out = new ArrayList<>();
            for (ProcTable.Entry e : table.entries().values()) {
                if (e.ppid() != self || allRoots.contains(e.pid()) || e.state() == 'Z' || e.state() == 'X') continue;
                if (escaped(e.pid(), markers)) out.add(e.pid());
            }
            return out;
        }

        private static boolean escaped(int pid, java.util.Collection<String> markers) {
            for (String m : markers)
                if (ProcTable.environHas(pid, m)) return true;
            return false;
        }

        @Override
        public java.util.function.Supplier<List<Integer>> pidsLater() {
            if (groups.isEmpty() && roots.isEmpty()) return List::of;
            // Which roots are alive is asked of their pidfds now (a poll each, no file read); the
            // handles may be closed by the manager once this returns. The /proc scan comes later.
            Set<Integer> live = new HashSet<>();
            roots.forEach((pid, h) -> {
                if (h == null || h.alive()) live.add(pid);
            });
            Set<Integer> groupsNow = Set.copyOf(groups);
            List<String> markersNow = List.copyOf(markers);
            Set<Integer> allRootsNow = Set.copyOf(allRoots);
            int me = self;
            return () -> {
                try {
                    ProcTable table = ProcTable.read();
                    Set<Integer> from = new HashSet<>(live);
                    from.addAll(escapees(table, markersNow, allRootsNow, me)); // as pids() does
                    return table.members(groupsNow, from);
                } catch (RuntimeException e) {
                    return List.of();
                }
            };
        }

        @Override
        public boolean contains(int pid) {
            return pids().contains(pid);
        }

        @Override
        public boolean owned(String cgroupPath, ProcTable.Entry entry) {
            if (entry == null) return false;
            if (groups.contains(entry.pgid()) || roots.containsKey(entry.ppid()) || roots.containsKey(entry.pid())) return true;
            return entry.ppid() == self && !allRoots.contains(entry.pid()) && escaped(entry.pid(), markers);
        }

        @Override
        public List<String> signalAll(int signal, List<Ports.Handle> known) {
            return PidfdSignals.send(signal, known, pids(), () -> Set.copyOf(pids()));
        }

        @Override
        public void release() {
            allRoots.removeAll(roots.keySet());
            groups.clear();
            roots.clear();
            markers.clear();
        }

        @Override
        public String describe() {
            return "process groups " + groups;
        }
    }
}
