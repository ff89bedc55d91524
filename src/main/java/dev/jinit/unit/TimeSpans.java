package dev.jinit.unit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Time spans per systemd.time(7): {@code 5}, {@code 5s}, {@code 1min 30s}, {@code 1.5h}, {@code 2h30min},
 * {@code 100ms}, {@code infinity}. A bare number is seconds. Resolution is the microsecond, like systemd's
 * usec_t. Infinity is {@link #INFINITY}, a real {@link Duration} (the largest one), so callers can compare and
 * add without a special type; test for it with {@link #isInfinite}.
 */
public final class TimeSpans {
    private TimeSpans() {}

    /** "No limit". */
    public static final Duration INFINITY = ChronoUnit.FOREVER.getDuration();

    /** Largest finite span accepted: far beyond any timeout, and far from overflowing Duration arithmetic. */
    private static final BigInteger MAX_MICROS = BigInteger.valueOf(Long.MAX_VALUE / 1000);

    // Longest suffix first where one is a prefix of another, exactly as systemd's table does.
    private static final String[] SUFFIXES = {"seconds", "second", "sec", "s", "minutes", "minute", "min",
            "months", "month", "M", "msec", "ms", "m", "hours", "hour", "hr", "h", "days", "day", "d",
            "weeks", "week", "w", "years", "year", "y", "usec", "us", "\u00b5s", "\u03bcs", "nsec", "ns"};
    private static final long[] NANOS = {1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L,
            60_000_000_000L, 60_000_000_000L, 60_000_000_000L,
            2_629_800_000_000_000L, 2_629_800_000_000_000L, 2_629_800_000_000_000L, 1_000_000L, 1_000_000L,
            60_000_000_000L, 3_600_000_000_000L, 3_600_000_000_000L, 3_600_000_000_000L, 3_600_000_000_000L,
            86_400_000_000_000L, 86_400_000_000_000L, 86_400_000_000_000L, 604_800_000_000_000L,
            604_800_000_000_000L, 604_800_000_000_000L, 31_557_600_000_000_000L, 31_557_600_000_000_000L,
            31_557_600_000_000_000L, 1_000L, 1_000L, 1_000L, 1_000L, 1L, 1L};

    public static boolean isInfinite(Duration d) {
        return d.equals(INFINITY);
    }

    /**
     * Parses a time span; a bare number means seconds.
     * @throws BadValueException naming what is wrong
     */
    public static Duration parse(String text) {
        return parse(text, 1_000_000_000L);
    }

    /** Parses with {@code defaultUnitNanos} for a bare number (systemd uses seconds almost everywhere). */
    public static Duration parse(String text, long defaultUnitNanos) {
        String s = text.strip();
        if (s.isEmpty()) throw new BadValueException("empty time span");
        if (s.equals("infinity")) return INFINITY;
        BigDecimal total = BigDecimal.ZERO;
        int i = 0, n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            while (i < n && Character.isDigit(s.charAt(i))) i++;
            if (i < n && s.charAt(i) == '.') {
                i++;
                while (i < n && Character.isDigit(s.charAt(i))) i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".")) {
                throw new BadValueException(s.charAt(start) == '-' ? "negative time span " + s : "not a time span: " + s);
            }
            while (i < n && isSpace(s.charAt(i))) i++;
            long unit = defaultUnitNanos;
            int suffixEnd = i;
            for (int k = 0; k < SUFFIXES.length; k++) {
                if (s.startsWith(SUFFIXES[k], i)) {
                    unit = NANOS[k];
                    suffixEnd = i + SUFFIXES[k].length();
                    break;
                }
            }
            if (suffixEnd == i && i < n && !Character.isDigit(s.charAt(i)))
                throw new BadValueException("unknown time unit in " + s);
            if (suffixEnd < n && Character.isLetter(s.charAt(suffixEnd)))
                throw new BadValueException("unknown time unit in " + s);
            i = suffixEnd;
            total = total.add(new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(BigDecimal.valueOf(unit)));
        }
        BigInteger micros = total.toBigInteger().divide(BigInteger.valueOf(1000));
        if (micros.compareTo(MAX_MICROS) > 0) throw new BadValueException("time span too large: " + s);
        return Duration.of(micros.longValueExact(), ChronoUnit.MICROS);
    }

    /**
     * Formats like systemd's format_timespan: {@code 1d 2h 3min 4s 5ms 6us}, {@code 0} for zero, {@code infinity}.
     * {@link #parse} gives back the same duration (at microsecond resolution).
     */
    public static String format(Duration d) {
        if (isInfinite(d)) return "infinity";
        if (d.isNegative()) throw new IllegalArgumentException("negative duration " + d);
        long micros = d.getSeconds() * 1_000_000L + d.getNano() / 1_000;
        if (micros == 0) return "0";
        long[] sizes = {86_400_000_000L, 3_600_000_000L, 60_000_000L, 1_000_000L, 1_000L, 1L};
        String[] names = {"d", "h", "min", "s", "ms", "us"};
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < sizes.length; k++) {
            long q = micros / sizes[k];
            if (q == 0) continue;
            if (!b.isEmpty()) b.append(' ');
            b.append(q).append(names[k]);
            micros -= q * sizes[k];
        }
        return b.toString();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
