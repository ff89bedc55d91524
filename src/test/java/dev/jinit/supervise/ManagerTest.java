package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.LoadState;
import dev.jinit.unit.ServiceType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The manager's dependency and job rules on its real event loop, with the honest fakes of
 * {@link FakeKernel}: processes that live until the test ends them, and a clock that moves only
 * when the test moves it.
 */
class ManagerTest {
    final FakeKernel fake = new FakeKernel();
    final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    final EventLoop loop = fake.loop("test-manager");
    final Manager manager = new Manager(loop, OPTIONS, fake.ports(), new PrintStream(consoleBytes, true));

    static final Manager.Options OPTIONS = new Manager.Options(Path.of("/nonexistent-run"), Path.of("/nonexistent-lib"),
            Path.of("/nonexistent-log"), null, null, null);

    @AfterEach
    void stop() {
        manager.close();
    }

    static UnitDefinition service(String name, ServiceConfig.Builder config, UnitDefinition.Dependencies deps) {
        ServiceConfig c = config.build();
        SpawnPlan plan = (role, index, env) -> ProcessSpec.builder(c.commands(role).get(index).argv()).env(env).build();
        return new UnitDefinition(name, UnitDefinition.Kind.SERVICE, LoadState.LOADED, null, null, name, deps, c, plan,
                null, List.of(), name + config.hashCode());
    }

    static UnitDefinition simple(String name, UnitDefinition.Dependencies deps) {
        return service(name, ServiceConfig.builder(name, ServiceType.SIMPLE).start(Command.of("/bin/" + name)), deps);
    }

    static UnitDefinition.Dependencies deps(List<String> requires, List<String> wants, List<String> bindsTo,
                                            List<String> after, List<String> conflicts, List<String> wantedBy) {
        return new UnitDefinition.Dependencies(requires, wants, bindsTo, after, List.of(), conflicts, wantedBy, List.of());
    }

    static UnitDefinition.Dependencies wantedByMultiUser() {
        return deps(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("multi-user.target"));
    }

    UnitSnapshot status(String unit) throws Exception {
        return manager.snapshot(unit).get(10, TimeUnit.SECONDS);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        FakeKernel.await(what, condition);
    }

