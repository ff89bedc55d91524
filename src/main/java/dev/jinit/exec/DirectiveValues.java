package dev.jinit.exec;

import dev.jinit.unit.TimeSpans;
import dev.jinit.unit.Words;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parsers for systemd's value syntax (systemd.exec(5), systemd.time(7)), shared by the directives.
 * Each throws {@link IllegalArgumentException} with a reason only; {@link Directives} prefixes the
 * directive and value.
 */
final class DirectiveValues {
    private DirectiveValues() {}

    /** systemd's parse_boolean. */
    static boolean parseBoolean(String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on" -> true;
            case "0", "no", "n", "false", "f", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean (yes/no, true/false, on/off, 1/0)");
        };
    }

    static int parseInt(String v, int min, int max) {
        String s = v.strip();
        if (s.startsWith("+")) s = s.substring(1);
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
        }
        if (n < min || n > max) throw new IllegalArgumentException("out of range " + min + ".." + max);
        return n;
    }

    /** An octal access mode such as {@code 0022} or {@code 027}. */
    static int parseUmask(String v) {
        String s = v.strip();
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '7'))
            throw new IllegalArgumentException("not an octal mode");
        int n = Integer.parseInt(s.length() > 6 ? s.substring(s.length() - 6) : s, 8);
        if (s.length() > 6 || n > 0777) throw new IllegalArgumentException("out of range 0000..0777");
        return n;
    }

    private static final Map<String, Integer> SIZE_SUFFIXES = Map.of("", 0, "B", 0, "K", 10, "M", 20, "G", 30,
            "T", 40, "P", 50, "E", 60);

    /** A size with an optional base-1024 suffix (B, K, M, G, T, P, E), as systemd's parse_size. */
    static long parseSize(String v) {
        String s = v.strip();
        int end = s.length();
        while (end > 0 && Character.isLetter(s.charAt(end - 1))) end--;
        String number = s.substring(0, end).strip();
        Integer shift = SIZE_SUFFIXES.get(s.substring(end).toUpperCase(Locale.ROOT));
        if (shift == null || number.isEmpty()) throw new IllegalArgumentException("not a size (a number with an optional K, M, G, T, P or E)");
        BigDecimal n;
        try {
            n = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size (a number with an optional K, M, G, T, P or E)");
        }
        if (n.signum() < 0) throw new IllegalArgumentException("negative size");
        BigDecimal bytes = n.multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("size too large");
        return bytes.longValue();
    }

    /**
     * A time span per systemd.time(7) in microseconds: "5", "1min 30s", "100ms", "2.5h"; a bare
     * number is in {@code defaultUnitUsec}. "infinity" is -1. Parsed by the unit parser's
     * {@link TimeSpans}, so a span means the same in a unit and in {@code jinit exec -p}.
     */
    static long parseTimeUsec(String v, long defaultUnitUsec) {
        Duration d = TimeSpans.parse(v, Math.multiplyExact(defaultUnitUsec, 1000L));
        if (TimeSpans.isInfinite(d)) return -1;
        return d.getSeconds() * 1_000_000L + d.getNano() / 1_000;
    }

    /** Highest CPU number accepted: systemd's CPU set limit. */
    static final int MAX_CPU = 8191;

    /** A CPU list: numbers and ranges separated by spaces or commas, e.g. {@code 0-3 8,10}. */
    static BitSet parseCpuList(String v) {
        BitSet cpus = new BitSet();
        for (String item : v.strip().split("[\\s,]+")) {
            if (item.isEmpty()) continue;
            int dash = item.indexOf('-');
            int lo, hi;
            try {
                lo = Integer.parseInt(dash < 0 ? item : item.substring(0, dash));
                hi = dash < 0 ? lo : Integer.parseInt(item.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + item + "' is not a CPU number or range");
            }
            if (lo < 0 || hi > MAX_CPU) throw new IllegalArgumentException("CPU " + (lo < 0 ? lo : hi) + " out of range 0.." + MAX_CPU);
            if (lo > hi) throw new IllegalArgumentException("range " + item + " is backwards");
            cpus.set(lo, hi + 1);
        }
        return cpus;
    }

    /** The capability names of Linux up to 6.x, by number (capability.h). */
    static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG",
            "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
            "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** Every capability jinit knows, as a bit mask (systemd's CAP_MASK_ALL for this list). */
    static final long ALL_CAPABILITIES = (1L << CAPABILITIES.size()) - 1;

    /** A space-separated list of capability names (any case) or numbers, as a bit mask. */
    static long parseCapabilities(String v) {
        long mask = 0;
        for (String word : v.strip().split("\\s+")) {
            if (word.isEmpty()) continue;
            String upper = word.toUpperCase(Locale.ROOT);
            int n = CAPABILITIES.indexOf(upper.startsWith("CAP_") ? upper : "CAP_" + upper);
            if (n < 0 && Users.isNumber(word) && word.length() <= 2 && Integer.parseInt(word) < 64) n = Integer.parseInt(word);
            if (n < 0) throw new IllegalArgumentException("unknown capability '" + word + "'");
            mask |= 1L << n;
        }
        return mask;
    }

    /**
     * Splits a value into words as systemd's extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE):
     * the unit parser's {@link Words} (one splitter for units and {@code jinit exec -p}: quotes,
     * C escapes, and {@code \xNN} as UTF-8 bytes like systemd). Its errors are
     * IllegalArgumentExceptions saying what is wrong.
     */
    static List<String> splitWords(String v) {
        return Words.splitText(v);
    }

    /** A valid environment variable name: letters, digits, underscore, not starting with a digit. */
    static boolean isEnvName(String name) {
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) return false;
        return name.chars().allMatch(c -> c == '_' || (c < 128 && Character.isLetterOrDigit(c)));
    }
}
