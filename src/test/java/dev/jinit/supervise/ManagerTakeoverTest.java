package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Taking over units an earlier jinit left up ({@link Manager#adopt}): they show active with their main
 * process, startup starts nothing twice, Restart= applies when the process later ends (with its status
 * when it is still jinit's child, as a clean exit when not: systemd cannot know it either), and what
 * cannot be taken over is returned with the reason. The records a later jinit reads follow the states.
 */
class ManagerTakeoverTest {
    final FakeKernel fake = new FakeKernel();
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final EventLoop loop = fake.loop("takeover-manager");
    final Manager manager = new Manager(loop, ManagerTest.OPTIONS, fake.ports(), new PrintStream(console, true));

    /** A process the earlier jinit started: alive, not spawned by this manager. */
    static final int OLD_PID = 20_000_001;

    @AfterEach
    void stop() {
        manager.close();
    }

    static UnitDefinition daemon(String name, RestartPolicy restart) {
        return ManagerTest.service(name, ServiceConfig.builder(name, ServiceType.SIMPLE).start(Command.of("/bin/" + name))
                .restart(restart).restartMillis(100), ManagerTest.wantedByMultiUser());
    }

    static UnitRecord running(String unit, int pid) {
        return new UnitRecord(unit, "running", pid, "123", "", "0123456789abcdef0123456789abcdef", 2, "", "");
    }

    Adoptee adoptee(String unit, boolean child) {
        fake.alive.add(OLD_PID);
        return new Adoptee(running(unit, OLD_PID), fake.open(OLD_PID), null, List.of(), child ? new Adoptee.ExitRelay() : null);
    }

    UnitSnapshot status(String unit) throws Exception {
        return manager.snapshot(unit).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTakenOverUnitIsRunningWithItsProcessAndStartupStartsNothingTwice() throws Exception {
        manager.load(List.of(daemon("a", RestartPolicy.ON_FAILURE))).get(10, TimeUnit.SECONDS);
        List<Manager.Refusal> refused = manager.adopt(List.of(adoptee("a", true))).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), refused);
        UnitSnapshot s = status("a");
        assertEquals("running", s.sub());
        assertEquals(OLD_PID, s.mainPid());
        assertEquals(2, s.restarts(), "the restart counter goes on");
        List<JobOutcome> outcomes = manager.startup().get(10, TimeUnit.SECONDS);
        assertTrue(outcomes.stream().allMatch(JobOutcome::ok), outcomes.toString());
        assertEquals(0, fake.count("/bin/a"), "nothing was started beside the process taken over");
        assertTrue(console.toString().contains("Took over a (a), main PID " + OLD_PID), console.toString());
    }

    @Test
    void aChildTakenOverEndsWithItsStatusAndRestartApplies() throws Exception {
        manager.load(List.of(daemon("a", RestartPolicy.ON_FAILURE))).get(10, TimeUnit.SECONDS);
        Adoptee a = adoptee("a", true);
        assertEquals(List.of(), manager.adopt(List.of(a)).get(10, TimeUnit.SECONDS));
        // The reaper reports the exit of the child it kept across the re-exec: status 3, a failure.
        fake.alive.remove(OLD_PID);
        a.exits().accept(ExitStatus.exited(3));
        FakeKernel.await("auto-restart", () -> sub("a").equals("auto-restart"));
        fake.advance(loop, 100);
        FakeKernel.await("the restart", () -> fake.count("/bin/a") == 1);
        FakeKernel.await("running again", () -> sub("a").equals("running"));
        assertEquals(3, status("a").restarts());
    }

    @Test
    void aProcessThatIsNotJinitsChildEndsAsACleanExitOnceItsPidfdSaysSo() throws Exception {
        manager.load(List.of(daemon("a", RestartPolicy.ON_FAILURE), daemon("b", RestartPolicy.ALWAYS))).get(10, TimeUnit.SECONDS);
        fake.alive.add(OLD_PID + 1);
        Adoptee b = new Adoptee(running("b", OLD_PID + 1), fake.open(OLD_PID + 1), null, List.of(), null);
        assertEquals(List.of(), manager.adopt(List.of(adoptee("a", false), b)).get(10, TimeUnit.SECONDS));
        fake.alive.remove(OLD_PID);
        fake.alive.remove(OLD_PID + 1);
        // Polled through its pidfd every FOREIGN_POLL_MILLIS (one round more, for a reaper's report that may come).
        FakeKernel.await("a dead", () -> {
            fake.advance(loop, ServiceDriver.FOREIGN_POLL_MILLIS);
            return sub("a").equals("dead");
        });
        assertEquals(0, fake.count("/bin/a"), "on-failure: an unknown status counts as a clean exit, no restart");
        FakeKernel.await("b restarted (Restart=always)", () -> {
            fake.advance(loop, 100);
            return fake.count("/bin/b") == 1;
        });
        assertTrue(fake.notes.stream().anyMatch(n -> n.contains("exit status is unknown")), fake.notes.toString());
    }

    @Test
    void whatCannotBeTakenOverIsReturnedWithTheReason() throws Exception {
        manager.load(List.of(daemon("a", RestartPolicy.NO), daemon("c", RestartPolicy.NO))).get(10, TimeUnit.SECONDS);
        manager.start("c").get(10, TimeUnit.SECONDS);
        fake.alive.add(OLD_PID + 2);
        Adoptee gone = new Adoptee(running("a", 4242), null, null, List.of(), null);
        Adoptee unknown = new Adoptee(running("nosuch", OLD_PID + 2), fake.open(OLD_PID + 2), null, List.of(), null);
        Adoptee up = adoptee("c", false);
        Adoptee notRemain = new Adoptee(new UnitRecord("a", "exited", 0, "", "", "x", 0, "", ""), null, null, List.of(), null);
        List<Manager.Refusal> refused = manager.adopt(List.of(gone, unknown, up, notRemain)).get(10, TimeUnit.SECONDS);
        assertEquals(4, refused.size(), refused.toString());
        assertTrue(refused.get(0).reason().contains("main process is gone"), refused.toString());
        assertTrue(refused.get(1).reason().contains("no such unit"), refused.toString());
        assertTrue(refused.get(2).reason().contains("active already"), refused.toString());
        assertTrue(refused.get(3).reason().contains("RemainAfterExit"), refused.toString());
        assertEquals("dead", sub("a"));
        assertEquals(1, fake.count("/bin/c"));
    }

    @Test
    void recordsFollowTheUnitsState() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        manager.recordUnits(new UnitRecord.Sink() {
            @Override
            public void save(UnitRecord r) {
                log.add("save " + r.unit() + " " + r.state() + " " + r.pid());
            }

            @Override
            public void remove(String unit) {
                log.add("remove " + unit);
            }
        });
        manager.load(List.of(daemon("a", RestartPolicy.NO))).get(10, TimeUnit.SECONDS);
        manager.start("a").get(10, TimeUnit.SECONDS);
        int pid = fake.pidOf.get("/bin/a");
        FakeKernel.await("a recorded", () -> log.contains("save a running " + pid));
        fake.exit("/bin/a", ExitStatus.exited(0));
        FakeKernel.await("a's record removed", () -> !log.isEmpty() && log.getLast().equals("remove a"));
    }

    String sub(String unit) {
        try {
            return status(unit).sub();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
