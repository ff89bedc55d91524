package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.Cgroups;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kernel's events a stopping unit waits on instead of a /proc scan: a cgroup's cgroup.events
 * (EPOLLPRI when "populated" changes) and a process group's pidfds. Real processes; the waits have
 * deadlines and nothing is timed.
 */
class ScopeWatcherTest {
    final ScopeWatcher watcher = new ScopeWatcher(System.err);

    @Test
    void aCgroupThatEmptiesWakesItsWatch() throws Exception {
        Cgroups cgroups = Cgroups.find().orElseThrow(() -> new AssertionError("the tests need cgroup2 mounted"));
        Path dir = cgroups.resolve(Path.of("jinit-test-" + UUID.randomUUID()));
        ProcessScope.Cgroup scope = new ProcessScope.Cgroup(cgroups, dir, watcher);
        try {
            Spawned a = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").cgroup(dir).build());
            assertEquals(List.of(a.pid()), scope.pids());
            CountDownLatch changed = new CountDownLatch(1);
            try (AutoCloseable watch = scope.whenChanged(changed::countDown)) {
                assertFalse(changed.await(0, TimeUnit.MILLISECONDS), "nothing changed yet");
                Posix.kill(a.pid(), Signals.SIGKILL);
                Wait.waitid(Wait.P_PID, a.pid(), Wait.WEXITED);
                assertTrue(changed.await(30, TimeUnit.SECONDS), "cgroup.events did not wake the watch");
            }
            assertEquals(List.of(), scope.pids());
        } finally {
            scope.release();
        }
    }

    @Test
    void aProcessGroupScopeWakesWhenOneOfItsProcessesExits() throws Exception {
        ProcessScope.Groups scope = new ProcessScope.Groups(watcher);
        Spawned a = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").newSession(true).build());
        scope.adopt(a.pid(), null);
        CountDownLatch changed = new CountDownLatch(1);
        try (AutoCloseable watch = scope.whenChanged(changed::countDown)) {
            assertFalse(changed.await(0, TimeUnit.MILLISECONDS), "nothing changed yet");
            Posix.kill(a.pid(), Signals.SIGKILL);
            assertTrue(changed.await(30, TimeUnit.SECONDS), "the pidfd did not wake the watch");
        }
        Wait.waitid(Wait.P_PID, a.pid(), Wait.WEXITED);
    }

    @Test
    void anEmptyScopeFiresAtOnce() throws Exception {
        CountDownLatch changed = new CountDownLatch(1);
        new ProcessScope.Groups(watcher).whenChanged(changed::countDown).close();
        assertEquals(0, changed.getCount());
    }

    /** A cancelled watch never fires, and its descriptors are closed. */
    @Test
    void aClosedWatchDoesNotFire() throws Exception {
        ProcessScope.Groups scope = new ProcessScope.Groups(watcher);
        Spawned a = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").newSession(true).build());
        scope.adopt(a.pid(), null);
        CountDownLatch changed = new CountDownLatch(1);
        scope.whenChanged(changed::countDown).close();
        CountDownLatch later = new CountDownLatch(1);
        try (AutoCloseable second = scope.whenChanged(later::countDown)) {
            Posix.kill(a.pid(), Signals.SIGKILL);
            assertTrue(later.await(30, TimeUnit.SECONDS));
        }
        // the second watch fired after the first was closed: had the first fired, it would have by now
        assertEquals(1, changed.getCount(), "a closed watch fired");
        Wait.waitid(Wait.P_PID, a.pid(), Wait.WEXITED);
    }

