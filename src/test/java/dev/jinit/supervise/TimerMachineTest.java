package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jinit.unit.CalendarSpec;
import dev.jinit.unit.TimerUnit;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The timer state machine on a fake monotonic clock and a fake wall clock that move together (or not). */
class TimerMachineTest {
    private final FakeClock clock = new FakeClock();
    /** Wall time = this offset + the fake monotonic time (a test may move it alone: a clock set). */
    private long wallOffset = Instant.parse("2026-12-04T18:30:00Z").toEpochMilli() - clock.millis();
    private final List<String> elapses = new ArrayList<>();
    private boolean unitDown = true;
    private long unitActivated = -1, unitDeactivated = -1;
    private final Map<String, Instant> stampStore = new HashMap<>();
    private final List<Runnable> later = new ArrayList<>();

    private final TimerMachine.Stamps stamps = new TimerMachine.Stamps() {
        @Override
        public void load(String timer, Consumer<Instant> answer) {
            later.add(() -> answer.accept(stampStore.get(timer)));
        }

        @Override
        public void save(String timer, Instant at) {
            stampStore.put(timer, at);
        }
    };

    private TimerMachine timer(TimerUnit.Timer config) {
        return new TimerMachine("t.timer", config, clock, () -> wallOffset + clock.millis(), ZoneOffset.UTC, clock.millis(),
                new Random(1), stamps, new TimerMachine.Host() {
            @Override
            public void elapse(TimerMachine t) {
                elapses.add(Instant.ofEpochMilli(wallOffset + clock.millis()).toString());
            }

            @Override
            public void changed(TimerMachine t, TimerMachine.State old) { }

            @Override
            public long unitActivated(String unit) {
                return unitActivated;
            }

            @Override
            public long unitDeactivated(String unit) {
                return unitDeactivated;
            }

            @Override
            public boolean unitDown(String unit) {
                return unitDown;
            }
        });
    }

    private static TimerUnit.Timer config(List<Duration> onActive, List<Duration> onUnitActive, List<String> calendar,
                                          boolean persistent, Duration randomized) {
        return new TimerUnit.Timer(onActive, List.of(), List.of(), onUnitActive, List.of(),
                calendar.stream().map(CalendarSpec::parse).toList(), Duration.ofMinutes(1), randomized, false, persistent,
                false, true, "t.service");
    }

    private void runLater() {
        List<Runnable> l = List.copyOf(later);
        later.clear();
        l.forEach(Runnable::run);
    }

    @Test
    void onActiveFiresOnceThenTheTimerHasElapsed() {
        TimerMachine t = timer(config(List.of(Duration.ofSeconds(1)), List.of(), List.of(), false, Duration.ZERO));
        t.start();
        assertEquals(TimerMachine.State.WAITING, t.state());
        assertEquals(Instant.parse("2026-12-04T18:30:01Z"), t.nextElapse());
        clock.advance(999);
        assertEquals(List.of(), elapses);
        clock.advance(1);
        assertEquals(List.of("2026-12-04T18:30:01Z"), elapses);
        assertEquals(TimerMachine.State.RUNNING, t.state());
        // The unit ran and is down again: the one-time trigger is used up.
        t.startAnswered();
        assertEquals(TimerMachine.State.ELAPSED, t.state());
        assertNull(t.nextElapse());
        assertEquals(Instant.parse("2026-12-04T18:30:01Z"), t.lastTrigger());
        clock.advance(3_600_000);
        assertEquals(1, elapses.size());
    }

    @Test
    void onUnitActiveRepeatsFromTheUnitsLastActivationAndWaitsWhileItRuns() {
        TimerMachine t = timer(config(List.of(Duration.ofSeconds(10)), List.of(Duration.ofMinutes(1)), List.of(), false, Duration.ZERO));
        t.start();
        clock.advance(10_000);
        assertEquals(1, elapses.size());
        unitDown = false;
        unitActivated = clock.millis();
        t.startAnswered();
        assertEquals(TimerMachine.State.RUNNING, t.state(), "waits while its unit runs");
        clock.advance(120_000);
        assertEquals(1, elapses.size(), "nothing fires while the unit is still up");
        unitDown = true;
        unitDeactivated = clock.millis();
        t.unitChanged();
        // The unit was activated 120 s ago: OnUnitActiveSec=1min is overdue and fires at once.
        assertEquals(TimerMachine.State.WAITING, t.state());
        clock.advance(0);
        assertEquals(2, elapses.size());
        unitActivated = clock.millis();
        t.startAnswered();
        clock.advance(59_999);
        assertEquals(2, elapses.size());
        clock.advance(1);
        assertEquals(3, elapses.size());
    }

    @Test
    void calendarFiresOnTheWallClockAndIgnoresAClockSetBack() {
        TimerMachine t = timer(config(List.of(), List.of(), List.of("*-*-* 18:35:00"), false, Duration.ZERO));
        t.start();
        assertEquals(Instant.parse("2026-12-04T18:35:00Z"), t.nextElapse());
        clock.advance(120_000);
        wallOffset -= 3_600_000; // the wall clock is set back an hour: 17:32 now
        clock.advance(180_000);
        assertEquals(List.of(), elapses, "18:35 has not come on the wall clock");
        clock.advance(3_600_000);
        assertEquals(List.of("2026-12-04T18:35:00Z"), elapses);
        t.startAnswered();
        assertEquals(Instant.parse("2026-12-05T18:35:00Z"), t.nextElapse());
    }

    @Test
    void persistentTimerCatchesUpAMissedElapseFromItsStamp() {
        stampStore.put("t.timer", Instant.parse("2026-12-03T06:00:00Z"));
        TimerMachine t = timer(config(List.of(), List.of(), List.of("*-*-* 06:00"), true, Duration.ZERO));
        t.start();
        assertNull(t.nextElapse(), "nothing is armed before the stamp is read");
        runLater();
        // The elapse of 2026-12-04 06:00 was missed (jinit was down): it fires now.
        assertEquals(Instant.parse("2026-12-04T06:00:00Z"), t.nextElapse());
        clock.advance(0);
        assertEquals(List.of("2026-12-04T18:30:00Z"), elapses);
        assertEquals(Instant.parse("2026-12-04T18:30:00Z"), stampStore.get("t.timer"));
        t.startAnswered();
        assertEquals(Instant.parse("2026-12-05T06:00:00Z"), t.nextElapse());
        // Without a stamp a persistent timer counts from its start, like any other.
        stampStore.clear();
        t.stop();
        t.start();
        runLater();
        assertEquals(Instant.parse("2026-12-05T06:00:00Z"), t.nextElapse());
    }

    @Test
    void randomizedDelayStaysWithinItsBoundAndStopDisarms() {
        TimerMachine t = timer(config(List.of(), List.of(), List.of("*-*-* 19:00"), false, Duration.ofMinutes(30)));
        t.start();
        Instant next = t.nextElapse();
        Instant base = Instant.parse("2026-12-04T19:00:00Z");
        assertEquals(true, !next.isBefore(base) && next.isBefore(base.plus(Duration.ofMinutes(30))), next.toString());
        t.stop();
        assertEquals(TimerMachine.State.DEAD, t.state());
        clock.advance(7_200_000);
        assertEquals(List.of(), elapses);
    }
}
