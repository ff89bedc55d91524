package dev.jinit.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code /proc/<pid>/status} file ({@code Key:<TAB>value} lines): the one reader of it for ids
 * and capability sets. Plain Java with no downcall, so a client command that only needs its own
 * uid does not pay for the native linker.
 *
 * @param file   where the text came from, for messages
 * @param fields each key (without its colon) and its value, leading blanks stripped
 */
public record ProcStatus(String file, Map<String, String> fields) {
    /** Indexes into the four ids of a {@code Uid:} or {@code Gid:} line. */
    public static final int REAL = 0, EFFECTIVE = 1, SAVED = 2, FILESYSTEM = 3;

    public ProcStatus {
        fields = Map.copyOf(fields);
    }

    /**
     * Reads and parses a status file ({@code /proc/self/status}, {@code /proc/thread-self/status}).
     *
     * @throws UncheckedIOException naming the file
     */
    public static ProcStatus read(Path file) {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses status text; lines without a colon are skipped. */
    public static ProcStatus parse(String file, String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return new ProcStatus(file, fields);
    }

    /**
     * One id of a {@code Uid:} or {@code Gid:} line ({@link #REAL}, {@link #EFFECTIVE}, …).
     *
     * @throws IllegalStateException naming the file and key when the line is missing or malformed
     */
    public int id(String key, int index) {
        String value = fields.get(key);
        String[] ids = value == null ? new String[0] : value.split("\\s+");
        try {
            return Integer.parseInt(ids[index]);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + ": no id " + index + " on a " + key + ": line ("
                    + (value == null ? "no such line" : "'" + value + "'") + ")", e);
        }
    }

    /** A hexadecimal field such as {@code CapEff:}; 0 when the line is missing (an old kernel). */
    public long hex(String key) {
        String value = fields.get(key);
        if (value == null) return 0;
        try {
            return Long.parseUnsignedLong(value, 16);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + ": " + key + ": '" + value + "' is not hexadecimal", e);
        }
    }
}
