package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream of unit state changes: every transition, in order; a slow subscriber never holds the manager. */
class TransitionStreamTest {
    final FakeKernel fake = new FakeKernel();
    final EventLoop loop = fake.loop("transitions");
    final Manager manager = new Manager(loop, ManagerTest.OPTIONS, fake.ports(), new PrintStream(OutputStream.nullOutputStream()));

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void everyTransitionOfServicesAndTargetsIsPublishedInOrder() throws Exception {
        manager.load(List.of(ManagerTest.target("t.target", UnitDefinition.Dependencies.NONE),
                ManagerTest.simple("s", ManagerTest.deps(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("t.target")))))
                .get(10, TimeUnit.SECONDS);
        List<UnitTransition> seen = Collections.synchronizedList(new ArrayList<>());
        try (TransitionStream.Subscription sub = manager.subscribe(seen::add)) {
            assertTrue(manager.start("t.target").get(10, TimeUnit.SECONDS).ok());
            var stopped = manager.stop("s");
            FakeKernel.await("s stopping", () -> !fake.signalledAndAlive().isEmpty());
            fake.exit("/bin/s", ExitStatus.killed(Signals.SIGTERM, false));
            assertTrue(stopped.get(10, TimeUnit.SECONDS).ok());
            FakeKernel.await("six transitions", () -> seen.size() >= 6);
        }
        List<String> lines;
        synchronized (seen) {
            lines = seen.stream().map(t -> t.sequence() + " " + t.unit() + " " + t.oldSub() + "->" + t.newSub() + " " + t.result()).toList();
        }
        // The service's every step (its processes gone, final-sigterm finds nothing left), the target once.
        assertEquals(List.of("1 s dead->start success", "2 s start->running success", "3 t.target dead->active success",
                "4 s running->stop-sigterm success", "5 s stop-sigterm->final-sigterm success",
                "6 s final-sigterm->dead success"), lines);
        assertEquals(ActiveState.ACTIVE, seen.get(2).newActive());
        assertEquals(ActiveState.DEACTIVATING, seen.get(3).newActive());
        assertEquals(ActiveState.INACTIVE, seen.get(5).newActive());
    }

    @Test
    void aSlowSubscriberGetsAGapAndNeverBlocksTheManager() throws Exception {
        List<UnitDefinition> defs = new ArrayList<>();
        for (int i = 0; i < 10; i++) defs.add(ManagerTest.simple("u" + i, UnitDefinition.Dependencies.NONE));
        manager.load(defs).get(10, TimeUnit.SECONDS);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> delivered = Collections.synchronizedList(new ArrayList<>());
        AtomicLong missed = new AtomicLong();
        CountDownLatch gapTold = new CountDownLatch(1);
        try (TransitionStream.Subscription slow = manager.subscribe(2, new TransitionStream.Listener() {
            @Override
            public void transition(UnitTransition t) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.add(t.sequence());
            }

            @Override
            public void gap(long n) {
                missed.addAndGet(n);
                gapTold.countDown();
            }
        })) {
            // Ten starts while the subscriber sits on its first change: the manager goes on.
            for (int i = 0; i < 10; i++) assertTrue(manager.start("u" + i).get(10, TimeUnit.SECONDS).ok());
            release.countDown();
            assertTrue(gapTold.await(10, TimeUnit.SECONDS));
        }
        // Twenty changes (start, running per unit): the first ones in order (the one held, up to two
        // queued: how many depends on when the subscriber's thread took the first), the rest one gap.
        List<Long> got = List.copyOf(delivered);
        assertTrue(got.equals(List.of(1L, 2L)) || got.equals(List.of(1L, 2L, 3L)), got.toString());
        assertEquals(20, got.size() + missed.get());
    }
}
