package dev.jinit.control;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a unit's output as the control protocol carries it. Independent of the log
 * pipeline's own type so the wire format does not change when the pipeline does.
 *
 * @param time   when jinit read the line
 * @param unit   the unit that wrote it
 * @param stream {@code stdout}, {@code stderr}, or {@code jinit} for jinit's own notes about the unit
 * @param text   the line without its newline (binary data already made printable by the pipeline)
 */
public record LogLine(Instant time, String unit, String stream, String text) {
    public LogLine {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }
}
