package dev.jinit.unit;

import java.time.Duration;
import java.util.List;

/**
 * A {@code .timer} (systemd.timer(5)): [Unit] and [Install] in {@link #info}, [Timer] in {@link #timer}.
 * Starting the timer arms it; when it elapses it starts {@link Timer#unit()}.
 */
public record TimerUnit(UnitInfo info, Timer timer) implements Unit {

    /**
     * The [Timer] section.
     *
     * @param onActive          OnActiveSec=: after the timer itself was activated
     * @param onBoot            OnBootSec=: after the machine booted (jinit's start in run mode)
     * @param onStartup         OnStartupSec=: after the manager started
     * @param onUnitActive      OnUnitActiveSec=: after the unit it activates was last activated
     * @param onUnitInactive    OnUnitInactiveSec=: after the unit it activates was last deactivated
     * @param onCalendar        OnCalendar=: wall-clock events
     * @param accuracy          AccuracySec= (default 1 min): how late the timer may fire to coalesce wake-ups
     * @param randomizedDelay   RandomizedDelaySec=: a random delay in [0, this) added to each elapse
     * @param fixedRandomDelay  FixedRandomDelay=: the random delay is the same for this timer on every elapse
     * @param persistent        Persistent=: the last trigger is kept on disk; a missed calendar elapse fires at start
     * @param wakeSystem        WakeSystem= (accepted; jinit never wakes a suspended machine)
     * @param remainAfterElapse RemainAfterElapse= (default yes): the timer stays active after it elapsed once
     * @param unit              Unit=: the unit started on elapse (default: the timer's name with .service)
     */
    public record Timer(List<Duration> onActive, List<Duration> onBoot, List<Duration> onStartup,
                        List<Duration> onUnitActive, List<Duration> onUnitInactive, List<CalendarSpec> onCalendar,
                        Duration accuracy, Duration randomizedDelay, boolean fixedRandomDelay, boolean persistent,
                        boolean wakeSystem, boolean remainAfterElapse, String unit) {
        public Timer {
            onActive = List.copyOf(onActive);
            onBoot = List.copyOf(onBoot);
            onStartup = List.copyOf(onStartup);
            onUnitActive = List.copyOf(onUnitActive);
            onUnitInactive = List.copyOf(onUnitInactive);
            onCalendar = List.copyOf(onCalendar);
        }

        /** Whether any trigger is set at all (systemd refuses a timer without one). */
        public boolean hasTriggers() {
            return !onActive.isEmpty() || !onBoot.isEmpty() || !onStartup.isEmpty() || !onUnitActive.isEmpty()
                    || !onUnitInactive.isEmpty() || !onCalendar.isEmpty();
        }
    }
}
