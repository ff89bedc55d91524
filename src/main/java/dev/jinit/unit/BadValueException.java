package dev.jinit.unit;

/**
 * Thrown by the value parsers of this package when a directive's value is malformed. The message is only the
 * reason; the unit builder adds file, line, directive and value, so the parsers stay reusable (the CLI and the
 * property tests call them directly).
 */
public final class BadValueException extends IllegalArgumentException {
    public BadValueException(String reason) {
        super(reason);
    }
}
