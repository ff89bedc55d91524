package dev.jinit.unit;

import dev.jinit.linux.RegularFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Environment files as {@code EnvironmentFile=} reads them (systemd's env-file.c): {@code KEY=VALUE} lines,
 * {@code #}/{@code ;} comment lines, an optional {@code export } before the key (for files shared with shells),
 * whitespace around key and value ignored, values in {@code '…'} (literal), {@code "…"} (backslash escapes
 * {@code " \ ` $} and newline) or bare (backslash escapes any character; a backslash at the end of the line
 * continues it). Quoted values may span lines. A line without {@code =} or with an invalid name is reported and
 * skipped; the rest of the file still counts.
 *
 * @param vars        the variables in file order (a later assignment of the same key wins)
 * @param diagnostics problems found, all warnings
 */
public record EnvFile(Map<String, String> vars, List<Diagnostic> diagnostics) {
    /** An environment file is a few kilobytes; more is a mistake (systemd refuses above 4 MiB too). */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    public EnvFile {
        vars = Collections.unmodifiableMap(new LinkedHashMap<>(vars));
        diagnostics = List.copyOf(diagnostics);
    }

    /** One {@code EnvironmentFile=} entry: with a leading {@code -} a missing file is not an error. */
    public record Ref(Path path, boolean optional) {
        /**
         * Reads the file now (systemd reads it each time the unit starts, so edits apply on restart).
         * @return the variables, or an empty file when optional and absent
         * @throws IOException naming the file when it cannot be read and is not optional
         */
        public EnvFile read() throws IOException {
            try {
                // Non-blocking and regular files only: a FIFO named here must fail the start, not hang it.
                byte[] bytes = RegularFile.read(path.toRealPath(), MAX_BYTES);
                return parse(path, StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString());
            } catch (NoSuchFileException e) {
                if (optional) return new EnvFile(Map.of(), List.of());
                throw new NoSuchFileException(path.toString(), null, "EnvironmentFile= does not exist");
            }
        }
    }

    public static EnvFile parse(Path file, String text) {
        Map<String, String> vars = new LinkedHashMap<>();
        List<Diagnostic> diags = new ArrayList<>();
        int i = 0, n = text.length(), line = 1;
        while (i < n) {
            // Start of a line: skip blanks, comments and empty lines.
            int lineStart = line;
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            if (i >= n) break;
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\n') line++;
                i++;
                continue;
            }
            if (c == '#' || c == ';') {
                while (i < n && text.charAt(i) != '\n') i++;
                continue;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != '\n') i++;
            if (i >= n || text.charAt(i) == '\n') {
                diags.add(Diagnostic.warning(file, lineStart, "missing '=' in environment file line, ignoring: "
                        + text.substring(keyStart, i).strip()));
                continue;
            }
            String key = text.substring(keyStart, i).strip();
            if (key.startsWith("export ") || key.startsWith("export\t")) key = key.substring(7).strip();
            i++; // '='
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            StringBuilder value = new StringBuilder();
            int trailingSpace = 0; // bare trailing whitespace to drop at the end of the value
            boolean ended = false;
            while (i < n && !ended) {
                char d = text.charAt(i);
                switch (d) {
                    case '\n' -> ended = true;
                    case '\r' -> i++;
                    case '\'' -> {
                        int close = text.indexOf('\'', i + 1);
                        if (close < 0) {
                            diags.add(Diagnostic.warning(file, lineStart, "unterminated ' quote in value of " + key));
                            close = n;
                        }
                        String part = text.substring(i + 1, close);
                        line += count(part, '\n');
                        value.append(part);
                        trailingSpace = 0;
                        i = Math.min(n, close + 1);
                    }
                    case '"' -> {
                        i++;
                        boolean closed = false;
                        while (i < n) {
                            char q = text.charAt(i);
                            if (q == '"') {
                                closed = true;
                                i++;
                                break;
                            }
                            if (q == '\\' && i + 1 < n) {
                                char e = text.charAt(i + 1);
                                if (e == '\n') {
                                    line++;
                                } else if (e == '"' || e == '\\' || e == '`' || e == '$') {
                                    value.append(e);
                                } else {
                                    value.append('\\').append(e);
                                }
                                i += 2;
                                continue;
                            }
                            if (q == '\n') line++;
                            value.append(q);
                            i++;
                        }
                        if (!closed) diags.add(Diagnostic.warning(file, lineStart, "unterminated \" quote in value of " + key));
                        trailingSpace = 0;
                    }
                    case '\\' -> {
                        if (i + 1 < n) {
                            char e = text.charAt(i + 1);
                            if (e == '\n') line++;
                            else value.append(e);
                            i += 2;
                        } else {
                            i++;
                        }
                        trailingSpace = 0;
                    }
                    default -> {
                        value.append(d);
                        trailingSpace = d == ' ' || d == '\t' ? trailingSpace + 1 : 0;
                        i++;
                    }
                }
            }
            value.setLength(value.length() - trailingSpace);
            if (!ExecCommand.validName(key)) {
                diags.add(Diagnostic.warning(file, lineStart, "invalid variable name " + key + " in environment file, ignoring"));
                continue;
            }
            vars.remove(key); // keep file order of the final assignment
            vars.put(key, value.toString());
        }
        return new EnvFile(vars, diags);
    }

    private static int count(String s, char c) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == c) k++;
        return k;
    }

    /** Renders variables so that {@link #parse} gives them back exactly (values double-quoted). */
    public static String render(Map<String, String> vars) {
        StringBuilder b = new StringBuilder();
        vars.forEach((k, v) -> {
            if (!ExecCommand.validName(k)) throw new IllegalArgumentException("invalid variable name " + k);
            b.append(k).append("=\"");
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\' || c == '`' || c == '$') b.append('\\');
                b.append(c);
            }
            b.append("\"\n");
        });
        return b.toString();
    }
}
