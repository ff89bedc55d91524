package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Closing a reaper whose thread is blocked in waitid because a child is still running. */
class ReaperCloseTest {
    @Test
    void closeReleasesAThreadBlockedInWaitidAndLeavesTheChildAlone() throws Exception {
        Reaper reaper = Reaper.start();
        int pid = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "100").build()).pid();
        try {
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            reaper.register(pid, exit::complete);
            Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals("jinit-reaper"))
                    .findFirst().orElseThrow();
            // In waitid the thread is RUNNABLE (a native call); parked it would be WAITING.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (t.getState() != Thread.State.RUNNABLE && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(Thread.State.RUNNABLE, t.getState());
            assertTimeout(Duration.ofSeconds(30), reaper::close);
            assertFalse(t.isAlive(), "the reaper thread ended");
            assertFalse(exit.isDone(), "the running child was not reaped by close");
            assertTrue(Posix.kill(pid, 0), "the child is still there");
        } finally {
            Posix.kill(pid, Signals.SIGKILL);
            Wait.Child c = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED);
            assertEquals(new Wait.Child(pid, Wait.CLD_KILLED, Signals.SIGKILL), c);
        }
        // closed for good: another reaper may start now
        Reaper.start().close();
    }
}
