package dev.jinit.log;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a unit's log.
 *
 * @param time   when jinit read it (all lines of one read share the time), or when jinit noted it
 * @param unit   the unit name, e.g. {@code nginx.service}
 * @param stream stdout, stderr, or jinit for jinit's own lines
 * @param text   the line without its newline, made printable: valid UTF-8 is kept, a trailing CR is
 *               dropped, and invalid bytes and control characters other than tab are shown as {@code \xNN}
 * @param cut    the line was longer than the maximum line length: this is a piece of it and the next
 *               line of the same unit and stream continues it (shown with a {@code +} after the stream)
 */
public record LogLine(Instant time, String unit, Stream stream, String text, boolean cut) {
    public LogLine {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }

    public LogLine(Instant time, String unit, Stream stream, String text) {
        this(time, unit, stream, text, false);
    }

    /** The line as the log file has it: {@code 2026-11-27T10:00:00.123456Z stdout hello}. */
    public String format() {
        return LogFormat.timestamp(time) + " " + stream.tag() + (cut ? "+" : "") + " " + text;
    }
}
