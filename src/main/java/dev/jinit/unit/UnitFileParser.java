package dev.jinit.unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The line syntax of systemd.syntax(7): {@code [Section]} headers, {@code Key=Value} assignments, comment lines
 * starting with {@code #} or {@code ;}, and continuation of a line ending in an unescaped backslash. Like
 * systemd it is lenient: a bad line is reported as a warning with its line number and skipped, so one typo does
 * not lose the rest of the file. It never throws on any input.
 */
public final class UnitFileParser {
    private UnitFileParser() {}

    /** systemd refuses longer logical lines (LONG_LINE_MAX); so do we, so that a runaway continuation is bounded. */
    static final int MAX_LINE = 1024 * 1024;

    public static UnitFile parse(Path file, String text) {
        List<UnitFile.Assignment> out = new ArrayList<>();
        List<Diagnostic> diags = new ArrayList<>();
        String section = null;
        StringBuilder continuation = null;
        int continuationStart = 0;
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String raw = lines[i];
            if (i == 0 && raw.startsWith("\uFEFF")) raw = raw.substring(1);
            // Comment lines are dropped even in the middle of a continuation, as systemd does since v236:
            // that lets people comment out one argument of a long ExecStart=.
            String lead = stripLeading(raw);
            if (!lead.isEmpty() && (lead.charAt(0) == '#' || lead.charAt(0) == ';')) continue;
            String logical;
            int start;
            if (continuation != null) {
                continuation.append(raw);
                logical = continuation.toString();
                start = continuationStart;
            } else {
                logical = raw;
                start = lineNo;
            }
            if (logical.length() > MAX_LINE) {
                diags.add(Diagnostic.warning(file, start, "line longer than " + MAX_LINE + " characters, ignoring"));
                continuation = null;
                continue;
            }
            if (endsWithContinuation(logical)) {
                // systemd replaces the backslash with a space and keeps reading.
                continuation = new StringBuilder(logical.substring(0, logical.length() - 1)).append(' ');
                continuationStart = start;
                if (i == lines.length - 1) {
                    section = handle(file, section, continuation.toString(), start, out, diags);
                }
                continue;
            }
            continuation = null;
            section = handle(file, section, logical, start, out, diags);
        }
        return new UnitFile(file, out, diags);
    }

    /** Processes one logical line; returns the section in force after it. */
    private static String handle(Path file, String section, String logical, int lineNo,
                                 List<UnitFile.Assignment> out, List<Diagnostic> diags) {
        String line = logical.strip();
        if (line.isEmpty()) return section;
        if (line.charAt(0) == '[') {
            if (line.length() < 3 || line.charAt(line.length() - 1) != ']') {
                diags.add(Diagnostic.warning(file, lineNo, "invalid section header " + line + ", ignoring the section"));
                return "";
            }
            String name = line.substring(1, line.length() - 1);
            if (name.indexOf('[') >= 0 || name.indexOf(']') >= 0) {
                diags.add(Diagnostic.warning(file, lineNo, "invalid section header " + line + ", ignoring the section"));
                return "";
            }
            return name;
        }
        if (section == null) {
            diags.add(Diagnostic.warning(file, lineNo, "assignment outside of any section, ignoring: " + line));
            return null;
        }
        if (section.isEmpty()) return section; // inside a section whose header was invalid: already reported
        int eq = line.indexOf('=');
        if (eq < 0) {
            diags.add(Diagnostic.warning(file, lineNo, "missing '=' in " + line + ", ignoring"));
            return section;
        }
        String key = line.substring(0, eq).strip();
        if (key.isEmpty()) {
            diags.add(Diagnostic.warning(file, lineNo, "missing directive name before '=', ignoring"));
            return section;
        }
        out.add(new UnitFile.Assignment(section, key, line.substring(eq + 1).strip(), file, lineNo));
        return section;
    }

    /** True when the line ends in a backslash that is not itself escaped ({@code \\} at the end is a literal). */
    static boolean endsWithContinuation(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) n++;
        return n % 2 == 1;
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return s.substring(i);
    }
}
