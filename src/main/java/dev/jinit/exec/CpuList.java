package dev.jinit.exec;

import java.util.BitSet;

/**
 * The kernel's CPU list format ({@code 0-3,8,10-11}), as in {@code /sys/devices/system/cpu/online},
 * {@code Cpus_allowed_list} and systemd's {@code CPUAffinity=} (which also accepts spaces).
 */
public final class CpuList {
    private CpuList() {}

    /** Largest CPU number accepted: the kernel's NR_CPUS limit. */
    public static final int MAX_CPU = 8191;

    /**
     * Parses a CPU list; commas and whitespace separate entries.
     * @throws IllegalArgumentException naming the entry at fault
     */
    public static BitSet parse(String text) {
        BitSet cpus = new BitSet();
        for (String entry : text.trim().split("[,\\s]+")) {
            if (entry.isEmpty()) continue;
            int dash = entry.indexOf('-');
            int from = number(dash < 0 ? entry : entry.substring(0, dash), entry);
            int to = dash < 0 ? from : number(entry.substring(dash + 1), entry);
            if (to < from) throw new IllegalArgumentException("CPU range " + entry + " runs backwards");
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    private static int number(String s, String entry) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(Character::isDigit))
            throw new IllegalArgumentException("not a CPU number or range: " + entry);
        int n = Integer.parseInt(s);
        if (n > MAX_CPU) throw new IllegalArgumentException("CPU number too large: " + entry);
        return n;
    }

    /** The canonical form: ascending, ranges for runs of two or more. */
    public static String format(BitSet cpus) {
        StringBuilder out = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; ) {
            int to = cpus.nextClearBit(from) - 1;
            if (!out.isEmpty()) out.append(',');
            out.append(from);
            if (to > from) out.append('-').append(to);
            from = cpus.nextSetBit(to + 1);
        }
        return out.toString();
    }
}
