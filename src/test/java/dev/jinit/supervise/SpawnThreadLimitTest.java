package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.state.ActiveState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: jinit at its thread limit. A start whose spawn finds no thread to run on (the spawn
 * executor cannot make one: "unable to create native thread") fails with that reason, the unit goes
 * to a defined state (failed) instead of waiting for an answer that never comes, and a later start
 * works once threads can be made again.
 */
class SpawnThreadLimitTest {
    @Test
    void aStartThatFindsNoThreadFailsWithTheReasonAndALaterStartWorks() throws Exception {
        FakeKernel fake = new FakeKernel();
        EventLoop loop = fake.loop("test-manager");
        AtomicBoolean refuse = new AtomicBoolean(true);
        ExecutorService real = ManagerPorts.spawnExecutor();
        Executor limited = task -> {
            if (refuse.get()) throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
            real.execute(task);
        };
        ManagerPorts p = fake.ports();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Manager manager = new Manager(loop, ManagerTest.OPTIONS,
                new ManagerPorts(p.launcher(), p.exits(), p.logs(), p.processes(), p.scopes(), limited),
                new PrintStream(console, true));
        try {
            manager.load(List.of(ManagerTest.simple("web", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
            JobOutcome first = manager.start("web").get(10, TimeUnit.SECONDS);
            assertFalse(first.ok(), first.toString());
            UnitSnapshot failed = manager.snapshot("web").get(10, TimeUnit.SECONDS);
            assertEquals(ActiveState.FAILED, failed.active(), failed.toString());
            assertEquals(0, fake.count("/bin/web"));
            assertTrue(List.copyOf(fake.notes).stream().anyMatch(n -> n.startsWith("web: ") && n.contains("no thread to spawn it on")), fake.notes.toString());

            refuse.set(false);
            JobOutcome second = manager.start("web").get(10, TimeUnit.SECONDS);
            assertTrue(second.ok(), second.toString());
            assertEquals("running", manager.snapshot("web").get(10, TimeUnit.SECONDS).sub());
        } finally {
            manager.close();
            real.shutdownNow();
        }
    }
}
