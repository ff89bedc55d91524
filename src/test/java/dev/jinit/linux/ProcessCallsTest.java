package dev.jinit.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.exec.Spawner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** pidfd, prlimit/setpriority/affinity on another process, pty and prctl reads. */
class ProcessCallsTest {
    private static Wait.Child reap(int pid) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Wait.Child e = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG);
            if (e != null) return e;
            LockSupport.parkNanos(2_000_000);
        }
        Posix.kill(pid, Signals.SIGKILL);
        throw new AssertionError("child " + pid + " did not exit in 30 s");
    }

    @Test
    void pidfdSignalsAndWaitid() {
        Spawned s = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").build());
        try (Fd pidfd = Pidfd.open(s.pid())) {
            assertNull(Wait.waitid(Wait.P_PID, s.pid(), Wait.WEXITED | Wait.WNOHANG), "still running");
            assertTrue(Pidfd.sendSignal(pidfd, Signals.SIGTERM));
            Wait.Child exit = reap(s.pid());
            assertEquals(Wait.CLD_KILLED, exit.code());
            assertEquals(Signals.SIGTERM, exit.status());
            assertFalse(Pidfd.sendSignal(pidfd, Signals.SIGTERM), "the pidfd still names the dead process, never a new one");
            assertNull(Wait.waitid(Wait.P_PID, s.pid(), Wait.WEXITED), "ECHILD once reaped");
        }
        LinuxException e = assertThrows(LinuxException.class, () -> Pidfd.open(-5));
        assertEquals("EINVAL", e.errnoName());
    }

    @Test
    void resourcesOfAnotherProcess() {
        Spawned s = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").build());
        try {
            Resources.setLimit(s.pid(), 7, new Resources.Limits(111, 222));
            assertEquals(new Resources.Limits(111, 222), Resources.getLimit(s.pid(), 7));
            Resources.setNice(s.pid(), 9);
            assertEquals(9, Resources.getNice(s.pid()));
            BitSet cpu0 = new BitSet();
            cpu0.set(0);
            Resources.setAffinity(s.pid(), cpu0);
            assertEquals(cpu0, Resources.getAffinity(s.pid()));
            LinuxException e = assertThrows(LinuxException.class, () -> Resources.setLimit(s.pid(), 7, new Resources.Limits(5, 1)));
            assertTrue(e.getMessage().startsWith("prlimit pid " + s.pid()), e.getMessage());
        } finally {
            Posix.kill(s.pid(), Signals.SIGKILL);
            reap(s.pid());
        }
    }

    @Test
    void ptyPair() throws Exception {
        try (Pty pty = Pty.open()) {
            assertTrue(pty.slave().toString().matches("/dev/pts/\\d+"), pty.slave().toString());
            assertTrue(Files.exists(pty.slave()));
            // the slave is unlocked: it opens, and what is written to it reaches the master
            try (Fd slave = Posix.open(pty.slave().toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC, 0)) {
                Posix.writeFully(slave.get(), "ping\n".getBytes());
            }
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment buf = arena.allocate(64);
                long n = Posix.read(pty.master().get(), buf, 64);
                assertTrue(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).startsWith("ping"));
            }
        }
        assertFalse(Files.exists(Path.of("/dev/pts/999999")));
    }

    @Test
    void prctlReadsThisThread() {
        assertEquals(0, Prctl.prctl(Prctl.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        assertTrue(Prctl.inBoundingSet(Capabilities.CAP_CHOWN));
        LinuxException e = assertThrows(LinuxException.class, () -> Prctl.prctl(Prctl.PR_CAPBSET_READ, 500, 0, 0, 0));
        assertEquals("EINVAL", e.errnoName());
        assertTrue(e.getMessage().startsWith("prctl PR_CAPBSET_READ 500"), e.getMessage());
    }
}
