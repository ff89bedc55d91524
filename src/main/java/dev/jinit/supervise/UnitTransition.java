package dev.jinit.supervise;

import dev.jinit.state.ActiveState;
import java.time.Instant;
import java.util.Objects;

/**
 * One change of a unit's state, as the manager made it: published on {@link TransitionStream} for
 * every transition of every unit (services and targets), in the order they happened.
 *
 * @param sequence  1, 2, 3, … over all units: a subscriber sees gaps only where it was told of one
 * @param unit      full unit name
 * @param oldActive systemd's ACTIVE column before
 * @param newActive and after
 * @param oldSub    systemd's SUB column before ("running", "stop-sigterm", "dead", …)
 * @param newSub    and after
 * @param result    the unit's result word after the change ("success", "exit-code", "timeout", …)
 * @param at        wall-clock time of the change
 */
public record UnitTransition(long sequence, String unit, ActiveState oldActive, ActiveState newActive, String oldSub,
                             String newSub, String result, Instant at) {
    public UnitTransition {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(oldActive, "oldActive");
        Objects.requireNonNull(newActive, "newActive");
        Objects.requireNonNull(oldSub, "oldSub");
        Objects.requireNonNull(newSub, "newSub");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(at, "at");
    }
}
