package dev.jinit.unit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class TimeSpansTest {
    @Test
    void systemdExamples() {
        assertEquals(Duration.ofSeconds(5), TimeSpans.parse("5"));
        assertEquals(Duration.ofSeconds(5), TimeSpans.parse("5s"));
        assertEquals(Duration.ofSeconds(90), TimeSpans.parse("1min 30s"));
        assertEquals(Duration.ofSeconds(90), TimeSpans.parse("1min30s"));
        assertEquals(Duration.ofMillis(100), TimeSpans.parse("100ms"));
        assertEquals(Duration.ofHours(2), TimeSpans.parse("2h"));
        assertEquals(Duration.ofMinutes(90), TimeSpans.parse("1.5h"));
        assertEquals(Duration.ofSeconds(2 * 3600 + 46 * 60 + 40), TimeSpans.parse("2 h 46 min 40 s"));
        assertEquals(Duration.ofDays(7 + 1), TimeSpans.parse("1w 1d"));
        assertEquals(Duration.ofNanos(1000), TimeSpans.parse("1us"));
        assertEquals(Duration.ofNanos(1000), TimeSpans.parse("1\u00b5s"));
        assertEquals(Duration.ofSeconds(2_629_800), TimeSpans.parse("1M"));
        assertEquals(Duration.ofSeconds(31_557_600), TimeSpans.parse("1y"));
        assertEquals(Duration.ofMillis(500), TimeSpans.parse("0.5"));
        assertEquals(Duration.ZERO, TimeSpans.parse("0"));
        assertEquals(Duration.ZERO, TimeSpans.parse("999ns"), "resolution is the microsecond, like usec_t");
    }

    @Test
    void infinity() {
        assertTrue(TimeSpans.isInfinite(TimeSpans.parse("infinity")));
        assertTrue(TimeSpans.isInfinite(TimeSpans.parse("  infinity ")));
        assertEquals("infinity", TimeSpans.format(TimeSpans.INFINITY));
    }

    @Test
    void errors() {
        for (String bad : new String[]{"", "abc", "5x", "-5", "5 parsecs", "1.2.3s", "s", "5sx"})
            assertThrows(BadValueException.class, () -> TimeSpans.parse(bad), bad);
        assertTrue(assertThrows(BadValueException.class, () -> TimeSpans.parse("99999999999999y")).getMessage().contains("too large"));
    }

    @Test
    void format() {
        assertEquals("0", TimeSpans.format(Duration.ZERO));
        assertEquals("1min 30s", TimeSpans.format(Duration.ofSeconds(90)));
        assertEquals("1d 1h 1ms 1us", TimeSpans.format(Duration.ofDays(1).plusHours(1).plusNanos(1_001_000)));
    }
}
