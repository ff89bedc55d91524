package dev.jinit.supervise;

import static dev.jinit.supervise.ServiceConfig.Role.RELOAD;
import static dev.jinit.supervise.ServiceConfig.Role.START;
import static dev.jinit.supervise.ServiceConfig.Role.START_POST;
import static dev.jinit.supervise.ServiceConfig.Role.START_PRE;
import static dev.jinit.supervise.ServiceConfig.Role.STOP;
import static dev.jinit.supervise.ServiceConfig.Role.STOP_POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.ExitStatusSet;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.NotifyAccess;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceMachineTest {
    final FakeClock clock = new FakeClock();
    final Recorder fx = new Recorder();

    ServiceMachine machine(ServiceConfig.Builder b) {
        return fx.drive(b.build(), clock);
    }

    static ServiceConfig.Builder simple() {
        return ServiceConfig.builder("a.service", ServiceType.SIMPLE).start(Command.of("/bin/daemon"));
    }

    static Command ignoring(String... argv) {
        return new Command(List.of(argv), true);
    }

    // ---- types ------------------------------------------------------------------------------

    @Test
    void simpleIsRunningAsSoonAsSpawned() {
        ServiceMachine m = machine(simple());
        m.start();
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(ActiveState.ACTIVE, m.activeState());
        assertEquals(fx.lastPid(START), m.mainPid());
        assertEquals(List.of(ServiceState.START, ServiceState.RUNNING), fx.states());
    }

    /** Spawns are answered later (the manager spawns on an executor): a simple service is up once answered. */
    @Test
    void simpleWaitsInStartUntilItsSpawnIsAnswered() {
        fx.holdSpawns = true;
        ServiceMachine m = machine(simple());
        m.start();
        assertEquals(ServiceState.START, m.state());
        assertEquals(0, m.mainPid());
        fx.answer(fx.unanswered.getFirst());
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(fx.lastPid(START), m.mainPid());
    }

    /**
     * A spawn that never comes back (its output a FIFO nobody reads) fails the start at its timeout,
     * with result timeout; a late answer is refused, so the driver kills that process.
     */
    @Test
    void aSpawnThatHangsFailsAtTheStartTimeoutAndALateAnswerIsRefused() {
        fx.holdSpawns = true;
        ServiceMachine m = machine(simple().timeoutStartMillis(1000));
        m.start();
        clock.advance(999);
        assertEquals(ServiceState.START, m.state());
        clock.advance(1);
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
        fx.answer(fx.unanswered.getFirst());
        assertEquals(List.of(fx.lastPid(START)), fx.refused);
        assertEquals(0, m.mainPid());
        assertEquals(ServiceState.FAILED, m.state());
    }

    /** A stop while a control command's spawn is unanswered: the unit goes down, the late process is refused. */
    @Test
    void aStopWhileASpawnIsPendingRefusesTheLateProcess() {
        fx.holdSpawns = true;
        ServiceMachine m = machine(simple().startPre(Command.of("pre")));
        m.start();
        assertEquals(ServiceState.START_PRE, m.state());
        m.stop();
        assertEquals(ServiceState.DEAD, m.state());
        fx.answer(fx.unanswered.getFirst());
        assertEquals(1, fx.refused.size());
        assertTrue(fx.spawns(START).isEmpty(), "the main command never started");
    }

    @Test
    void execBehavesAsSimpleBecauseSpawnReturnsAfterExec() {
        ServiceMachine m = machine(ServiceConfig.builder("e.service", ServiceType.EXEC).start(Command.of("/bin/x")));
        m.start();
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void preAndPostCommandsRunInOrderAroundTheMainProcess() {
        ServiceMachine m = machine(simple().startPre(Command.of("pre1"), Command.of("pre2")).startPost(Command.of("post")));
        m.start();
        assertEquals(ServiceState.START_PRE, m.state());
        fx.exit(m, fx.lastPid(START_PRE), ExitStatus.exited(0));
        assertEquals(2, fx.spawns(START_PRE).size());
        assertEquals("pre2", fx.spawns(START_PRE).get(1).command().argv().getFirst());
        fx.exit(m, fx.lastPid(START_PRE), ExitStatus.exited(0));
        assertEquals(ServiceState.START_POST, m.state());
        assertEquals(1, fx.spawns(START).size());
        fx.exit(m, fx.lastPid(START_POST), ExitStatus.exited(0));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(List.of(ServiceState.START_PRE, ServiceState.START, ServiceState.START_POST, ServiceState.RUNNING), fx.states());
    }

    @Test
    void failingStartPreFailsTheUnitWithoutStartingIt() {
        ServiceMachine m = machine(simple().startPre(Command.of("pre")));
        m.start();
        fx.exit(m, fx.lastPid(START_PRE), ExitStatus.exited(3));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.EXIT_CODE, m.result());
        assertTrue(fx.spawns(START).isEmpty());
    }

    @Test
    void dashPrefixIgnoresAFailingCommand() {
        ServiceMachine m = machine(simple().startPre(ignoring("pre")));
        m.start();
        fx.exit(m, fx.lastPid(START_PRE), ExitStatus.exited(1));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void dashPrefixIgnoresAMissingProgram() {
        fx.missing.add("nothere");
        ServiceMachine m = machine(simple().startPre(ignoring("nothere")));
        m.start();
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void missingMainProgramFailsWithResources() {
        fx.missing.add("/bin/daemon");
        ServiceMachine m = machine(simple());
        m.start();
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.RESOURCES, m.result());
        assertTrue(fx.logs().stream().anyMatch(l -> l.contains("no such file")), fx.logs().toString());
    }

    @Test
    void ignoredMainFailureEndsAsDeadNotFailed() {
        ServiceMachine m = machine(ServiceConfig.builder("i.service", ServiceType.SIMPLE).start(ignoring("/bin/x")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(5));
        assertEquals(ServiceState.DEAD, m.state());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void oneshotRunsEveryStartCommandThenGoesDead() {
        ServiceMachine m = machine(ServiceConfig.builder("o.service", ServiceType.ONESHOT)
                .start(Command.of("one"), Command.of("two")).stop(Command.of("undo")));
        m.start();
        assertEquals(ServiceState.START, m.state());
        assertEquals(ActiveState.ACTIVATING, m.activeState());
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        assertEquals("two", fx.spawns(START).get(1).command().argv().getFirst());
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        // systemd runs ExecStop= even for a oneshot that just finished (it goes through stop)
        assertEquals(ServiceState.STOP, m.state());
        fx.exit(m, fx.lastPid(STOP), ExitStatus.exited(0));
        assertEquals(ServiceState.DEAD, m.state());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void oneshotWithRemainAfterExitStaysExitedUntilStopped() {
        ServiceMachine m = machine(ServiceConfig.builder("o.service", ServiceType.ONESHOT)
                .start(Command.of("one")).remainAfterExit(true).stop(Command.of("undo")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        assertEquals(ServiceState.EXITED, m.state());
        assertTrue(m.isActive());
        assertTrue(fx.spawns(STOP).isEmpty());
        m.stop();
        assertEquals(ServiceState.STOP, m.state());
        assertFalse(fx.spawns(STOP).getFirst().env().containsKey("MAINPID"));
        fx.exit(m, fx.lastPid(STOP), ExitStatus.exited(0));
        assertEquals(ServiceState.DEAD, m.state());
    }

    @Test
    void oneshotFailureStopsTheSequence() {
        ServiceMachine m = machine(ServiceConfig.builder("o.service", ServiceType.ONESHOT)
                .start(Command.of("one"), Command.of("two")).remainAfterExit(true));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(2));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(1, fx.spawns(START).size());
    }

    @Test
    void oneshotTreatsSigtermAsFailure() {
        ServiceMachine m = machine(ServiceConfig.builder("o.service", ServiceType.ONESHOT).start(Command.of("one")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceResult.SIGNAL, m.result());
        assertEquals(ServiceState.FAILED, m.state());
    }

    @Test
    void notifyBecomesActiveOnReadyFromTheMainProcessOnly() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d")));
        m.start();
        assertEquals(ServiceState.START, m.state());
        m.notify(m.mainPid() + 1000, Map.of("READY", "1"));
        assertEquals(ServiceState.START, m.state());
        assertTrue(fx.logs().stream().anyMatch(l -> l.contains("allows only main pid")));
        m.notify(m.mainPid(), Map.of("READY", "1", "STATUS", "serving"));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals("serving", m.statusText());
    }

    @Test
    void notifyAccessAllAcceptsAnyUnitProcess() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d"))
                .notifyAccess(NotifyAccess.ALL));
        fx.others.add(4242);
        m.start();
        m.notify(4242, Map.of("READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void notifyAccessNoneIgnoresEverything() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d"))
                .notifyAccess(NotifyAccess.NONE).timeoutStartMillis(1000));
        m.start();
        m.notify(m.mainPid(), Map.of("READY", "1"));
        assertEquals(ServiceState.START, m.state());
        clock.advance(1000);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void notifyServiceExitingBeforeReadyIsAProtocolFailure() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.PROTOCOL, m.result());
    }

    @Test
    void mainPidMessageIsRefusedForForeignProcesses() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d")));
        m.start();
        int original = m.mainPid();
        m.notify(original, Map.of("MAINPID", "31337"));
        assertEquals(original, m.mainPid());
        assertTrue(fx.logs().stream().anyMatch(l -> l.contains("not one of the unit's processes")));
        fx.others.add(555);
        m.notify(original, Map.of("MAINPID", "555", "READY", "1"));
        assertEquals(555, m.mainPid());
        assertTrue(fx.actions.contains(new Action.MainPid(555)));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    /** What the driver refuses (jinit itself, pid 1, another unit's process) never becomes the main pid, even from the unit. */
    @Test
    void mainPidMessageIsRefusedWhenTheDriverRefusesThePid() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d")));
        m.start();
        int original = m.mainPid();
        fx.others.add(1);
        fx.refusedMainPids.put(1, "is the init process (pid 1)");
        m.notify(original, Map.of("MAINPID", "1"));
        assertEquals(original, m.mainPid());
        assertTrue(fx.logs().contains("MAINPID=1 refused: is the init process (pid 1) (from PID " + original + ")"), fx.logs().toString());
        assertFalse(fx.actions.contains(new Action.MainPid(1)));
    }

    @Test
    void extendTimeoutPushesTheStartDeadline() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d"))
                .timeoutStartMillis(1000));
        m.start();
        clock.advance(900);
        m.notify(m.mainPid(), Map.of("EXTEND_TIMEOUT_USEC", "2000000"));
        clock.advance(1500);
        assertEquals(ServiceState.START, m.state());
        clock.advance(600);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void forkingTakesTheMainPidFromThePidFile() {
        Path pidFile = Path.of("/run/f.pid");
        ServiceMachine m = machine(ServiceConfig.builder("f.service", ServiceType.FORKING)
                .start(Command.of("forker")).pidFile(pidFile));
        m.start();
        assertEquals(ServiceState.START, m.state());
        assertEquals(0, m.mainPid());
        int control = m.controlPid();
        fx.exit(m, control, ExitStatus.exited(0));
        assertEquals(ServiceState.START, m.state()); // no pid file yet: keep looking
        fx.pidFiles.put(pidFile, 777);
        clock.advance(ServiceMachine.POLL_MILLIS);
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(777, m.mainPid());
        fx.exit(m, 777, ExitStatus.exited(1));
        assertEquals(ServiceState.FAILED, m.state());
    }

    @Test
    void forkingParentFailureFails() {
        ServiceMachine m = machine(ServiceConfig.builder("f.service", ServiceType.FORKING)
                .start(Command.of("forker")).pidFile(Path.of("/run/x.pid")));
        m.start();
        fx.exit(m, m.controlPid(), ExitStatus.exited(1));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.EXIT_CODE, m.result());
    }

    @Test
    void forkingWithoutPidFileThatNeverWritesItTimesOut() {
        Path pidFile = Path.of("/run/never.pid");
        ServiceMachine m = machine(ServiceConfig.builder("f.service", ServiceType.FORKING)
                .start(Command.of("forker")).pidFile(pidFile).timeoutStartMillis(2000));
        m.start();
        fx.exit(m, m.controlPid(), ExitStatus.exited(0));
        clock.advance(2000);
        assertEquals(ServiceResult.TIMEOUT, m.result());
        assertEquals(ServiceState.FAILED, m.state());
    }

    // ---- stop ---------------------------------------------------------------------------------

    @Test
    void stopRunsExecStopThenSignalsThenStopPost() {
        ServiceMachine m = machine(simple().stop(Command.of("stopper")).stopPost(Command.of("cleanup")));
        m.start();
        int main = m.mainPid();
        m.stop();
        assertEquals(ServiceState.STOP, m.state());
        assertEquals(Integer.toString(main), fx.spawns(STOP).getFirst().env().get("MAINPID"));
        fx.exit(m, fx.lastPid(STOP), ExitStatus.exited(0));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(List.of(new Action.SignalAll(Signals.SIGTERM, main, 0)), fx.signals());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.STOP_POST, m.state());
        assertEquals("success", fx.spawns(STOP_POST).getFirst().env().get("SERVICE_RESULT"));
        assertEquals("killed", fx.spawns(STOP_POST).getFirst().env().get("EXIT_CODE"));
        assertEquals("TERM", fx.spawns(STOP_POST).getFirst().env().get("EXIT_STATUS"));
        fx.exit(m, fx.lastPid(STOP_POST), ExitStatus.exited(0));
        assertEquals(ServiceState.DEAD, m.state());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void stopTimeoutEscalatesToSigkill() {
        ServiceMachine m = machine(simple().timeoutStopMillis(5000));
        m.start();
        int main = m.mainPid();
        m.stop();
        clock.advance(4999);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        clock.advance(1);
        assertEquals(ServiceState.STOP_SIGKILL, m.state());
        assertEquals(new Action.SignalAll(Signals.SIGKILL, main, 0), fx.signals().getLast());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGKILL, false));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void sendSigkillNoGivesUpAfterTheTimeout() {
        ServiceMachine m = machine(simple().timeoutStopMillis(1000).sendSigkill(false));
        m.start();
        m.stop();
        clock.advance(1000);
        assertEquals(ServiceState.FAILED, m.state());
        assertFalse(fx.signals().stream().anyMatch(a -> a instanceof Action.SignalAll s && s.signal() == Signals.SIGKILL));
    }

    @Test
    void finalKillSignalAndSendSighup() {
        ServiceMachine m = machine(simple().timeoutStopMillis(1000).sendSighup(true).finalKillSignal(Signals.SIGQUIT));
        m.start();
        int main = m.mainPid();
        m.stop();
        clock.advance(1000);
        assertEquals(List.of(new Action.SignalAll(Signals.SIGTERM, main, 0), new Action.SignalAll(Signals.SIGHUP, main, 0),
                new Action.SignalAll(Signals.SIGQUIT, main, 0)), fx.signals());
    }

    @Test
    void killModeProcessSignalsOnlyTheMainProcess() {
        ServiceMachine m = machine(simple().killMode(KillMode.PROCESS).killSignal(Signals.SIGINT));
        m.start();
        fx.others.add(9999);
        int main = m.mainPid();
        m.stop();
        assertEquals(List.of(new Action.Signal(main, Signals.SIGINT)), fx.signals());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGINT, false));
        assertEquals(ServiceState.DEAD, m.state()); // leftovers are not waited for with KillMode=process
    }

    @Test
    void killModeMixedSendsKillSignalToMainAndSigkillToAll() {
        ServiceMachine m = machine(simple().killMode(KillMode.MIXED).timeoutStopMillis(1000));
        m.start();
        int main = m.mainPid();
        fx.others.add(9999);
        m.stop();
        assertEquals(List.of(new Action.Signal(main, Signals.SIGTERM)), fx.signals());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGTERM, false));
        // the child 9999 ignores SIGTERM: polled until the timeout, then SIGKILL for everyone
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        clock.advance(1000);
        assertEquals(ServiceState.STOP_SIGKILL, m.state());
        assertEquals(new Action.SignalAll(Signals.SIGKILL, 0, 0), fx.signals().getLast());
        assertTrue(fx.actions.contains(new Action.AwaitEmpty()), "the driver is asked for the event");
        fx.others.clear();
        m.unitEmpty(); // the driver's event: the cgroup emptied
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void controlGroupModeWaitsForLeftoverChildren() {
        ServiceMachine m = machine(simple());
        m.start();
        int main = m.mainPid();
        fx.others.add(4000);
        m.stop();
        fx.exit(m, main, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(new Action.AwaitEmpty(), fx.actions.getLast(), "waits for the kernel's event, no 100 ms poll");
        fx.others.clear();
        m.unitEmpty();
        assertEquals(ServiceState.DEAD, m.state());
    }

    /** An event that says "changed" while children remain: the machine asks again and keeps waiting. */
    @Test
    void anEmptinessEventWithChildrenLeftWaitsAgain() {
        ServiceMachine m = machine(simple());
        m.start();
        fx.others.add(4000);
        fx.others.add(4001);
        m.stop();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        fx.others.remove(4000);
        fx.clear();
        m.unitEmpty();
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(List.of(new Action.AwaitEmpty()), fx.actions);
        fx.others.clear();
        m.unitEmpty();
        assertEquals(ServiceState.DEAD, m.state());
    }

    /** No event at all (a watch that could not be set): a slow safety-net look still ends the stop. */
    @Test
    void withoutAnEventTheSafetyNetEndsTheStop() {
        ServiceMachine m = machine(simple());
        m.start();
        fx.others.add(4000);
        m.stop();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        fx.others.clear();
        clock.advance(ServiceMachine.SAFETY_NET_MILLIS - 1);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        clock.advance(1);
        assertEquals(ServiceState.DEAD, m.state());
    }

    @Test
    void failedExecStopStillKillsAndFails() {
        ServiceMachine m = machine(simple().stop(Command.of("stopper")));
        m.start();
        m.stop();
        fx.exit(m, fx.lastPid(STOP), ExitStatus.exited(4));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        fx.exit(m, fx.lastPid(START), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.EXIT_CODE, m.result());
    }

    @Test
    void stopDuringStartPreKillsTheControlProcess() {
        ServiceMachine m = machine(simple().startPre(Command.of("slow")));
        m.start();
        int pre = m.controlPid();
        m.stop();
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(new Action.SignalAll(Signals.SIGTERM, 0, pre), fx.signals().getFirst());
        fx.exit(m, pre, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.DEAD, m.state());
        assertTrue(fx.spawns(START).isEmpty());
    }

    @Test
    void stoppingMessageWaitsForTheServiceToLeave() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d")));
        m.start();
        m.notify(m.mainPid(), Map.of("READY", "1"));
        m.notify(m.mainPid(), Map.of("STOPPING", "1"));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertTrue(fx.signals().isEmpty());
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        assertEquals(ServiceState.DEAD, m.state());
    }

    // ---- restart ------------------------------------------------------------------------------

    @Test
    void onFailureRestartsAfterRestartSecAndCounts() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ON_FAILURE).restartMillis(500));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(1));
        assertEquals(ServiceState.AUTO_RESTART, m.state());
        assertEquals(ActiveState.ACTIVATING, m.activeState());
        clock.advance(499);
        assertEquals(1, fx.spawns(START).size());
        clock.advance(1);
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(2, fx.spawns(START).size());
        assertEquals(1, m.restarts());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void onFailureDoesNotRestartACleanExit() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ON_FAILURE));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(0));
        assertEquals(ServiceState.DEAD, m.state());
        clock.advance(60_000);
        assertEquals(1, fx.spawns(START).size());
    }

    @Test
    void successExitStatusMakesAnExitCodeClean() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ON_FAILURE).successExitStatus(ExitStatusSet.parse("42 SIGUSR1")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(42));
        assertEquals(ServiceState.DEAD, m.state());
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGUSR1, false));
        assertEquals(ServiceState.DEAD, m.state());
    }

    @Test
    void restartPreventAndForceExitStatus() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ALWAYS)
                .restartPreventExitStatus(ExitStatusSet.parse("3"))
                .restartForceExitStatus(ExitStatusSet.parse("SIGTERM")));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(3));
        assertEquals(ServiceState.FAILED, m.state());

        ServiceMachine n = machine(simple().restart(RestartPolicy.NO).restartForceExitStatus(ExitStatusSet.parse("7")));
        n.start();
        fx.exit(n, n.mainPid(), ExitStatus.exited(7));
        assertEquals(ServiceState.AUTO_RESTART, n.state());
    }

    @Test
    void aManualStopNeverRestarts() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ALWAYS).restartMillis(10));
        m.start();
        m.stop();
        fx.exit(m, m.mainPid(), ExitStatus.exited(1)); // even an unclean exit during the stop
        assertEquals(ServiceState.FAILED, m.state());
        clock.advance(60_000);
        assertEquals(1, fx.spawns(START).size());
    }

    @Test
    void stopDuringAutoRestartCancelsIt() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ALWAYS).restartMillis(1000));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(1));
        m.stop();
        assertEquals(ServiceState.DEAD, m.state());
        clock.advance(60_000);
        assertEquals(1, fx.spawns(START).size());
    }

    @Test
    void startLimitHitFailsTheUnitAndStopsRestarting() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ALWAYS).restartMillis(100)
                .startLimitBurst(3).startLimitIntervalMillis(10_000));
        m.start();
        for (int i = 0; i < 3; i++) {
            fx.exit(m, m.mainPid(), ExitStatus.exited(1));
            clock.advance(100);
        }
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.START_LIMIT_HIT, m.result());
        assertEquals(3, fx.spawns(START).size());
        clock.advance(60_000);
        assertEquals(3, fx.spawns(START).size());
        m.start(); // the interval has passed: a manual start is allowed again
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void resetFailedClearsTheStartLimit() {
        ServiceMachine m = machine(simple().startLimitBurst(1).startLimitIntervalMillis(10_000));
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(1));
        m.start();
        assertEquals(ServiceResult.START_LIMIT_HIT, m.result());
        m.resetFailed();
        assertEquals(ServiceState.DEAD, m.state());
        m.start();
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void restartDelaysClimbWithRestartSteps() {
        ServiceMachine m = machine(simple().restart(RestartPolicy.ON_FAILURE).restartMillis(100)
                .restartSteps(3).restartMaxDelayMillis(10_000).startLimitBurst(0));
        m.start();
        long[] delays = new long[5];
        for (int i = 0; i < 5; i++) {
            fx.exit(m, m.mainPid(), ExitStatus.exited(1));
            long scheduled = clock.millis();
            delays[i] = clock.nextDeadline() - scheduled;
            clock.fireNext();
        }
        // 100 · 100^(i/3): 100, 464, 2154, then the maximum
        assertEquals(100, delays[0]);
        assertEquals(464, delays[1]);
        assertEquals(2154, delays[2]);
        assertEquals(10_000, delays[3]);
        assertEquals(10_000, delays[4]);
    }

    @Test
    void restartCommandStopsThenStarts() {
        ServiceMachine m = machine(simple());
        m.start();
        int first = m.mainPid();
        m.restart();
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        fx.exit(m, first, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(2, fx.spawns(START).size());
    }

    @Test
    void startWhileStoppingStartsAfterTheStop() {
        ServiceMachine m = machine(simple());
        m.start();
        int first = m.mainPid();
        m.stop();
        m.start();
        fx.exit(m, first, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void timeoutRestartsOnlyWhenTheTableSaysSo() {
        ServiceMachine m = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("d"))
                .timeoutStartMillis(1000).restart(RestartPolicy.ON_ABNORMAL));
        m.start();
        clock.advance(1000);
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.AUTO_RESTART, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    // ---- watchdog and reload ------------------------------------------------------------------

    @Test
    void watchdogKillsWithSigabrtWhenPingsStop() {
        ServiceMachine m = machine(ServiceConfig.builder("w.service", ServiceType.NOTIFY).start(Command.of("d"))
                .watchdogMillis(1000).restart(RestartPolicy.ON_WATCHDOG));
        m.start();
        int main = m.mainPid();
        m.notify(main, Map.of("READY", "1"));
        for (int i = 0; i < 5; i++) {
            clock.advance(800);
            m.notify(main, Map.of("WATCHDOG", "1"));
        }
        assertEquals(ServiceState.RUNNING, m.state());
        clock.advance(1000);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(new Action.SignalAll(Signals.SIGABRT, main, 0), fx.signals().getFirst());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGABRT, true));
        assertEquals(ServiceResult.WATCHDOG, m.result());
        assertEquals(ServiceState.AUTO_RESTART, m.state());
    }

    @Test
    void watchdogTriggerActsAtOnce() {
        ServiceMachine m = machine(ServiceConfig.builder("w.service", ServiceType.NOTIFY).start(Command.of("d"))
                .watchdogMillis(60_000));
        m.start();
        m.notify(m.mainPid(), Map.of("READY", "1"));
        m.notify(m.mainPid(), Map.of("WATCHDOG", "trigger"));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertEquals(ServiceResult.WATCHDOG, m.result());
    }

    @Test
    void reloadRunsExecReloadAndReturnsToRunning() {
        ServiceMachine m = machine(simple().reload(Command.of("kill", "-HUP", "$MAINPID")));
        m.start();
        m.reload();
        assertEquals(ServiceState.RELOAD, m.state());
        assertEquals(ActiveState.RELOADING, m.activeState());
        assertEquals(Integer.toString(m.mainPid()), fx.spawns(RELOAD).getFirst().env().get("MAINPID"));
        fx.exit(m, fx.lastPid(RELOAD), ExitStatus.exited(1));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(ServiceResult.EXIT_CODE, m.reloadResult());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void reloadWithoutExecReloadIsRefused() {
        ServiceMachine m = machine(simple());
        IllegalStateException e = assertThrows(IllegalStateException.class, m::reload);
        assertTrue(e.getMessage().contains("not active"), e.getMessage());
        m.start();
        e = assertThrows(IllegalStateException.class, m::reload);
        assertTrue(e.getMessage().contains("ExecReload"), e.getMessage());
    }

    @Test
    void unknownPidsAreNotClaimed() {
        ServiceMachine m = machine(simple());
        m.start();
        assertFalse(m.processExited(123456, ExitStatus.exited(0)));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void startTimeoutInStartPreKillsAndFails() {
        ServiceMachine m = machine(simple().startPre(Command.of("hang")).timeoutStartMillis(3000).timeoutStopMillis(1000));
        m.start();
        int pre = m.controlPid();
        clock.advance(3000);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        clock.advance(1000);
        assertEquals(ServiceState.STOP_SIGKILL, m.state());
        fx.exit(m, pre, ExitStatus.killed(Signals.SIGKILL, false));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void configRejectsNonsense() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfig.builder("x.service", ServiceType.SIMPLE).build());
        assertTrue(e.getMessage().contains("ExecStart"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfig.builder("x.service", ServiceType.SIMPLE).start(Command.of("a"), Command.of("b")).build());
        assertTrue(e.getMessage().contains("more than one"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfig.builder("x.service", ServiceType.ONESHOT).restart(RestartPolicy.ALWAYS).build());
        assertTrue(e.getMessage().contains("Restart=always"), e.getMessage());
    }
}
