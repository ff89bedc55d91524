package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Type=dbus and Type=notify-reload in the service state machine, as systemd's service.c runs them. */
class DbusAndNotifyReloadTest {
    final FakeClock clock = new FakeClock();
    final Recorder fx = new Recorder();

    ServiceMachine machine(ServiceConfig.Builder b) {
        return fx.drive(b.build(), clock);
    }

    static ServiceConfig.Builder dbus() {
        return ServiceConfig.builder("avahi.service", ServiceType.DBUS).start(Command.of("/usr/sbin/avahi-daemon", "-s"))
                .busName("org.freedesktop.Avahi");
    }

    static ServiceConfig.Builder notifyReload() {
        return ServiceConfig.builder("nr.service", ServiceType.NOTIFY_RELOAD).start(Command.of("/bin/d"));
    }

    // ---- Type=dbus ----------------------------------------------------------------------------

    @Test
    void dbusNeedsABusName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfig.builder("x.service", ServiceType.DBUS).start(Command.of("/bin/x")).build());
        assertTrue(e.getMessage().contains("BusName="), e.getMessage());
    }

    @Test
    void dbusIsActivatingUntilItsNameIsAcquired() {
        ServiceMachine m = machine(dbus());
        m.start();
        assertTrue(fx.actions.contains(new Action.WatchBusName("org.freedesktop.Avahi")), fx.actions.toString());
        assertEquals(ServiceState.START, m.state());
        assertTrue(m.mainPid() != 0);
        m.busNameOwner(null); // the first answer: nobody owns it yet
        assertEquals(ServiceState.START, m.state());
        m.busNameOwner(":1.7");
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(fx.lastPid(ServiceConfig.Role.START), m.mainPid());
    }

    @Test
    void aNameReportedBeforeTheSpawnIsAnsweredCountsOnceItIs() {
        fx.holdSpawns = true;
        ServiceMachine m = machine(dbus());
        m.start();
        m.busNameOwner(":1.7");
        assertEquals(ServiceState.START, m.state());
        fx.answer(fx.unanswered.getFirst());
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void releasingTheNameStopsTheServiceCleanlyWithoutARestartOnFailure() {
        ServiceMachine m = machine(dbus().restart(RestartPolicy.ON_FAILURE));
        m.start();
        m.busNameOwner(":1.7");
        int main = m.mainPid();
        m.busNameOwner(null);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        assertTrue(fx.signals().contains(new Action.SignalAll(Signals.SIGTERM, main, 0)), fx.signals().toString());
        fx.exit(m, main, ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.DEAD, m.state());
        assertEquals(ServiceResult.SUCCESS, m.result());
        assertTrue(fx.logs().stream().anyMatch(l -> l.contains("org.freedesktop.Avahi released")), fx.logs().toString());
    }

    @Test
    void aNewOwnerWhileRunningChangesNothing() {
        ServiceMachine m = machine(dbus());
        m.start();
        m.busNameOwner(":1.7");
        m.busNameOwner(":1.9");
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void aMainProcessThatFailsBeforeTheNameFailsTheUnit() {
        ServiceMachine m = machine(dbus());
        m.start();
        fx.exit(m, m.mainPid(), ExitStatus.exited(1));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.EXIT_CODE, m.result());
    }

    @Test
    void aNameThatNeverComesMeetsTheStartTimeout() {
        ServiceMachine m = machine(dbus().timeoutStartMillis(5000).timeoutStopMillis(1000));
        m.start();
        m.busNameOwner(null);
        clock.advance(5000);
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.result());
    }

    @Test
    void everyStartAsksForTheOwnerAgain() {
        ServiceMachine m = machine(dbus());
        m.start();
        m.busNameOwner(":1.7");
        m.stop();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.DEAD, m.state());
        m.start();
        assertEquals(2, fx.actions.stream().filter(a -> a instanceof Action.WatchBusName).count());
        // The owner of the last run does not count for this one.
        assertEquals(ServiceState.START, m.state());
    }

    // ---- Type=notify-reload ------------------------------------------------------------------

    private ServiceMachine runningNotifyReload(ServiceConfig.Builder b) {
        ServiceMachine m = machine(b);
        m.start();
        m.notify(m.mainPid(), Map.of("READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state());
        return m;
    }

    @Test
    void reloadSendsSighupAndWaitsForAStampedReloadingThenReady() {
        ServiceMachine m = runningNotifyReload(notifyReload());
        int main = m.mainPid();
        fx.monotonic = 5_000_000;
        m.reload();
        assertEquals(List.of(new Action.Signal(main, Signals.SIGHUP), new Action.Signal(main, Signals.SIGCONT)), fx.signals());
        assertEquals(ServiceState.RELOAD_SIGNAL, m.state());
        assertEquals(ActiveState.RELOADING, m.activeState());
        // A reload that began before the signal (stamped earlier), or an unstamped one, is not the answer.
        m.notify(main, Map.of("RELOADING", "1", "MONOTONIC_USEC", "4999999"));
        m.notify(main, Map.of("RELOADING", "1"));
        assertEquals(ServiceState.RELOAD_SIGNAL, m.state());
        // READY=1 alone while the signal is unanswered does not end it either.
        m.notify(main, Map.of("READY", "1"));
        assertEquals(ServiceState.RELOAD_SIGNAL, m.state());
        m.notify(main, Map.of("RELOADING", "1", "MONOTONIC_USEC", "5000001"));
        assertEquals(ServiceState.RELOAD_NOTIFY, m.state());
        m.notify(main, Map.of("READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(ServiceResult.SUCCESS, m.reloadResult());
    }

    @Test
    void reloadSignalIsWhatTheUnitSays() {
        ServiceMachine m = runningNotifyReload(notifyReload().reloadSignal(Signals.SIGUSR1));
        m.reload();
        assertEquals(new Action.Signal(m.mainPid(), Signals.SIGUSR1), fx.signals().getFirst());
    }

    @Test
    void reloadingAndReadyTogetherAfterTheSignalEndTheReload() {
        ServiceMachine m = runningNotifyReload(notifyReload());
        m.reload();
        m.notify(m.mainPid(), Map.of("RELOADING", "1", "READY", "1", "MONOTONIC_USEC", Long.toString(fx.monotonic)));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void anUnansweredReloadSignalTimesOutAndTheServiceRunsOn() {
        ServiceMachine m = runningNotifyReload(notifyReload().timeoutStartMillis(3000));
        m.reload();
        clock.advance(3000);
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(ServiceResult.TIMEOUT, m.reloadResult());
        assertEquals(ServiceResult.SUCCESS, m.result());
    }

    @Test
    void aReloadTheServiceBeginsByItselfWaitsForReady() {
        ServiceMachine m = runningNotifyReload(notifyReload());
        m.notify(m.mainPid(), Map.of("RELOADING", "1"));
        assertEquals(ServiceState.RELOAD_NOTIFY, m.state());
        m.notify(m.mainPid(), Map.of("READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void withExecReloadTheCommandRunsAndAReloadingSaidMeanwhileWaitsForReady() {
        ServiceMachine m = runningNotifyReload(notifyReload().reload(Command.of("/bin/reload-helper")));
        m.reload();
        assertEquals(ServiceState.RELOAD, m.state());
        m.notify(m.mainPid(), Map.of("RELOADING", "1", "MONOTONIC_USEC", Long.toString(fx.monotonic)));
        assertEquals(ServiceState.RELOAD, m.state());
        fx.exit(m, fx.lastPid(ServiceConfig.Role.RELOAD), ExitStatus.exited(0));
        assertEquals(ServiceState.RELOAD_NOTIFY, m.state());
        m.notify(m.mainPid(), Map.of("READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state());
    }

    @Test
    void stoppingWinsOverReadyAndReadyOverReloading() {
        ServiceMachine m = runningNotifyReload(notifyReload());
        m.notify(m.mainPid(), Map.of("RELOADING", "1", "READY", "1"));
        assertEquals(ServiceState.RUNNING, m.state()); // READY wins: no reload began
        m.notify(m.mainPid(), Map.of("READY", "1", "STOPPING", "1"));
        assertEquals(ServiceState.STOP_SIGTERM, m.state());
    }

    @Test
    void aBadMonotonicStampIsLoggedAndIgnored() {
        ServiceMachine m = runningNotifyReload(notifyReload());
        m.reload();
        m.notify(m.mainPid(), Map.of("RELOADING", "1", "MONOTONIC_USEC", "soon"));
        assertEquals(ServiceState.RELOAD_SIGNAL, m.state());
        assertTrue(fx.logs().stream().anyMatch(l -> l.contains("MONOTONIC_USEC=") && l.contains("soon")), fx.logs().toString());
    }

    @Test
    void aMainProcessThatDiesDuringTheReloadEndsIt() {
        ServiceMachine m = runningNotifyReload(notifyReload().restart(RestartPolicy.NO));
        m.reload();
        fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGSEGV, true));
        assertEquals(ServiceState.FAILED, m.state());
        assertEquals(ServiceResult.CORE_DUMP, m.result());
    }

    @Test
    void notifyReloadWithoutExecReloadCanBeReloadedButPlainNotifyCannot() {
        ServiceMachine plain = machine(ServiceConfig.builder("n.service", ServiceType.NOTIFY).start(Command.of("/bin/n")));
        plain.start();
        plain.notify(plain.mainPid(), Map.of("READY", "1"));
        assertThrows(IllegalStateException.class, plain::reload);
    }
}
