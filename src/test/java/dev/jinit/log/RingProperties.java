package dev.jinit.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class RingProperties {
    @Property
    void keepsTheNewestLinesWithinBothBounds(@ForAll @Size(max = 300) List<@StringLength(max = 300) String> texts,
                                             @ForAll @IntRange(min = 1, max = 50) int maxLines,
                                             @ForAll @IntRange(min = 1024, max = 8192) int maxBytes) {
        Ring ring = new Ring(maxLines, maxBytes);
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
}
