package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Random calendar events: the normalized form parses back to the same event, and the next elapse is after the
 * given moment, is one of the event's moments, and no moment of the event lies between (checked minute by minute
 * against {@link CalendarSpec#matches}, which does not share the search's code).
 */
class CalendarSpecProperties {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

    @Provide
    Arbitrary<String> events() {
        Arbitrary<String> weekdays = Arbitraries.of("", "Mon ", "Sat,Sun ", "Mon..Fri ", "Tue,Thu ", "Fri ");
        Arbitrary<String> year = Arbitraries.of("*", "2026..2030", "2027", "2026/2");
        Arbitrary<String> month = field(1, 12);
        Arbitrary<String> day = Arbitraries.oneOf(field(1, 31), Arbitraries.integers().between(1, 7).map(n -> "~" + n));
        Arbitrary<String> hour = field(0, 23);
        Arbitrary<String> minute = field(0, 59);
        return Combinators.combine(weekdays, year, month, day, hour, minute).as((w, y, mo, d, h, mi) ->
                w + y + "-" + mo + (d.startsWith("~") ? d : "-" + d) + " " + h + ":" + mi + ":00");
    }

    /** {@code *}, a value, a list, a range or a repetition within [min, max]. */
    private static Arbitrary<String> field(int min, int max) {
        Arbitrary<Integer> v = Arbitraries.integers().between(min, max);
        return Arbitraries.oneOf(
                Arbitraries.just("*"),
                v.map(String::valueOf),
                Combinators.combine(v, v).as((a, b) -> a + "," + b),
                Combinators.combine(v, v).as((a, b) -> Math.min(a, b) + ".." + Math.max(a, b)),
                Combinators.combine(v, Arbitraries.integers().between(1, Math.max(1, max / 3))).as((a, s) -> a + "/" + s));
    }

    @Property(tries = 300)
    void normalizedFormRoundTrips(@ForAll("events") String text) {
        CalendarSpec spec = CalendarSpec.parse(text);
        assertEquals(spec, CalendarSpec.parse(spec.toString()), text + " -> " + spec);
    }

    @Property(tries = 200)
    void nextIsTheFirstMatchingMomentAfter(@ForAll("events") String text,
                                           @ForAll @LongRange(min = 1_780_000_000L, max = 1_860_000_000L) long epoch) {
        CalendarSpec spec = CalendarSpec.parse(text);
        ZoneId zone = ZoneOffset.UTC;
        Instant from = Instant.ofEpochSecond(epoch);
        Optional<Instant> next = spec.next(from, zone);
        LocalDateTime start = LocalDateTime.ofInstant(from, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        if (next.isEmpty()) {
            // Nothing until the year cap: then nothing within the next two years either.
            for (LocalDateTime t = start; t.isBefore(start.plusYears(2)); t = t.plusMinutes(1))
                assertFalse(spec.matches(t), spec + " matches " + t + " but next() found nothing");
            return;
        }
        Instant n = next.get();
        assertTrue(n.isAfter(from), spec + ": " + n + " is not after " + from);
        LocalDateTime at = LocalDateTime.ofInstant(n, zone);
        assertTrue(spec.matches(at), spec + " does not match its own next elapse " + at);
        // Every whole minute in between (the generated events all fire on second 0).
        long minutes = ChronoUnit.MINUTES.between(start, at);
        List<LocalDateTime> probes = new ArrayList<>();
        if (minutes <= 400_000) {
            for (LocalDateTime t = start; t.isBefore(at); t = t.plusMinutes(1)) probes.add(t);
        } else {
            java.util.Random r = new java.util.Random(epoch);
            for (int i = 0; i < 20_000; i++) probes.add(start.plusMinutes((long) (r.nextDouble() * minutes)));
        }
        for (LocalDateTime t : probes)
            if (t.isBefore(at)) assertFalse(spec.matches(t), spec + ": " + t + " matches, before the next elapse " + at + " after " + from);
    }
}
