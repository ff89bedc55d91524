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
}
