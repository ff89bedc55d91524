package dev.jinit.supervise;

import dev.jinit.state.ActiveState;
import dev.jinit.unit.CalendarSpec;
import dev.jinit.unit.TimerUnit;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One {@code .timer} unit's state, as systemd's timer.c keeps it: {@code dead} until started; {@code waiting} with
 * the next elapse armed on the manager's {@link Clock}; {@code running} from an elapse until the unit it activates
 * is down again; {@code elapsed} when no trigger will ever come again (RemainAfterElapse=yes); {@code failed} when
 * the unit could not be started. Owned by the manager thread.
 *
 * <p>Monotonic triggers (OnActiveSec=, OnBootSec=, OnStartupSec=, OnUnitActiveSec=, OnUnitInactiveSec=) are
 * measured on the clock's milliseconds; OnActiveSec=, OnBootSec= and OnStartupSec= fire once, as in systemd (a
 * trigger already passed by the last one is disabled). Calendar triggers are computed on the wall clock from the
 * last trigger (or, the first time, from when the timer was started) and armed as the monotonic time left; the
 * wall clock is checked again when the clock fires, so a wall clock set back fires nothing early, and an armed
 * wait is never longer than {@link #MAX_SLEEP_MILLIS}, so a clock set forward is noticed. With Persistent=yes the
 * last trigger is kept in a stamp (through {@link Stamps}) and read at start: a calendar elapse missed while jinit
 * was down fires at once.
 */
public final class TimerMachine {
    /** The longest wait armed at once for a calendar elapse: a wall clock changed meanwhile is seen by then. */
    static final long MAX_SLEEP_MILLIS = 60_000;

    /** systemd's sub-states of a timer. */
    public enum State {
        DEAD("dead", ActiveState.INACTIVE), WAITING("waiting", ActiveState.ACTIVE), RUNNING("running", ActiveState.ACTIVE),
        ELAPSED("elapsed", ActiveState.ACTIVE), FAILED("failed", ActiveState.FAILED);

        final String word;
        final ActiveState active;

        State(String word, ActiveState active) {
            this.word = word;
            this.active = active;
        }
    }

    /** Where Persistent= timers keep their last trigger. Answers arrive on the manager thread. */
    public interface Stamps {
        /** The last trigger of {@code timer}, or null when there is none, given to {@code answer} later. */
        void load(String timer, Consumer<Instant> answer);

        void save(String timer, Instant at);

        /** No persistence at all (tests, or no state base). */
        Stamps NONE = new Stamps() {
            @Override
            public void load(String timer, Consumer<Instant> answer) {
                answer.accept(null);
            }

            @Override
            public void save(String timer, Instant at) { }
        };
    }

    /** What the timer asks of the manager. */
    public interface Host {
        /** Start the timer's unit (the elapse). */
        void elapse(TimerMachine timer);

        /** The timer's state changed from {@code oldState}. */
        void changed(TimerMachine timer, State oldState);

        /**
         * Monotonic milliseconds of the activated unit's last activation and deactivation (-1 when never),
         * for OnUnitActiveSec=/OnUnitInactiveSec=.
         */
        long unitActivated(String unit);

        long unitDeactivated(String unit);

        /** Whether the activated unit is down (inactive or failed). */
        boolean unitDown(String unit);
    }

    private final String name;
    private final TimerUnit.Timer config;
    private final Clock clock;
    private final LongSupplier wallMillis;
    private final ZoneId zone;
    private final long startupMillis;
    private final Random random;
    private final Stamps stamps;
    private final Host host;

    private State state = State.DEAD;
    private Clock.Timer armed;
    /** Monotonic time the timer was last started. */
    private long activatedMillis;
    /** The last elapse: monotonic and wall time; -1 / null when none. */
    private long lastTriggerMillis = -1;
    private Instant lastTrigger;
    /** The next elapse as a wall time (for list-timers), and as a monotonic deadline, or null / -1. */
    private Instant nextElapse;
    private long nextMillis = -1;
    /** A wall time the armed wait is for (a calendar elapse), or null for a monotonic one. */
    private Instant nextWall;
    /** Waiting for the stamp of a Persistent= timer. */
    private boolean loadingStamp;
    /** Incremented by every start and stop, so an answer for an earlier start is dropped. */
    private long generation;

    public TimerMachine(String name, TimerUnit.Timer config, Clock clock, LongSupplier wallMillis, ZoneId zone,
                        long startupMillis, Random random, Stamps stamps, Host host) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.wallMillis = wallMillis;
        this.zone = zone;
        this.startupMillis = startupMillis;
        this.random = random;
        this.stamps = stamps;
        this.host = host;
    }

    public String name() {
        return name;
    }

    public TimerUnit.Timer config() {
        return config;
    }

    public State state() {
        return state;
    }

    /** When the timer elapses next (wall time), or null when it is not waiting for anything. */
    public Instant nextElapse() {
        return nextElapse;
    }

    /** When it last elapsed (wall time), or null. */
    public Instant lastTrigger() {
        return lastTrigger;
    }

    public boolean isInactive() {
        return state == State.DEAD || state == State.FAILED;
    }

    /** Starts (arms) the timer; a Persistent= timer first reads its stamp. */
    public void start() {
        if (!isInactive()) return;
        generation++;
        activatedMillis = clock.millis();
        set(State.WAITING);
        if (config.persistent()) {
            loadingStamp = true;
            long g = generation;
            stamps.load(name, at -> {
                if (g != generation) return;
                loadingStamp = false;
                if (at != null && (lastTrigger == null || at.isAfter(lastTrigger))) {
                    lastTrigger = at;
                    // Only the wall time of a trigger before this start is known: monotonic triggers treat it as old.
                    lastTriggerMillis = Math.min(activatedMillis, clock.millis() - Math.max(0, wallMillis.getAsLong() - at.toEpochMilli()));
                }
                arm();
            });
            return;
        }
        arm();
    }

    public void stop() {
        generation++;
        cancel();
        loadingStamp = false;
        nextElapse = null;
        set(State.DEAD);
    }

    /** reset-failed. */
    public void resetFailed() {
        if (state == State.FAILED) set(State.DEAD);
    }

    /** The unit it activates changed state: a running timer waits again once the unit is down. */
    public void unitChanged() {
        if (state == State.RUNNING && !pendingStart && host.unitDown(config.unit())) {
            set(State.WAITING);
            arm();
        } else if (state == State.WAITING || state == State.ELAPSED) {
            // OnUnitActiveSec=/OnUnitInactiveSec= count from the unit's own changes.
            if (!config.onUnitActive().isEmpty() || !config.onUnitInactive().isEmpty()) {
                if (state == State.ELAPSED) set(State.WAITING);
                arm();
            }
        }
    }

    /** The start of the unit could not even be queued (not found, not loaded): the timer fails, as systemd's does. */
    public void elapseFailed() {
        pendingStart = false;
        cancel();
        nextElapse = null;
        set(State.FAILED);
    }

    private void cancel() {
        if (armed != null) armed.cancel();
        armed = null;
        nextMillis = -1;
        nextWall = null;
    }

    /** Computes the next elapse and arms the clock for it; without one the timer has elapsed for good. */
    void arm() {
        cancel();
        if (loadingStamp || state != State.WAITING) return;
        long now = clock.millis();
        long wallNow = wallMillis.getAsLong();
        long best = Long.MAX_VALUE;
        Instant bestWall = null;
        // One-time triggers: disabled once a trigger happened at or after their time (systemd's v->disabled).
        for (Duration d : config.onActive()) best = minOnce(best, activatedMillis + d.toMillis());
        for (Duration d : config.onBoot()) best = minOnce(best, d.toMillis());
        for (Duration d : config.onStartup()) best = minOnce(best, startupMillis + d.toMillis());
        long activated = host.unitActivated(config.unit()), deactivated = host.unitDeactivated(config.unit());
        for (Duration d : config.onUnitActive()) if (activated >= 0) best = Math.min(best, activated + d.toMillis());
        for (Duration d : config.onUnitInactive()) if (deactivated >= 0) best = Math.min(best, deactivated + d.toMillis());
        long monoBest = best;
        // Calendar: from the last trigger, or from the start when there was none.
        Instant base = lastTrigger != null ? lastTrigger : Instant.ofEpochMilli(wallNow - (now - activatedMillis));
        for (CalendarSpec c : config.onCalendar()) {
            Optional<Instant> n = c.next(base, zone);
            if (n.isEmpty()) continue;
            long at = now + (n.get().toEpochMilli() - wallNow);
            if (bestWall == null || n.get().isBefore(bestWall)) bestWall = n.get();
            best = Math.min(best, at);
        }
        if (best == Long.MAX_VALUE) {
            nextElapse = null;
            if (config.remainAfterElapse()) set(State.ELAPSED);
            else set(State.DEAD);
            return;
        }
        long delay = randomDelay();
        boolean calendar = monoBest > best || (monoBest == Long.MAX_VALUE);
        nextMillis = best + delay;
        nextWall = calendar && bestWall != null ? bestWall.plusMillis(delay) : null;
        nextElapse = nextWall != null ? nextWall : Instant.ofEpochMilli(wallNow + (nextMillis - now));
        armAt(nextMillis);
    }

    private long minOnce(long best, long at) {
        if (lastTriggerMillis >= 0 && at <= lastTriggerMillis) return best;
        return Math.min(best, at);
    }

    private long randomDelay() {
        long max = config.randomizedDelay().toMillis();
        if (max <= 0) return 0;
        if (config.fixedRandomDelay()) return Math.floorMod((long) name.hashCode() * 2654435761L, max);
        return (long) (random.nextDouble() * max);
    }

    private void armAt(long deadline) {
        long now = clock.millis();
        long at = nextWall != null ? Math.min(deadline, now + MAX_SLEEP_MILLIS) : deadline;
        long g = generation;
        armed = clock.schedule(Math.max(at, now), () -> {
            if (g != generation || state != State.WAITING) return;
            armed = null;
            if (nextWall != null && wallMillis.getAsLong() < nextWall.toEpochMilli()) {
                // A calendar elapse not reached on the wall clock yet (a long wait in steps, or the clock was set back).
                long left = nextWall.toEpochMilli() - wallMillis.getAsLong();
                nextMillis = clock.millis() + left;
                armAt(nextMillis);
                return;
            }
            fire();
        });
    }

    private void fire() {
        lastTriggerMillis = clock.millis();
        lastTrigger = Instant.ofEpochMilli(wallMillis.getAsLong());
        nextElapse = null;
        nextMillis = -1;
        nextWall = null;
        if (config.persistent()) stamps.save(name, lastTrigger);
        set(State.RUNNING);
        pendingStart = true;
        host.elapse(this);
    }

    /** The start queued on elapse is not answered yet. */
    private boolean pendingStart;

    /** The start queued on elapse was answered (the host calls this from a later event, never from elapse itself). */
    public void startAnswered() {
        pendingStart = false;
        unitChanged();
    }

    private void set(State s) {
        if (s == state) return;
        State old = state;
        state = s;
        host.changed(this, old);
    }
}
