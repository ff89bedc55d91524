package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class ServiceMachineProperties {
    /** One thing that can happen to a running machine. */
    sealed interface Step {}
    record MainExit(int code, int signal) implements Step {}
    record ControlExit(int code) implements Step {}
    record Advance(long millis) implements Step {}
    record Notify(String key, String value) implements Step {}
    record Start() implements Step {}
    record Reload() implements Step {}
    /** The system bus reports BusName= owned or released (Type=dbus reacts; the others ignore it). */
    record BusOwner(boolean owned) implements Step {}
    /** RELOADING=1 stamped MONOTONIC_USEC= at the fake monotonic clock (after any signal the machine sent). */
    record StampedReloading() implements Step {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 3).flatMap(code -> Arbitraries.of(0, Signals.SIGTERM, Signals.SIGKILL, Signals.SIGSEGV)
                        .map(sig -> (Step) new MainExit(code, sig))),
                Arbitraries.integers().between(0, 2).map(c -> (Step) new ControlExit(c)),
                Arbitraries.longs().between(0, 5_000).map(ms -> (Step) new Advance(ms)),
                Arbitraries.of(new Notify("READY", "1"), new Notify("WATCHDOG", "1"), new Notify("STOPPING", "1"),
                        new Notify("WATCHDOG", "trigger"), new Notify("EXTEND_TIMEOUT_USEC", "500000")).map(n -> (Step) n),
                Arbitraries.just(new Reload()),
                Arbitraries.of(new BusOwner(true), new BusOwner(false), new StampedReloading()).map(x -> (Step) x));
        return step.list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<ServiceConfig> configs() {
        return Arbitraries.of(ServiceType.values()).flatMap(type -> Arbitraries.of(RestartPolicy.values())
                .filter(r -> type != ServiceType.ONESHOT || r != RestartPolicy.ALWAYS && r != RestartPolicy.ON_SUCCESS)
                .flatMap(restart -> Arbitraries.of(KillMode.values()).map(kill -> {
                    ServiceConfig.Builder b = ServiceConfig.builder("p.service", type).start(Command.of("main"))
                            .restart(restart).restartMillis(100).killMode(kill).timeoutStartMillis(2000)
                            .timeoutStopMillis(1000).watchdogMillis(type.isNotify() ? 1500 : 0)
                            .startPre(Command.of("pre")).stop(Command.of("stop")).stopPost(Command.of("post"))
                            .reload(Command.of("reload")).startLimitBurst(0);
                    if (type == ServiceType.FORKING) b.pidFile(java.nio.file.Path.of("/run/p.pid"));
                    if (type == ServiceType.DBUS) b.busName("org.example.P");
                    return b.build();
                })));
    }

    private static void apply(ServiceMachine m, Recorder fx, FakeClock clock, Step s) {
        switch (s) {
            case MainExit e -> {
                if (m.mainPid() != 0)
                    fx.exit(m, m.mainPid(), e.signal() == 0 ? ExitStatus.exited(e.code()) : ExitStatus.killed(e.signal(), false));
            }
            case ControlExit e -> {
                if (m.controlPid() != 0) fx.exit(m, m.controlPid(), ExitStatus.exited(e.code()));
            }
            case Advance a -> clock.advance(a.millis());
            case Notify n -> {
                if (m.mainPid() != 0) m.notify(m.mainPid(), Map.of(n.key(), n.value()));
            }
            case Start ignored -> m.start();
            case BusOwner b -> m.busNameOwner(b.owned() ? ":1.5" : null);
            case StampedReloading ignored -> {
                if (m.mainPid() != 0)
                    m.notify(m.mainPid(), Map.of("RELOADING", "1", "MONOTONIC_USEC", Long.toString(fx.monotonicMicros())));
            }
            case Reload ignored -> {
                try {
                    m.reload();
                } catch (IllegalStateException expected) {
                    // not active or not reloadable right now: that is the answer
                }
            }
        }
    }

    /** Lets every process exit and every timer fire until the machine settles. */
    private static void settle(ServiceMachine m, Recorder fx, FakeClock clock) {
        for (int i = 0; i < 1000; i++) {
            if (m.controlPid() != 0) fx.exit(m, m.controlPid(), ExitStatus.exited(0));
            else if (m.mainPid() != 0) fx.exit(m, m.mainPid(), ExitStatus.killed(Signals.SIGTERM, false));
            else if (!clock.fireNext()) return;
        }
        throw new AssertionError("machine never settled: " + m.state());
    }

    @Property(tries = 300)
    boolean aStoppedUnitNeverRestarts(@ForAll("configs") ServiceConfig config, @ForAll("steps") List<Step> before,
                                      @ForAll("steps") List<Step> after) {
        FakeClock clock = new FakeClock();
        Recorder fx = new Recorder();
        fx.pidFiles.put(java.nio.file.Path.of("/run/p.pid"), 5000);
        ServiceMachine m = fx.drive(config, clock);
        m.start();
        for (Step s : before) apply(m, fx, clock, s);
        m.stop();
        fx.pidFiles.clear();
        int startsBefore = fx.spawns(ServiceConfig.Role.START_PRE).size() + fx.spawns(ServiceConfig.Role.START).size();
        for (Step s : after) apply(m, fx, clock, s);
        settle(m, fx, clock);
        int startsAfter = fx.spawns(ServiceConfig.Role.START_PRE).size() + fx.spawns(ServiceConfig.Role.START).size();
        return startsAfter == startsBefore && m.state().isInactive();
    }

    @Property(tries = 300)
    void everyRunEndsInactiveOrRestartingAndNeverLeaksTimers(@ForAll("configs") ServiceConfig config,
                                                            @ForAll("steps") List<Step> steps) {
        FakeClock clock = new FakeClock();
        Recorder fx = new Recorder();
        ServiceMachine m = fx.drive(config, clock);
        m.start();
        for (Step s : steps) apply(m, fx, clock, s);
        m.stop();
        settle(m, fx, clock);
        assertTrue(m.state().isInactive(), m.state().toString());
        assertEquals(List.of(), m.armedTimers());
        assertEquals(0, m.mainPid());
        assertEquals(0, m.controlPid());
    }

    @Property
    void restartDelaysAreMonotonicAndBounded(@ForAll @LongRange(min = 1, max = 100_000) long restart,
                                             @ForAll @IntRange(min = 0, max = 20) int steps,
                                             @ForAll @LongRange(min = 0, max = 1_000_000) long max) {
        long previous = 0;
        for (int n = 1; n <= steps + 3; n++) {
            long d = RestartRules.restartDelay(restart, steps, max, n);
            assertTrue(d >= previous, "delay " + n + " = " + d + " < " + previous);
            assertTrue(d >= restart, "below RestartSec");
            if (max > restart) assertTrue(d <= max, "above RestartMaxDelaySec");
            previous = d;
        }
        if (steps > 0 && max > restart) assertEquals(max, RestartRules.restartDelay(restart, steps, max, steps + 1));
    }

    @Property
    void startLimitTriggersExactlyAtBurstPlusOne(@ForAll @IntRange(min = 1, max = 20) int burst,
                                                 @ForAll @LongRange(min = 1, max = 60_000) long interval,
                                                 @ForAll("gaps") List<Long> gaps) {
        StartLimit limit = new StartLimit(interval, burst);
        long now = 0;
        List<Long> window = new ArrayList<>();
        for (long gap : gaps) {
            now += gap;
            boolean allowed = limit.tryStart(now);
            // the model: a window opens at the first start after the previous one expired
            if (window.isEmpty() || now - window.getFirst() > interval) window.clear();
            window.add(now);
            assertEquals(window.size() <= burst, allowed, "start " + window.size() + " in window");
        }
    }

    @Provide
    Arbitrary<List<Long>> gaps() {
        return Arbitraries.longs().between(0, 20_000).list().ofMaxSize(60);
    }

    @Property(tries = 200)
    void restartCounterCountsAutomaticRestartsOnly(@ForAll @IntRange(min = 1, max = 15) int failures) {
        FakeClock clock = new FakeClock();
        Recorder fx = new Recorder();
        ServiceMachine m = fx.drive(ServiceConfig.builder("c.service", ServiceType.SIMPLE)
                .start(Command.of("x")).restart(RestartPolicy.ON_FAILURE).startLimitBurst(0).build(), clock);
        m.start();
        for (int i = 0; i < failures; i++) {
            fx.exit(m, m.mainPid(), ExitStatus.exited(1));
            clock.fireNext();
        }
        assertEquals(failures, m.restarts());
        m.restart();
        fx.exit(m, fx.started.get(fx.started.size() - 1).pid(), ExitStatus.killed(Signals.SIGTERM, false));
        assertEquals(ServiceState.RUNNING, m.state());
        assertEquals(0, m.restarts());
    }
}