    String sub(String unit) {
        try {
            return status(unit).sub();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void startupStartsWantedUnitsAndWhatTheyPullIn() throws Exception {
        manager.load(List.of(
                simple("a", deps(List.of(), List.of("b"), List.of(), List.of(), List.of(), List.of("multi-user.target"))),
                simple("b", UnitDefinition.Dependencies.NONE),
                simple("c", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
        List<JobOutcome> outcomes = manager.startup().get(10, TimeUnit.SECONDS);
        assertTrue(outcomes.stream().allMatch(JobOutcome::ok), outcomes.toString());
        assertEquals("running", sub("a"));
        assertEquals("running", sub("b"));
        assertEquals("dead", sub("c"));
        assertEquals(0, fake.count("/bin/c"));
    }

    /**
     * {@code jinit status} and the HTTP API's unit list ask for snapshots of every unit: the manager
     * thread copies its own state and lists no processes (cgroup.procs or a /proc scan per unit used
     * to be read on it); one unit's processes are listed on the asker's thread, when asked.
     */
    @Test
    void snapshotsListNoProcessesOnTheManagerThread() throws Exception {
        manager.load(List.of(simple("a", UnitDefinition.Dependencies.NONE), simple("b", UnitDefinition.Dependencies.NONE)))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("a").get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("b").get(10, TimeUnit.SECONDS).ok());
        int before = listingsOnManagerThread();
        List<UnitSnapshot> all = manager.snapshot().get(10, TimeUnit.SECONDS);
        UnitSnapshot a = status("a");
        assertEquals(2, all.size());
        assertEquals(before, listingsOnManagerThread(), "processes were listed on the manager thread");
        int pid = fake.pidOf.get("/bin/a");
        assertEquals(pid, a.mainPid());
        assertEquals(List.of(pid), a.listProcesses().get());
        assertEquals(before, listingsOnManagerThread());
        assertEquals(1, fake.listings.get(Thread.currentThread().getName()).get());
    }

    private int listingsOnManagerThread() {
        var n = fake.listings.get("test-manager");
        return n == null ? 0 : n.get();
    }

    @Test
    void aHeldTargetDelaysOnlyTheUnitsOrderedAfterIt() throws Exception {
        java.util.concurrent.CompletableFuture<String> online = new java.util.concurrent.CompletableFuture<>();
        manager.holdTarget("network-online.target", "Network is Online", List.of("network.target"), online).get(10, TimeUnit.SECONDS);
        UnitDefinition web = simple("web", deps(List.of(), List.of("network-online.target"), List.of(),
                List.of("network-online.target"), List.of(), List.of("multi-user.target")));
        UnitDefinition local = simple("local", wantedByMultiUser());
        // No unit file defines network-online.target: the manager has it built in.
        manager.load(List.of(web, local)).get(10, TimeUnit.SECONDS);
        var startup = manager.startup();
        await("the unit not ordered after the network started", () -> fake.count("/bin/local") == 1);
        assertEquals(0, fake.count("/bin/web"), "the unit ordered after network-online.target waits");
        assertEquals(ActiveState.INACTIVE, status("network-online.target").active());
        assertFalse(startup.isDone());
        online.complete("online after 12 ms");
        assertTrue(startup.get(10, TimeUnit.SECONDS).stream().allMatch(JobOutcome::ok));
        assertEquals(1, fake.count("/bin/web"));
        assertEquals(ActiveState.ACTIVE, status("network-online.target").active());
        assertEquals("Network is Online", status("network-online.target").description());
    }

    @Test
    void aHeldTargetIsReachedWhenWhatItWaitsForFailsAndIsNotAddedWhenAFileDefinesIt() throws Exception {
        java.util.concurrent.CompletableFuture<String> online = new java.util.concurrent.CompletableFuture<>();
        manager.holdTarget("network-online.target", "Network is Online", List.of(), online).get(10, TimeUnit.SECONDS);
        UnitDefinition target = new UnitDefinition("network-online.target", UnitDefinition.Kind.TARGET, LoadState.LOADED, null,
                null, "From a file", UnitDefinition.Dependencies.NONE, null, null, null, List.of(), "file");
        UnitDefinition web = simple("web", deps(List.of(), List.of("network-online.target"), List.of(),
                List.of("network-online.target"), List.of(), List.of()));
        manager.load(List.of(target, web)).get(10, TimeUnit.SECONDS);
        var started = manager.start("web");
        await("the target's job runs", () -> !started.isDone() && sub("network-online.target").equals("dead"));
        assertEquals(0, fake.count("/bin/web"));
        online.completeExceptionally(new IllegalStateException("not online after 120 s"));
        assertTrue(started.get(10, TimeUnit.SECONDS).ok());
        assertEquals(1, fake.count("/bin/web"));
        assertEquals("From a file", status("network-online.target").description());
        assertTrue(consoleBytes.toString().contains("network-online.target: what it waits for failed (not online after 120 s); reached anyway."),
                consoleBytes.toString());
    }

    @Test
    void afterWaitsForReadinessOfANotifyUnit() throws Exception {
        UnitDefinition db = service("db", ServiceConfig.builder("db", ServiceType.NOTIFY).start(Command.of("/bin/db")),
                UnitDefinition.Dependencies.NONE);
        UnitDefinition web = simple("web", deps(List.of("db"), List.of(), List.of(), List.of("db"), List.of(), List.of()));
        manager.load(List.of(db, web)).get(10, TimeUnit.SECONDS);
        var started = manager.start("web");
        await("db spawned", () -> fake.count("/bin/db") == 1);
        assertEquals("start", sub("db"));
        assertEquals(0, fake.count("/bin/web"));
        assertFalse(started.isDone());
        manager.notifyMessage(fake.pidOf.get("/bin/db"), Map.of("READY", "1"));
        assertTrue(started.get(10, TimeUnit.SECONDS).ok());
        assertEquals(1, fake.count("/bin/web"));
        assertEquals("running", sub("db"));
    }

    @Test
    void aFailedRequirementFailsTheUnitOrderedAfterIt() throws Exception {
        UnitDefinition db = service("db", ServiceConfig.builder("db", ServiceType.NOTIFY).start(Command.of("/bin/db")),
                UnitDefinition.Dependencies.NONE);
        UnitDefinition web = simple("web", deps(List.of("db"), List.of(), List.of(), List.of("db"), List.of(), List.of()));
        manager.load(List.of(db, web)).get(10, TimeUnit.SECONDS);
        var started = manager.start("web");
        await("db spawned", () -> fake.count("/bin/db") == 1);
        fake.exit("/bin/db", ExitStatus.exited(1));
        JobOutcome outcome = started.get(10, TimeUnit.SECONDS);
        assertEquals(JobOutcome.Kind.FAILED, outcome.kind());
        assertTrue(outcome.message().contains("Dependency failed"), outcome.message());
        assertEquals(0, fake.count("/bin/web"));
        assertEquals(ActiveState.FAILED, status("db").active());
    }

    @Test
    void aWantedUnitsFailureDoesNotStopTheStart() throws Exception {
        UnitDefinition helper = service("helper", ServiceConfig.builder("helper", ServiceType.ONESHOT).start(Command.of("/bin/helper")),
                UnitDefinition.Dependencies.NONE);
        UnitDefinition web = simple("web", deps(List.of(), List.of("helper"), List.of(), List.of("helper"), List.of(), List.of()));
        manager.load(List.of(helper, web)).get(10, TimeUnit.SECONDS);
        var started = manager.start("web");
        await("helper spawned", () -> fake.count("/bin/helper") == 1);
        fake.exit("/bin/helper", ExitStatus.exited(2));
        assertTrue(started.get(10, TimeUnit.SECONDS).ok());
        assertEquals("running", sub("web"));
    }

    @Test
    void stoppingARequirementStopsItsDependentsFirst() throws Exception {
        manager.load(List.of(simple("db", UnitDefinition.Dependencies.NONE),
                simple("web", deps(List.of("db"), List.of(), List.of(), List.of("db"), List.of(), List.of()))))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("web").get(10, TimeUnit.SECONDS).ok());
        var stopped = manager.stop("db");
        await("web stopping", () -> sub("web").equals("stop-sigterm"));
        assertEquals("running", sub("db"), "db must wait for web, which is ordered after it");
        fake.exit("/bin/web", ExitStatus.killed(Signals.SIGTERM, false));
        await("db stopping", () -> sub("db").equals("stop-sigterm"));
        fake.exit("/bin/db", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(stopped.get(10, TimeUnit.SECONDS).ok());
        assertEquals("dead", sub("web"));
        assertEquals("dead", sub("db"));
    }

    @Test
    void conflictsStopTheOtherUnit() throws Exception {
        manager.load(List.of(simple("x", UnitDefinition.Dependencies.NONE),
                simple("y", deps(List.of(), List.of(), List.of(), List.of(), List.of("x"), List.of()))))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("x").get(10, TimeUnit.SECONDS).ok());
        var y = manager.start("y");
        await("x stopping", () -> sub("x").equals("stop-sigterm"));
        fake.exit("/bin/x", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(y.get(10, TimeUnit.SECONDS).ok());
        assertEquals("dead", sub("x"));
    }

    @Test
    void bindsToStopsTheBoundUnitWhenItsTargetDies() throws Exception {
        manager.load(List.of(simple("base", UnitDefinition.Dependencies.NONE),
                simple("bound", deps(List.of(), List.of(), List.of("base"), List.of("base"), List.of(), List.of()))))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("bound").get(10, TimeUnit.SECONDS).ok());
        fake.exit("/bin/base", ExitStatus.exited(1));
        await("bound stopping", () -> sub("bound").equals("stop-sigterm"));
        fake.exit("/bin/bound", ExitStatus.killed(Signals.SIGTERM, false));
        await("bound dead", () -> sub("bound").equals("dead"));
    }

    @Test
    void stopAllGoesInReverseDependencyOrder() throws Exception {
        manager.load(List.of(simple("one", wantedByMultiUser()),
                simple("two", deps(List.of("one"), List.of(), List.of(), List.of("one"), List.of(), List.of("multi-user.target"))),
                simple("three", deps(List.of("two"), List.of(), List.of(), List.of("two"), List.of(), List.of("multi-user.target")))))
                .get(10, TimeUnit.SECONDS);
        manager.startup().get(10, TimeUnit.SECONDS);
        var all = manager.stopAll();
        await("three stopping", () -> sub("three").equals("stop-sigterm"));
        assertEquals("running", sub("two"));
        assertEquals("running", sub("one"));
        fake.exit("/bin/three", ExitStatus.killed(Signals.SIGTERM, false));
        await("two stopping", () -> sub("two").equals("stop-sigterm"));
        assertEquals("running", sub("one"));
        fake.exit("/bin/two", ExitStatus.killed(Signals.SIGTERM, false));
        await("one stopping", () -> sub("one").equals("stop-sigterm"));
        fake.exit("/bin/one", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(all.get(10, TimeUnit.SECONDS).stream().allMatch(JobOutcome::ok));
        assertFalse(manager.start("one").get(10, TimeUnit.SECONDS).ok(), "no starts while shutting down");
    }

    @Test
    void daemonReloadMarksRunningUnitsAndKeepsRemovedOnesWhileRunning() throws Exception {
        manager.load(List.of(simple("keep", UnitDefinition.Dependencies.NONE), simple("gone", UnitDefinition.Dependencies.NONE),
                simple("idle", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("keep").get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("gone").get(10, TimeUnit.SECONDS).ok());
        UnitDefinition keep2 = service("keep", ServiceConfig.builder("keep", ServiceType.SIMPLE).start(Command.of("/bin/keep2")),
                UnitDefinition.Dependencies.NONE);
        UnitDefinition fresh = simple("fresh", UnitDefinition.Dependencies.NONE);
        List<String> report = manager.load(List.of(keep2, simple("idle", UnitDefinition.Dependencies.NONE), fresh))
                .get(10, TimeUnit.SECONDS);
        assertTrue(report.stream().anyMatch(l -> l.startsWith("keep: changed on disk")), report.toString());
        assertTrue(report.stream().anyMatch(l -> l.startsWith("gone: file removed")), report.toString());
        assertTrue(status("keep").changedOnDisk());
        assertEquals("running", sub("keep"), "nothing running is killed");
        assertEquals("running", sub("gone"));
        assertEquals("dead", sub("fresh"));
        // the new definition applies at the next start
        var restarted = manager.stop("keep");
        fake.exit("/bin/keep", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(restarted.get(10, TimeUnit.SECONDS).ok());
        await("keep replaced", () -> {
            try {
                return !status("keep").changedOnDisk();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(manager.start("keep").get(10, TimeUnit.SECONDS).ok());
        assertEquals(1, fake.count("/bin/keep2"));
        var goneStop = manager.stop("gone");
        fake.exit("/bin/gone", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(goneStop.get(10, TimeUnit.SECONDS).ok());
        await("gone removed", () -> {
            try {
                return status("gone") == null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * The ordering the manager consults is derived once per change of the definitions: a
     * daemon-reload that adds a unit, and a changed definition applied when its unit goes down,
     * must both be seen by the next stop's ordering.
     */
    @Test
    void orderingFollowsTheDefinitionsAfterADaemonReload() throws Exception {
        manager.load(List.of(simple("a", wantedByMultiUser()), simple("b", wantedByMultiUser()))).get(10, TimeUnit.SECONDS);
        manager.startup().get(10, TimeUnit.SECONDS);
        // b now ordered after a (pending: b is running); c is new and ordered after a.
        UnitDefinition.Dependencies afterA = deps(List.of(), List.of(), List.of(), List.of("a"), List.of(), List.of("multi-user.target"));
        UnitDefinition b2 = service("b", ServiceConfig.builder("b", ServiceType.SIMPLE).start(Command.of("/bin/b")), afterA);
        List<String> report = manager.load(List.of(simple("a", wantedByMultiUser()), b2, simple("c", afterA)))
                .get(10, TimeUnit.SECONDS);
        assertTrue(report.stream().anyMatch(l -> l.startsWith("b: changed on disk")), report.toString());
        var bStopped = manager.stop("b");
        fake.exit("/bin/b", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(bStopped.get(10, TimeUnit.SECONDS).ok());
        await("b's new definition applied", () -> {
            try {
                return !status("b").changedOnDisk();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        manager.startup().get(10, TimeUnit.SECONDS);
        assertEquals("running", sub("c"));
        var all = manager.stopAll();
        await("b and c stopping", () -> sub("b").equals("stop-sigterm") && sub("c").equals("stop-sigterm"));
        assertEquals("running", sub("a"), "a must wait for b and c, which are ordered after it");
        fake.exit("/bin/b", ExitStatus.killed(Signals.SIGTERM, false));
        await("b dead", () -> sub("b").equals("dead"));
        assertEquals("running", sub("a"), "a must still wait for c");
        fake.exit("/bin/c", ExitStatus.killed(Signals.SIGTERM, false));
        await("a stopping", () -> sub("a").equals("stop-sigterm"));
        fake.exit("/bin/a", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(all.get(10, TimeUnit.SECONDS).stream().allMatch(JobOutcome::ok));
    }

    @Test
    void aBrokenLaunchFailsOnlyThatUnit() throws Exception {
        fake.failing.add("/bin/bad");
        manager.load(List.of(simple("bad", wantedByMultiUser()), simple("good", wantedByMultiUser()))).get(10, TimeUnit.SECONDS);
        List<JobOutcome> outcomes = manager.startup().get(10, TimeUnit.SECONDS);
        assertEquals(1, outcomes.stream().filter(o -> !o.ok()).count(), outcomes.toString());
        assertEquals(ActiveState.FAILED, status("bad").active());
        assertEquals("resources", status("bad").result());
        assertEquals("running", sub("good"));
        assertTrue(fake.notes.stream().anyMatch(n -> n.contains("simulated launcher bug")), fake.notes.toString());
    }

    @Test
    void aBugWhileHandlingOneUnitsEventIsContained() throws Exception {
        UnitDefinition n = service("n", ServiceConfig.builder("n", ServiceType.NOTIFY).start(Command.of("/bin/n")),
                UnitDefinition.Dependencies.NONE);
        manager.load(List.of(n, simple("other", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
        var started = manager.start("n");
        await("n spawned", () -> fake.count("/bin/n") == 1);
        // A message whose fields blow up when read: a stand-in for any bug met inside the machine.
        Map<String, String> poisoned = new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Map.Entry<String, String>> entrySet() {
                throw new IllegalStateException("poisoned message");
            }

            @Override
            public String get(Object key) {
                throw new IllegalStateException("poisoned message");
            }
        };
        manager.notifyMessage(fake.pidOf.get("/bin/n"), poisoned);
        await("the bug reported in n's log", () -> fake.notes.stream().anyMatch(l -> l.startsWith("n: Internal error")
                && l.contains("poisoned message")));
        // n goes on (a later READY=1 is taken) and so does everything else.
        manager.notifyMessage(fake.pidOf.get("/bin/n"), Map.of("READY", "1"));
        assertTrue(started.get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("other").get(10, TimeUnit.SECONDS).ok());
    }

    @Test
    void unknownAndUnloadedUnitsAreReported() throws Exception {
        manager.load(List.of(UnitDefinition.failed("broken.service", LoadState.BAD_SETTING, "broken.service:3: Type=weird: not a service type", null)))
                .get(10, TimeUnit.SECONDS);
        assertEquals(JobOutcome.Kind.NOT_FOUND, manager.start("nope.service").get(10, TimeUnit.SECONDS).kind());
        JobOutcome o = manager.start("broken.service").get(10, TimeUnit.SECONDS);
        assertEquals(JobOutcome.Kind.FAILED, o.kind());
        assertTrue(o.message().contains("broken.service:3"), o.message());
        assertEquals(LoadState.BAD_SETTING, status("broken.service").load());
    }

    @Test
    void targetsGroupUnitsAndBecomeActiveAfterThem() throws Exception {
        UnitDefinition target = new UnitDefinition("multi-user.target", UnitDefinition.Kind.TARGET, LoadState.LOADED, null, null,
                "Multi-User System", UnitDefinition.Dependencies.NONE, null, null, null, List.of(), "t");
        UnitDefinition n = service("n", ServiceConfig.builder("n", ServiceType.NOTIFY).start(Command.of("/bin/n")), wantedByMultiUser());
        manager.load(List.of(target, n)).get(10, TimeUnit.SECONDS);
        var up = manager.startup();
        await("n spawned", () -> fake.count("/bin/n") == 1);
        assertEquals("dead", sub("multi-user.target"));
        manager.notifyMessage(fake.pidOf.get("/bin/n"), Map.of("READY", "1"));
        assertTrue(up.get(10, TimeUnit.SECONDS).stream().allMatch(JobOutcome::ok));
        assertEquals("active", sub("multi-user.target"));
    }

    @Test
    void restartTakesTheUnitsThatRequireItAlong() throws Exception {
        manager.load(List.of(simple("db", UnitDefinition.Dependencies.NONE),
                simple("web", deps(List.of("db"), List.of(), List.of(), List.of("db"), List.of(), List.of())),
                simple("other", UnitDefinition.Dependencies.NONE)))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("web").get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("other").get(10, TimeUnit.SECONDS).ok());
        var again = manager.restart("db");
        await("web stopping first", () -> sub("web").equals("stop-sigterm"));
        assertEquals("running", sub("db"));
        fake.exit("/bin/web", ExitStatus.killed(Signals.SIGTERM, false));
        await("db stopping", () -> sub("db").equals("stop-sigterm"));
        fake.exit("/bin/db", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(again.get(10, TimeUnit.SECONDS).ok());
        await("web back", () -> sub("web").equals("running"));
        assertEquals(2, fake.count("/bin/db"));
        assertEquals(2, fake.count("/bin/web"));
        assertEquals(1, fake.count("/bin/other"));
    }

    @Test
    void restartOfARunningUnitStartsItAgain() throws Exception {
        manager.load(List.of(simple("r", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("r").get(10, TimeUnit.SECONDS).ok());
        var again = manager.restart("r");
        await("r stopping", () -> sub("r").equals("stop-sigterm"));
        fake.exit("/bin/r", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(again.get(10, TimeUnit.SECONDS).ok());
        assertEquals(2, fake.count("/bin/r"));
        assertEquals("running", sub("r"));
    }

    static UnitDefinition target(String name, UnitDefinition.Dependencies deps) {
        return new UnitDefinition(name, UnitDefinition.Kind.TARGET, LoadState.LOADED, null, null, name, deps, null, null,
                null, List.of(), name);
    }

    /**
     * A unit wanted by a target and ordered after it: the target's implicit ordering after what it
     * wants is not added (systemd's unit_add_default_target_dependency skips it when the other unit
     * is already ordered after the target), so the start of the target completes.
     */
    @Test
    void aUnitOrderedAfterTheTargetThatWantsItDoesNotDeadlockTheStart() throws Exception {
        manager.load(List.of(target("t.target", UnitDefinition.Dependencies.NONE),
                simple("x.service", deps(List.of(), List.of(), List.of(), List.of("t.target"), List.of(), List.of("t.target")))))
                .get(10, TimeUnit.SECONDS);
        JobOutcome o = manager.start("t.target").get(10, TimeUnit.SECONDS);
        assertTrue(o.ok(), o.toString());
        await("x running", () -> sub("x.service").equals("running"));
        assertEquals("active", sub("t.target"));
    }

    /** The stop-side twin: with both active, stopping everything completes (x first, it is ordered after t). */
    @Test
    void aUnitOrderedAfterTheTargetThatWantsItDoesNotDeadlockStopAll() throws Exception {
        manager.load(List.of(target("t.target", UnitDefinition.Dependencies.NONE),
                simple("x.service", deps(List.of(), List.of(), List.of(), List.of("t.target"), List.of(), List.of("t.target")))))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("t.target").get(10, TimeUnit.SECONDS).ok());
        await("x running", () -> sub("x.service").equals("running"));
        var all = manager.stopAll();
        await("x stopping", () -> sub("x.service").equals("stop-sigterm"));
        assertEquals("active", sub("t.target"), "t must wait for x, which is ordered after it");
        fake.exit("/bin/x.service", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(all.get(10, TimeUnit.SECONDS).stream().allMatch(JobOutcome::ok));
        assertEquals("dead", sub("t.target"));
    }

    /**
     * The fakes are honest: a fake service is jinit's child and stays alive until the test ends it,
     * so however much (fake) time passes, nothing declares it gone on its own; only its exit does.
     */
    @Test
    void aFakeServiceLivesUntilTheTestEndsItHoweverMuchTimePasses() throws Exception {
        manager.load(List.of(simple("long", UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("long").get(10, TimeUnit.SECONDS).ok());
        for (int i = 0; i < 60; i++) {
            fake.advance(loop, 60_000);
            assertEquals("running", sub("long"), "after " + (i + 1) + " fake minutes");
        }
        assertFalse(fake.notes.stream().anyMatch(n -> n.contains("is gone")), fake.notes.toString());
        fake.exit("/bin/long", ExitStatus.exited(0));
        await("long dead", () -> sub("long").equals("dead"));
    }

    static UnitDefinition stubborn(String name, UnitDefinition.Dependencies deps) {
        // Ignores SIGTERM (the fake process lives on) and would wait an hour before its own SIGKILL.
        return service(name, ServiceConfig.builder(name, ServiceType.SIMPLE).start(Command.of("/bin/" + name))
                .timeoutStopMillis(3_600_000), deps);
    }

    /** The overall stop deadline: what is not down by then is killed and its stop ends, on the fake clock. */
    @Test
    void stopAllKillsWhatIsNotDownByTheDeadline() throws Exception {
        manager.load(List.of(stubborn("stubborn", wantedByMultiUser()), simple("meek", wantedByMultiUser())))
                .get(10, TimeUnit.SECONDS);
        manager.startup().get(10, TimeUnit.SECONDS);
        int pid = fake.pidOf.get("/bin/stubborn");
        var all = manager.stopAll(java.time.Duration.ofSeconds(90));
        await("both stopping", () -> fake.got(pid, Signals.SIGTERM) && fake.got(fake.pidOf.get("/bin/meek"), Signals.SIGTERM));
        fake.exit("/bin/meek", ExitStatus.killed(Signals.SIGTERM, false));
        await("meek's stop done", () -> manager.pendingJobs().join().equals(List.of("stubborn")));
        fake.advance(loop, 89_000);
        assertEquals("stop-sigterm", sub("stubborn"));
        assertFalse(all.isDone(), "the deadline has not passed");
        assertFalse(fake.got(pid, Signals.SIGKILL));
        fake.advance(loop, 1_000);
        List<JobOutcome> outcomes = all.get(10, TimeUnit.SECONDS);
        assertTrue(fake.got(pid, Signals.SIGKILL), "killed at the deadline");
        JobOutcome o = outcomes.stream().filter(x -> x.unit().equals("stubborn")).findFirst().orElseThrow();
        assertEquals(JobOutcome.Kind.FAILED, o.kind());
        assertTrue(o.message().contains("overall stop deadline"), o.message());
        assertTrue(outcomes.stream().filter(x -> x.unit().equals("meek")).allMatch(JobOutcome::ok), outcomes.toString());
    }

    /** A second SIGTERM: the stop in progress is forced at once, whatever its deadline. */
    @Test
    void forceStopAllKillsAtOnce() throws Exception {
        manager.load(List.of(stubborn("stubborn", wantedByMultiUser()))).get(10, TimeUnit.SECONDS);
        manager.startup().get(10, TimeUnit.SECONDS);
        int pid = fake.pidOf.get("/bin/stubborn");
        var all = manager.stopAll(java.time.Duration.ofHours(1));
        await("stopping", () -> fake.got(pid, Signals.SIGTERM));
        var forced = manager.forceStopAll();
        List<JobOutcome> outcomes = forced.get(10, TimeUnit.SECONDS);
        assertTrue(all.isDone());
        assertTrue(fake.got(pid, Signals.SIGKILL));
        assertTrue(outcomes.getFirst().message().contains("a forced stop was asked"), outcomes.toString());
    }

    /** Ordering cycle in a transaction: the start of a unit that is only wanted is dropped, and said so. */
    @Test
    void anOrderingCycleDropsAWantedOnlyStart() throws Exception {
        manager.load(List.of(
                simple("a", deps(List.of(), List.of("b"), List.of(), List.of("b"), List.of(), List.of())),
                simple("b", deps(List.of(), List.of(), List.of(), List.of("a"), List.of(), List.of()))))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("a").get(10, TimeUnit.SECONDS).ok());
        assertEquals("running", sub("a"));
        assertEquals("dead", sub("b"));
        assertTrue(fake.notes.stream().anyMatch(n -> n.startsWith("b: Found ordering cycle") && n.contains("not starting b")),
                fake.notes.toString());
    }

    /** When every unit on the cycle is needed, the request fails with the cycle named; it never hangs. */
    @Test
    void anOrderingCycleOfNeededUnitsFailsTheRequest() throws Exception {
        manager.load(List.of(
                simple("a", deps(List.of("b"), List.of(), List.of(), List.of("b"), List.of(), List.of())),
                simple("b", deps(List.of(), List.of(), List.of(), List.of("a"), List.of(), List.of()))))
                .get(10, TimeUnit.SECONDS);
        JobOutcome o = manager.start("a").get(10, TimeUnit.SECONDS);
        assertEquals(JobOutcome.Kind.FAILED, o.kind());
        assertTrue(o.message().contains("cyclic") && o.message().contains("a -> b"), o.message());
        assertEquals(0, fake.count("/bin/a") + fake.count("/bin/b"));
    }

    /** DefaultDependencies=no on the target: no implicit ordering after what it wants (it is up at once). */
    @Test
    void aTargetWithoutDefaultDependenciesIsNotOrderedAfterWhatItWants() throws Exception {
        UnitDefinition t = target("t.target", UnitDefinition.Dependencies.NONE.withDefaultDependencies(false));
        UnitDefinition n = service("n", ServiceConfig.builder("n", ServiceType.NOTIFY).start(Command.of("/bin/n")),
                deps(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("t.target")));
        manager.load(List.of(t, n)).get(10, TimeUnit.SECONDS);
        var up = manager.start("t.target");
        assertTrue(up.get(10, TimeUnit.SECONDS).ok(), "the target does not wait for n");
        await("n spawned", () -> fake.count("/bin/n") == 1);
        assertEquals("start", sub("n"));
        manager.notifyMessage(fake.pidOf.get("/bin/n"), Map.of("READY", "1"));
        await("n running", () -> sub("n").equals("running"));
    }

    /** With default dependencies the same target waits for n's readiness. */
    @Test
    void aTargetIsOrderedAfterWhatItWants() throws Exception {
        UnitDefinition t = target("t.target", UnitDefinition.Dependencies.NONE);
        UnitDefinition n = service("n", ServiceConfig.builder("n", ServiceType.NOTIFY).start(Command.of("/bin/n")),
                deps(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("t.target")));
        manager.load(List.of(t, n)).get(10, TimeUnit.SECONDS);
        var up = manager.start("t.target");
        await("n spawned", () -> fake.count("/bin/n") == 1);
        assertFalse(up.isDone());
        assertEquals("dead", sub("t.target"));
        manager.notifyMessage(fake.pidOf.get("/bin/n"), Map.of("READY", "1"));
        assertTrue(up.get(10, TimeUnit.SECONDS).ok());
    }

    static UnitDefinition.Dependencies requisiteOf(String unit) {
        return new UnitDefinition.Dependencies(List.of(), List.of(), List.of(), List.of(unit), List.of(), List.of(),
                List.of(), List.of(), List.of(unit), List.of(), true);
    }

    /** Requisite=: the start fails unless the unit is already up; it is never started for it. */
    @Test
    void requisiteNeedsTheUnitUpAlready() throws Exception {
        manager.load(List.of(simple("base", UnitDefinition.Dependencies.NONE), simple("top", requisiteOf("base"))))
                .get(10, TimeUnit.SECONDS);
        JobOutcome o = manager.start("top").get(10, TimeUnit.SECONDS);
        assertEquals(JobOutcome.Kind.FAILED, o.kind());
        assertTrue(o.message().contains("Requisite=base") && o.message().contains("not active"), o.message());
        assertEquals(0, fake.count("/bin/base"));
        assertTrue(manager.start("base").get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("top").get(10, TimeUnit.SECONDS).ok());
    }

    /** PartOf=: stopping the unit stops the units that are part of it (first: they are ordered after it). */
    @Test
    void partOfStopsWithTheUnit() throws Exception {
        UnitDefinition.Dependencies partOfBase = new UnitDefinition.Dependencies(List.of(), List.of(), List.of(),
                List.of("base"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of("base"), true);
        manager.load(List.of(simple("base", UnitDefinition.Dependencies.NONE), simple("part", partOfBase)))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("base").get(10, TimeUnit.SECONDS).ok());
        assertTrue(manager.start("part").get(10, TimeUnit.SECONDS).ok());
        var stopped = manager.stop("base");
        await("part stopping", () -> sub("part").equals("stop-sigterm"));
        assertEquals("running", sub("base"));
        fake.exit("/bin/part", ExitStatus.killed(Signals.SIGTERM, false));
        await("base stopping", () -> sub("base").equals("stop-sigterm"));
        fake.exit("/bin/base", ExitStatus.killed(Signals.SIGTERM, false));
        assertTrue(stopped.get(10, TimeUnit.SECONDS).ok());
        assertEquals("dead", sub("part"));
    }
}
