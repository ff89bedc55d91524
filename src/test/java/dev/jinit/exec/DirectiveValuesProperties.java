package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.List;
import java.util.StringJoiner;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class DirectiveValuesProperties {
    @Property
    void sizesScaleByPowersOf1024(@ForAll @LongRange(min = 0, max = 1L << 20) long n, @ForAll @IntRange(min = 0, max = 3) int unit) {
        String suffix = List.of("", "K", "M", "G").get(unit);
        assertEquals(n << (10 * unit), DirectiveValues.parseSize(n + suffix));
        assertEquals(n << (10 * unit), DirectiveValues.parseSize(n + suffix.toLowerCase()));
    }

    @Property
    void timeSpansAddUp(@ForAll @IntRange(min = 0, max = 1000) int h, @ForAll @IntRange(min = 0, max = 59) int m,
                        @ForAll @IntRange(min = 0, max = 59) int s, @ForAll @IntRange(min = 0, max = 999) int ms) {
        long expected = ((h * 3600L + m * 60L + s) * 1000L + ms) * 1000L;
        assertEquals(expected, DirectiveValues.parseTimeUsec(h + "h " + m + "min " + s + "s " + ms + "ms", 1));
        assertEquals(expected, DirectiveValues.parseTimeUsec(h + "hours" + m + "m" + s + "sec" + ms + "msec", 1));
    }

    @Property
    void bareNumbersUseTheDefaultUnit(@ForAll @LongRange(min = 0, max = 1_000_000) long n) {
        assertEquals(n * 1_000_000, DirectiveValues.parseTimeUsec(Long.toString(n), 1_000_000));
        assertEquals(n, DirectiveValues.parseTimeUsec(Long.toString(n), 1));
    }

    @Property
    void limitSoftHardRoundTrips(@ForAll @LongRange(min = 0, max = 1L << 40) long a, @ForAll @LongRange(min = 0, max = 1L << 40) long b) {
        long soft = Math.min(a, b), hard = Math.max(a, b);
        assertEquals(new Rlimit.Limit(soft, hard), Directives.parseLimit(Rlimit.NOFILE, soft + ":" + hard));
        assertEquals(new Rlimit.Limit(soft, hard), Directives.parseLimit(Rlimit.FSIZE, soft + ":" + hard));
        if (soft != hard)
            assertThrows(IllegalArgumentException.class, () -> Directives.parseLimit(Rlimit.NOFILE, hard + ":" + soft));
    }

    @Property
    void cpuListsRoundTrip(@ForAll @Size(max = 20) List<@IntRange(min = 0, max = 300) Integer> cpus) {
        BitSet expected = new BitSet();
        StringJoiner text = new StringJoiner(" ");
        for (int i = 0; i < cpus.size(); i++) {
            int c = cpus.get(i);
            int hi = c + (i % 3);
            expected.set(c, hi + 1);
            text.add(i % 2 == 0 ? c + "-" + hi : c + "," + (hi > c ? c + "-" + hi : Integer.toString(c)));
        }
        assertEquals(expected, DirectiveValues.parseCpuList(text.toString()));
    }

    @Property
    void capabilityNamesRoundTrip(@ForAll @Size(max = 10) List<@IntRange(min = 0, max = 40) Integer> caps) {
        long mask = 0;
        StringJoiner text = new StringJoiner(" ");
        for (int c : caps) {
            mask |= 1L << c;
            text.add(DirectiveValues.CAPABILITIES.get(c));
        }
        assertEquals(mask, DirectiveValues.parseCapabilities(text.toString()));
        assertEquals(caps.isEmpty() ? DirectiveValues.ALL_CAPABILITIES : DirectiveValues.ALL_CAPABILITIES & ~mask,
                Directives.mergeCapabilities(null, "~" + text));
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars("abcXYZ09_=/. \"'\\\t").ofMinLength(1).ofMaxLength(12)
                .filter(s -> !s.isBlank());
    }

    /** Quoting any word in double quotes with backslashes before " and \ gives the word back. */
    @Property
    void quotedWordsSplitBackToThemselves(@ForAll @Size(min = 1, max = 6) List<@StringLength(min = 1, max = 12) @net.jqwik.api.From("words") String> words) {
        StringJoiner line = new StringJoiner("  ");
        for (String w : words) line.add("\"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        assertEquals(words, DirectiveValues.splitWords(line.toString()));
    }

    @Property
    void booleansAcceptExactlySystemdsSpellings(@ForAll @StringLength(max = 6) String s) {
        List<String> yes = List.of("1", "yes", "y", "true", "t", "on");
        List<String> no = List.of("0", "no", "n", "false", "f", "off");
        String lower = s.strip().toLowerCase();
        if (yes.contains(lower)) assertEquals(true, DirectiveValues.parseBoolean(s));
        else if (no.contains(lower)) assertEquals(false, DirectiveValues.parseBoolean(s));
        else assertThrows(IllegalArgumentException.class, () -> DirectiveValues.parseBoolean(s));
    }

    @Property
    void umaskAcceptsEveryOctalModeUpTo0777(@ForAll @IntRange(min = 0, max = 0777) int mode) {
        assertEquals(mode, DirectiveValues.parseUmask(Integer.toOctalString(mode)));
        assertEquals(mode, DirectiveValues.parseUmask(String.format("%04o", mode)));
    }
}
