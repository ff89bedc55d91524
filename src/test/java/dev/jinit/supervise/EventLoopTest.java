package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTest {
    @Test
    void timersRunInDeadlineOrderAndCancelledOnesNever() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop", System.err).start()) {
            List<String> ran = new CopyOnWriteArrayList<>();
            loop.call(() -> {
                long now = loop.millis();
                loop.schedule(now + 60, () -> ran.add("c"));
                loop.schedule(now + 20, () -> ran.add("a"));
                Clock.Timer cancelled = loop.schedule(now + 40, () -> ran.add("never"));
                loop.schedule(now + 40, () -> ran.add("b"));
                cancelled.cancel();
                return null;
            }).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ran.size() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(List.of("a", "b", "c"), ran);
        }
    }

    /**
     * After a stall (here: the fake clock jumps past a deadline), input that arrived in time is handled
     * before the timer it overtakes: a watchdog ping waiting in the notify socket re-arms the watchdog
     * instead of the watchdog firing first.
     */
    @Test
    void inputWaitingOutsideTheLoopIsHandledBeforeADueTimer() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000);
        List<String> ran = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean pingWaiting = new java.util.concurrent.atomic.AtomicBoolean();
        try (EventLoop loop = new EventLoop("test-loop", System.err, now::get).start()) {
            Clock.Timer[] watchdog = new Clock.Timer[1];
            Runnable[] arm = new Runnable[1];
            arm[0] = () -> watchdog[0] = loop.schedule(loop.millis() + 3_000, () -> ran.add("watchdog fired"));
            // the "notify socket": a ping sits there until the loop drains it; handling it re-arms the watchdog
            loop.beforeTimers(() -> {
                if (pingWaiting.getAndSet(false)) loop.post(() -> {
                    ran.add("ping");
                    watchdog[0].cancel();
                    arm[0].run();
                });
            });
            loop.call(() -> {
                arm[0].run();
                return null;
            }).get(10, TimeUnit.SECONDS);
            pingWaiting.set(true); // sent during the stall
            now.addAndGet(10_000); // the stall: the watchdog deadline has passed
            loop.wake();
            loop.call(() -> null).get(10, TimeUnit.SECONDS);
            loop.call(() -> null).get(10, TimeUnit.SECONDS);
            assertEquals(List.of("ping"), ran, "the ping is handled first and the re-armed watchdog is not due");
            now.addAndGet(3_000); // no ping for a whole period now: the watchdog fires
            loop.wake();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ran.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(List.of("ping", "watchdog fired"), ran);
        }
    }

    @Test
    void aFailingEventIsContainedAndTheLoopGoesOn() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (EventLoop loop = new EventLoop("test-loop", new PrintStream(err, true)).start()) {
            loop.post(() -> {
                throw new IllegalStateException("boom in one unit");
            });
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> loop.call(() -> { throw new IllegalArgumentException("bad request"); }).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalArgumentException);
            assertEquals(42, loop.call(() -> 42).get(10, TimeUnit.SECONDS));
            assertTrue(err.toString().contains("boom in one unit"), err.toString());
        }
    }

    @Test
    void timersAreArmedOnTheLoopThreadOnly() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop", System.err).start()) {
            assertThrows(IllegalStateException.class, () -> loop.schedule(0, () -> { }));
            assertTrue(loop.call(loop::inLoop).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void afterCloseCallsFailInsteadOfHanging() throws Exception {
        EventLoop loop = new EventLoop("test-loop", System.err).start();
        loop.close();
        assertThrows(ExecutionException.class, () -> loop.call(() -> 1).get(10, TimeUnit.SECONDS));
    }
}
