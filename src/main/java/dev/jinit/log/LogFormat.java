package dev.jinit.log;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The log file format and the printable form of a line.
 *
 * <p>A log file holds one line per line of output:
 * <pre>
 * 2026-11-27T10:00:00.123456Z stdout hello
 * 2026-11-27T10:00:00.123456Z stderr+ first 16 KiB of a longer line…
 * 2026-11-27T10:00:00.123456Z stderr …and its rest
 * 2026-11-27T10:00:01.000000Z jinit exited with status 1
 * </pre>
 * a UTC timestamp with microseconds (fixed width, so files sort and cut cleanly), the stream tag
 * ({@code stdout}, {@code stderr}, or {@code jinit} for jinit's own lines about the unit; a {@code +}
 * marks a line cut at the maximum length, continued by the next line of that stream), one space, and
 * the program's bytes exactly as written (only the newline is removed), so binary output is kept as it
 * was. The printable form ({@link #text}) is made when a line is shown, not when it is stored.
 */
public final class LogFormat {
    private LogFormat() {}

    /** Length of {@code 2026-11-27T10:00:00.123456Z}. */
    public static final int TIMESTAMP_LENGTH = 27;

    /** The timestamp as written in log files. */
    public static String timestamp(Instant time) {
        byte[] out = new byte[TIMESTAMP_LENGTH];
        new Timestamps().write(time.getEpochSecond(), time.getNano(), out, 0);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /**
     * Formats timestamps into byte arrays without allocating: the date and time up to the seconds are
     * formatted once per second and reused, which matters when a unit logs a million lines a second.
     * One instance per thread.
     */
    static final class Timestamps {
        private long cachedSecond = Long.MIN_VALUE;
        private final byte[] prefix = new byte[20]; // "2026-11-27T10:00:00."

        void write(long epochSecond, int nanos, byte[] out, int pos) {
            if (epochSecond != cachedSecond) {
                LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
                int y = Math.floorMod(t.getYear(), 10000); // years past 9999 are not this program's concern
                digits(prefix, 0, y, 4);
                prefix[4] = '-';
                digits(prefix, 5, t.getMonthValue(), 2);
                prefix[7] = '-';
                digits(prefix, 8, t.getDayOfMonth(), 2);
                prefix[10] = 'T';
                digits(prefix, 11, t.getHour(), 2);
                prefix[13] = ':';
                digits(prefix, 14, t.getMinute(), 2);
                prefix[16] = ':';
                digits(prefix, 17, t.getSecond(), 2);
                prefix[19] = '.';
                cachedSecond = epochSecond;
            }
            System.arraycopy(prefix, 0, out, pos, 20);
            digits(out, pos + 20, nanos / 1000, 6);
            out[pos + 26] = 'Z';
        }

        private static void digits(byte[] out, int pos, int value, int width) {
            for (int i = width - 1; i >= 0; i--) {
                out[pos + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
        }
    }

    /**
     * The printable text of a line's bytes: valid UTF-8 is decoded, one trailing CR (of a CRLF line end)
     * is dropped, and every byte of an invalid sequence, and every control character except tab, becomes
     * {@code \xNN}. Never fails, whatever the bytes.
     */
    public static String text(byte[] b, int off, int len) {
        if (len > 0 && b[off + len - 1] == '\r') len--;
        int end = off + len;
        boolean plain = true;
        for (int i = off; i < end; i++) {
            int c = b[i];
            if ((c < 0x20 && c != '\t') || c == 0x7f) { // negative bytes (>= 0x80) land here too
                plain = false;
                break;
            }
        }
        if (plain) return new String(b, off, len, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder(len + 16);
        int i = off;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                if ((c < 0x20 && c != '\t') || c == 0x7f) hex(sb, c);
                else sb.append((char) c);
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end);
            if (n == 0) {
                hex(sb, c);
                i++;
                continue;
            }
            int cp = switch (n) {
                case 2 -> ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
                case 3 -> ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
                default -> ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
            };
            if (cp >= 0x80 && cp < 0xa0) hex(sb, b, i, n); // C1 controls steer terminals too
            else sb.appendCodePoint(cp);
            i += n;
        }
        return sb.toString();
    }

    public static String text(byte[] b) {
        return text(b, 0, b.length);
    }

    /**
     * The length of the well-formed UTF-8 sequence starting at {@code i} (2–4), or 0 when the bytes there
     * are not one (stray continuation byte, overlong form, surrogate, above U+10FFFF, or cut short).
     */
    static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xff;
        int n, lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0) lo = 0xa0;
            else if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0) lo = 0x90;
            else if (c == 0xf4) hi = 0x8f;
        } else return 0;
        if (i + n > end) return 0;
        int second = b[i + 1] & 0xff;
        if (second < lo || second > hi) return 0;
        for (int k = 2; k < n; k++) if ((b[i + k] & 0xc0) != 0x80) return 0;
        return n;
    }

    /**
     * Where to cut {@code len} bytes so that a UTF-8 sequence is not split: {@code len}, or the start of
     * a sequence that the last bytes begin but do not complete. Never returns less than {@code len - 3},
     * and never 0 (a run of invalid bytes is cut anywhere).
     */
    static int utf8CutPoint(byte[] b, int off, int len) {
        for (int back = 1; back <= 3 && back < len; back++) {
            int c = b[off + len - back] & 0xff;
            if ((c & 0xc0) == 0x80) continue; // continuation byte: look further back
            int need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            return need > back ? len - back : len;
        }
        return len;
    }

    private static void hex(StringBuilder sb, int c) {
        sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
    }

    private static void hex(StringBuilder sb, byte[] b, int i, int n) {
        for (int k = 0; k < n; k++) hex(sb, b[i + k] & 0xff);
    }

    /**
     * Parses one line of a log file (without its newline). A line that is not in the format (a line
     * cut short by a full disk, or a file someone else wrote) is returned whole as a jinit line at
     * {@code fallbackTime}, so nothing in a file is hidden from the reader.
     */
    public static LogLine parse(String unit, byte[] b, int off, int len, Instant fallbackTime) {
        int space1 = TIMESTAMP_LENGTH;
        if (len > space1 && b[off + space1] == ' ') {
            int space2 = -1;
            for (int i = space1 + 1; i < len && i <= space1 + 9; i++)
                if (b[off + i] == ' ') {
                    space2 = i;
                    break;
                }
            int tagEnd = space2 < 0 ? len : space2;
            boolean cut = tagEnd > space1 + 1 && b[off + tagEnd - 1] == '+';
            Stream stream = Stream.ofTag(new String(b, off + space1 + 1, tagEnd - space1 - 1 - (cut ? 1 : 0),
                    StandardCharsets.ISO_8859_1));
            if (stream != null) {
                try {
                    Instant time = Instant.parse(new String(b, off, TIMESTAMP_LENGTH, StandardCharsets.ISO_8859_1));
                    String text = space2 < 0 ? "" : text(b, off + space2 + 1, len - space2 - 1);
                    return new LogLine(time, unit, stream, text, cut);
                } catch (DateTimeParseException notATime) {
                    // falls through to the whole-line form below
                }
            }
        }
        return new LogLine(fallbackTime, unit, Stream.JINIT, "unparsable log line: " + text(b, off, len), false);
    }

    /** Whether a unit name can be a log file name: not empty, no '/', NUL or newline, not "." or "..". */
    public static boolean isUnitName(String unit) {
        return unit != null && !unit.isEmpty() && !unit.equals(".") && !unit.equals("..") && unit.length() <= 240
                && unit.indexOf('/') < 0 && unit.indexOf('\0') < 0 && unit.indexOf('\n') < 0;
    }

    /** A unit name usable as a log file name, or an IllegalArgumentException naming it. */
    public static String checkUnitName(String unit) {
        if (!isUnitName(unit)) throw new IllegalArgumentException("invalid unit name for a log file: '" + unit + "'");
        return unit;
    }
}
