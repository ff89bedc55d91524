package dev.jinit.unit;

import java.nio.file.Path;

/**
 * One problem found while reading unit files, always with the place it was found so that the user can go
 * straight to it: {@code /etc/units/a.service:12: unknown directive Foo in [Service], ignoring}.
 *
 * @param severity whether it fails the unit ({@link Severity#ERROR}) or is only reported
 * @param file     the file it was found in
 * @param line     1-based line number, or 0 when the problem concerns the whole file
 * @param message  what is wrong, naming the directive and value
 */
public record Diagnostic(Severity severity, Path file, int line, String message) {
    public enum Severity { WARNING, ERROR }

    public Diagnostic {
        if (severity == null || file == null || message == null) throw new IllegalArgumentException("incomplete diagnostic");
        if (line < 0) throw new IllegalArgumentException("negative line number " + line);
    }

    public static Diagnostic warning(Path file, int line, String message) {
        return new Diagnostic(Severity.WARNING, file, line, message);
    }

    public static Diagnostic error(Path file, int line, String message) {
        return new Diagnostic(Severity.ERROR, file, line, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