    /**
     * jinit at its descriptor limit must still be able to stop its units: listing a cgroup (a
     * directory walk and cgroup.procs), cgroup.kill and /proc each need a descriptor for a moment,
     * which the scopes take from the watcher's reserve. The test fills this JVM's table up to a
     * lowered soft limit, so that no descriptor is free, then asks.
     */
    @Test
    void aScopeIsListedAndKilledWithNoDescriptorFree() throws Exception {
        Cgroups cgroups = Cgroups.find().orElseThrow(() -> new AssertionError("the tests need cgroup2 mounted"));
        Path dir = cgroups.resolve(Path.of("jinit-test-" + UUID.randomUUID()));
        ProcessScope.Cgroup scope = new ProcessScope.Cgroup(cgroups, dir, watcher);
        Spawned a = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").cgroup(dir).build());
        ProcessScope.Groups groups = new ProcessScope.Groups(watcher);
        Spawned b = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").newSession(true).build());
        groups.adopt(b.pid(), null);
        List<Integer> cgroupPids;
        List<Integer> groupPids;
        List<String> killFailures;
        // Classes load from target/classes, a file each: loaded before the table is full (jinit's
        // come from its open jar, and ErrorPathClasses preloads the failure paths).
        assertEquals(List.of(), groups.signalAll(0, List.of()));
        assertEquals(List.of(), scope.signalAll(0, List.of()));
        // and the failure path's classes (a class that fails to load stays unloadable for every later
        // test in this JVM): the EMFILE exception itself and the reserve's check of it.
        assertTrue(dev.jinit.linux.FdReserve.outOfDescriptors(
                new dev.jinit.linux.LinuxException("open", "/dev/null", dev.jinit.linux.Errno.EMFILE)));
        assertFalse(dev.jinit.linux.Errno.describe(dev.jinit.linux.Errno.EMFILE).isEmpty());
        try (Exhausted full = Exhausted.fill()) {
            assertTrue(full.outOfDescriptors(), "the table is full: an open fails with EMFILE");
            cgroupPids = scope.pids();
            groupPids = groups.pids();
            killFailures = scope.signalAll(Signals.SIGKILL, List.of());
        } finally {
            Posix.kill(b.pid(), Signals.SIGKILL);
        }
        assertEquals(List.of(a.pid()), cgroupPids);
        assertEquals(List.of(b.pid()), groupPids);
        assertEquals(List.of(), killFailures);
        Wait.waitid(Wait.P_PID, a.pid(), Wait.WEXITED);
        Wait.waitid(Wait.P_PID, b.pid(), Wait.WEXITED);
        scope.release();
        assertFalse(java.nio.file.Files.exists(dir), "the emptied cgroup is removed");
    }

    @Test
    void outOfDescriptorsIsRecognisedFromTheKernelAndFromTheJdk() {
        assertTrue(dev.jinit.linux.FdReserve.outOfDescriptors(
                new java.io.UncheckedIOException(new java.nio.file.FileSystemException("/x", null, "Too many open files"))));
        assertTrue(dev.jinit.linux.FdReserve.outOfDescriptors(
                new dev.jinit.linux.LinuxException("open", "/x", dev.jinit.linux.Errno.EMFILE)));
        assertFalse(dev.jinit.linux.FdReserve.outOfDescriptors(
                new dev.jinit.linux.LinuxException("open", "/x", dev.jinit.linux.Errno.ENOENT)));
    }

    /** This JVM with its soft descriptor limit lowered and every descriptor below it taken; undone on close. */
    static final class Exhausted implements AutoCloseable {
        private final dev.jinit.linux.Resources.Limits saved;
        private final java.util.List<dev.jinit.linux.Fd> fillers = new java.util.ArrayList<>();

        private Exhausted(dev.jinit.linux.Resources.Limits saved) {
            this.saved = saved;
        }

        static Exhausted fill() {
            int nofile = dev.jinit.exec.Rlimit.NOFILE.resource;
            Exhausted e = new Exhausted(dev.jinit.linux.Resources.getLimit(0, nofile));
            long highest;
            try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
                highest = fds.mapToLong(p -> Long.parseLong(p.getFileName().toString())).max().orElse(2);
            } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
            dev.jinit.linux.Resources.setLimit(0, nofile, new dev.jinit.linux.Resources.Limits(highest + 32, e.saved.hard()));
            try {
                while (true) e.fillers.add(Posix.open("/dev/null", Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
            } catch (dev.jinit.linux.LinuxException full) {
                if (full.errno() != dev.jinit.linux.Errno.EMFILE) {
                    e.close();
                    throw full;
                }
            }
            return e;
        }

        boolean outOfDescriptors() {
            try (dev.jinit.linux.Fd fd = Posix.open("/dev/null", Posix.O_RDONLY | Posix.O_CLOEXEC, 0)) {
                return false;
            } catch (dev.jinit.linux.LinuxException x) {
                return x.errno() == dev.jinit.linux.Errno.EMFILE;
            }
        }

        @Override
        public void close() {
            for (dev.jinit.linux.Fd fd : fillers) fd.close();
            dev.jinit.linux.Resources.setLimit(0, dev.jinit.exec.Rlimit.NOFILE.resource, saved);
        }
    }
}
