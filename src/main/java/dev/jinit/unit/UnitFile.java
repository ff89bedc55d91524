package dev.jinit.unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The syntax of one unit file (and its drop-ins) before any directive is interpreted: assignments in file order,
 * each with its section and where it came from. Interpretation is the job of {@link UnitBuilder}; keeping the two
 * apart lets the parser be total (it never throws, whatever the input) and lets drop-ins simply append.
 *
 * @param path        the main file
 * @param assignments every {@code Key=Value} in order, drop-ins after the main file
 * @param diagnostics syntax problems (all warnings: systemd ignores bad lines and goes on)
 */
public record UnitFile(Path path, List<Assignment> assignments, List<Diagnostic> diagnostics) {

    /**
     * One {@code Key=Value} line, continuation lines joined.
     *
     * @param section the section name without brackets
     * @param key     the key, whitespace trimmed
     * @param value   the value, whitespace trimmed; empty means "reset" for list directives
     * @param file    the file it is in (the main file or a drop-in)
     * @param line    the line the assignment starts on
     */
    public record Assignment(String section, String key, String value, Path file, int line) {
        public String where() {
            return file + ":" + line;
        }
    }

    public UnitFile {
        assignments = List.copyOf(assignments);
        diagnostics = List.copyOf(diagnostics);
    }

    /** This file followed by a drop-in's assignments, as systemd applies {@code NAME.d/*.conf}. */
    public UnitFile plus(UnitFile dropIn) {
        List<Assignment> all = new ArrayList<>(assignments);
        all.addAll(dropIn.assignments);
        List<Diagnostic> diags = new ArrayList<>(diagnostics);
        diags.addAll(dropIn.diagnostics);
        return new UnitFile(path, all, diags);
    }
}
