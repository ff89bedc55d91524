package dev.jinit.control;

import java.util.List;
import java.util.Objects;

/**
 * One request line of the control protocol:
 * {@code {"cmd":"status","units":[...],"lines":N,"follow":bool}}.
 *
 * @param cmd    the command
 * @param units  full unit names; empty means "all" for status, reset-failed and logs
 * @param lines  how many log lines (logs, and status UNIT)
 * @param follow logs only: keep streaming new lines until the client closes
 */
public record Request(Command cmd, List<String> units, int lines, boolean follow) {
    /** Bounds what one request may ask of the rings, whatever a client sends. */
    public static final int MAX_LINES = 100_000;

    public Request {
        Objects.requireNonNull(cmd, "cmd");
        units = List.copyOf(units);
        for (String u : units)
            if (u.isEmpty() || u.indexOf('/') >= 0 || u.chars().anyMatch(c -> c < 0x20))
                throw new IllegalArgumentException("invalid unit name '" + u + "'");
        if (lines < 0 || lines > MAX_LINES) throw new IllegalArgumentException("lines out of range 0.." + MAX_LINES + ": " + lines);
        if (follow && cmd != Command.LOGS) throw new IllegalArgumentException("follow is only for logs, not " + cmd.word());
        if (cmd.needsUnits() && units.isEmpty()) throw new IllegalArgumentException(cmd.word() + " needs at least one unit");
        if (cmd.takesNoUnits() && !units.isEmpty())
            throw new IllegalArgumentException(cmd.word() + " takes no unit names");
    }
}
