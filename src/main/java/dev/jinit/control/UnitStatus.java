package dev.jinit.control;

import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One row of {@code jinit status}, in systemd's words, plus the details for {@code status UNIT}.
 *
 * @param name        full unit name ({@code web.service})
 * @param load        LOAD
 * @param active      ACTIVE
 * @param sub         SUB: the type-specific state, one of {@link #SUB_STATES}
 * @param pid         the main pid, or 0 when there is none
 * @param restarts    automatic restarts since jinit loaded the unit (or since reset-failed)
 * @param since       when ACTIVE last changed, or null if it never did
 * @param description Description=, or the empty string
 * @param details     null in the list; filled for {@code status UNIT}
 */
public record UnitStatus(String name, LoadState load, ActiveState active, String sub, int pid, int restarts,
        Instant since, String description, UnitDetails details) {

    /** systemd's service, target, socket and timer sub-states. */
    public static final Set<String> SUB_STATES = Set.of("dead", "condition", "start-pre", "start", "start-post",
            "running", "exited", "reload", "reload-signal", "reload-notify", "stop", "stop-watchdog", "stop-sigterm",
            "stop-sigkill", "stop-post", "final-watchdog", "final-sigterm", "final-sigkill", "failed",
            "dead-before-auto-restart", "failed-before-auto-restart", "auto-restart", "auto-restart-queued",
            "cleaning", "active", "listening", "waiting", "elapsed");

    public UnitStatus {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("unit status without a name");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(active, "active");
        if (!SUB_STATES.contains(sub)) throw new IllegalArgumentException(name + ": unknown sub state '" + sub + "'");
        if (pid < 0) throw new IllegalArgumentException(name + ": negative pid " + pid);
        if (restarts < 0) throw new IllegalArgumentException(name + ": negative restart count " + restarts);
        description = description == null ? "" : description;
    }

    /** This unit as a row of the list: the same state, no details. */
    public UnitStatus withoutDetails() {
        return details == null ? this : new UnitStatus(name, load, active, sub, pid, restarts, since, description, null);
    }

    /** The same row without details (what the list shows). */
    public UnitStatus summary() {
        return details == null ? this : new UnitStatus(name, load, active, sub, pid, restarts, since, description, null);
    }
}
