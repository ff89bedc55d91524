package dev.jinit.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Provide;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class RingProperties {
    @Property
    void keepsTheNewestLinesWithinBothBounds(@ForAll @Size(max = 300) List<@StringLength(max = 300) String> texts,
                                             @ForAll @IntRange(min = 1, max = 50) int maxLines,
                                             @ForAll @IntRange(min = 1024, max = 8192) int maxBytes) {
        Ring ring = new Ring("u", maxLines, maxBytes);
        List<LogLine> all = new ArrayList<>();
        for (String t : texts) {
            LogLine line = new LogLine(Instant.EPOCH, "u", Stream.STDOUT, t);
            all.add(line);
            ring.add(line);
            assertTrue(ring.size() <= maxLines);
            assertTrue(ring.bytes() <= maxBytes || ring.size() == 1, "over the byte bound with more than one line");
        }
        List<LogLine> kept = ring.tail(Integer.MAX_VALUE);
        assertEquals(all.subList(all.size() - kept.size(), all.size()), kept, "the kept lines are the newest, in order");
        if (!all.isEmpty()) {
            assertTrue(!kept.isEmpty());
            // It keeps as many as fit: one more older line would break a bound.
            if (kept.size() < all.size()) {
                long withOneMore = ring.bytes() + Ring.cost(all.get(all.size() - kept.size() - 1));
                assertTrue(kept.size() + 1 > maxLines || withOneMore > maxBytes);
            }
        }
        int n = Math.min(3, kept.size());
        assertEquals(kept.subList(kept.size() - n, kept.size()), ring.tail(n));
    }

    /** Lines of any text (lone surrogates, chars above Latin-1), time, stream and cut flag. */
    @Provide
    Arbitrary<LogLine> lines() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<Instant> time = Arbitraries.longs().between(-62_000_000_000L, 250_000_000_000L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        return Combinators.combine(time, Arbitraries.of(Stream.class), text, Arbitraries.of(true, false))
                .as((t, st, x, cut) -> new LogLine(t, "u", st, x, cut));
    }

    @Property
    void linesComeBackExactlyAsAddedAndTheArrayStaysWithinTheBound(
            @ForAll @Size(max = 400) List<@net.jqwik.api.From("lines") LogLine> added,
            @ForAll @IntRange(min = 1, max = 60) int maxLines,
            @ForAll @IntRange(min = 1024, max = 16384) int maxBytes) {
        Ring ring = new Ring("u", maxLines, maxBytes);
        for (int i = 0; i < added.size(); i++) {
            ring.add(added.get(i));
            List<LogLine> kept = ring.tail(Integer.MAX_VALUE);
            assertEquals(added.subList(i + 1 - kept.size(), i + 1), kept);
            // What the array holds is within the estimate the byte bound counts; it is at most 4 times that.
            long held = 0;
            for (LogLine l : kept) held += 2L * (Ring.HEADER + l.text().length());
            assertTrue(held <= ring.bytes(), "held " + held + " > estimate " + ring.bytes());
            assertTrue(2L * ring.capacity() <= Math.max(2L * Ring.MIN_CAPACITY, 4 * held),
                    "array of " + ring.capacity() + " chars for " + held + " bytes of lines");
        }
    }

    @Example
    void aQuietUnitCostsLittleAfterAFloodOrAHugeLine() {
        Ring ring = new Ring("u", 1000, 256 << 10);
        String flood = "flood line 0123456789012345678901234567890123456789012345678901234567890123456789";
        for (int i = 0; i < 100_000; i++) ring.add(new LogLine(Instant.EPOCH, "u", Stream.STDOUT, flood + i));
        assertEquals((256 << 10) / Ring.cost(ring.tail(1).get(0)), ring.size(), "as many as the byte bound allows");
        assertTrue(ring.capacity() <= 4 * 1000 * (Ring.HEADER + flood.length() + 5), "capacity " + ring.capacity());
        ring.add(new LogLine(Instant.EPOCH, "u", Stream.STDERR, "x".repeat(200_000)));
        assertEquals(1, ring.size(), "the huge newest line alone is kept");
        for (int i = 0; i < 3; i++) ring.add(new LogLine(Instant.EPOCH, "u", Stream.STDOUT, "quiet " + i));
        assertEquals(3, ring.size());
        assertEquals(Ring.MIN_CAPACITY, ring.capacity(), "the array shrank back once the huge line left");
        assertEquals("quiet 2", ring.tail(1).get(0).text());
    }

    @Example
    void aLineOfAnotherUnitIsRefused() {
        Ring ring = new Ring("a.service", 10, 4096);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ring.add(new LogLine(Instant.EPOCH, "b.service", Stream.STDOUT, "x")));
    }
}
