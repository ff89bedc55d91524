package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** systemd.time(7)'s calendar events: its own table of normalized forms, and next elapses worked out by hand. */
class CalendarSpecTest {

    /** The examples of systemd.time(7), "Calendar Events" (input → normalized form). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
              Sat,Thu,Mon..Wed,Sat..Sun | Mon..Thu,Sat,Sun *-*-* 00:00:00
                  Mon,Sun 12-*-* 2,1:23 | Mon,Sun 2012-*-* 01,02:23:00
                                Wed *-1 | Wed *-*-01 00:00:00
                       Wed..Wed,Wed *-1 | Wed *-*-01 00:00:00
                             Wed, 17:48 | Wed *-*-* 17:48:00
            Wed..Sat,Tue 12-10-15 1:2:3 | Tue..Sat 2012-10-15 01:02:03
                            *-*-7 0:0:0 | *-*-07 00:00:00
                                  10-15 | *-10-15 00:00:00
                    monday *-12-* 17:00 | Mon *-12-* 17:00:00
              Mon,Fri *-*-3,1,2 *:30:45 | Mon,Fri *-*-01,02,03 *:30:45
                   12,14,13,12:20,10,30 | *-*-* 12,13,14:10,20,30:00
                        12..14:10,20,30 | *-*-* 12..14:10,20,30:00
              mon,fri *-1/2-1,3 *:30:45 | Mon,Fri *-01/2-01,03 *:30:45
                         03-05 08:05:40 | *-03-05 08:05:40
                               08:05:40 | *-*-* 08:05:40
                                  05:40 | *-*-* 05:40:00
                 Sat,Sun 12-05 08:05:40 | Sat,Sun *-12-05 08:05:40
                       Sat,Sun 08:05:40 | Sat,Sun *-*-* 08:05:40
                       2003-03-05 05:40 | 2003-03-05 05:40:00
             05:40:23.4200004/3.1700005 | *-*-* 05:40:23.420000/3.170001
                         2003-02..04-05 | 2003-02..04-05 00:00:00
                   2003-03-05 05:40 UTC | 2003-03-05 05:40:00 UTC
                             2003-03-05 | 2003-03-05 00:00:00
                                  03-05 | *-03-05 00:00:00
                                 hourly | *-*-* *:00:00
                                  daily | *-*-* 00:00:00
                              daily UTC | *-*-* 00:00:00 UTC
                                monthly | *-*-01 00:00:00
                                 weekly | Mon *-*-* 00:00:00
                weekly Pacific/Auckland | Mon *-*-* 00:00:00 Pacific/Auckland
                                 yearly | *-01-01 00:00:00
                               annually | *-01-01 00:00:00
                                  *:2/3 | *-*-* *:02/3:00
                               minutely | *-*-* *:*:00
                              quarterly | *-01,04,07,10-01 00:00:00
                           semiannually | *-01,07-01 00:00:00
                                *-02~03 | *-02~03 00:00:00
                          Mon *-05~07/1 | Mon *-05~07/1 00:00:00
                                Mon-Fri | Mon..Fri *-*-* 00:00:00
            """)
    void normalizesAsSystemdDoes(String in, String normalized) {
        CalendarSpec spec = CalendarSpec.parse(in);
        assertEquals(normalized, spec.toString());
        assertEquals(spec, CalendarSpec.parse(spec.toString()), "the normalized form parses back to the same event");
    }

    /** From a fixed moment (UTC), the next elapse, worked out on a calendar. 2026-12-04 is a Friday. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            daily                   | 2026-12-04T18:30:00 | 2026-12-05T00:00
            *-*-* 06:00:00          | 2026-12-04T18:30:00 | 2026-12-05T06:00
            *-*-* 06:00:00          | 2026-12-04T05:59:59 | 2026-12-04T06:00
            weekly                  | 2026-12-04T18:30:00 | 2026-12-07T00:00
            Mon..Fri *-*-* 02:00    | 2026-12-04T18:30:00 | 2026-12-07T02:00
            Sat,Sun 10:00           | 2026-12-04T18:30:00 | 2026-12-05T10:00
            *:0/15                  | 2026-12-04T18:31:00 | 2026-12-04T18:45
            *:0/15                  | 2026-12-04T18:45:00 | 2026-12-04T19:00
            hourly                  | 2026-12-04T23:10:00 | 2026-12-05T00:00
            monthly                 | 2026-12-04T18:30:00 | 2027-01-01T00:00
            yearly                  | 2026-12-04T18:30:00 | 2027-01-01T00:00
            *-02~01                 | 2026-12-04T18:30:00 | 2027-02-28T00:00
            *-02~01                 | 2027-03-01T00:00:00 | 2028-02-29T00:00
            *-02~03                 | 2026-12-04T18:30:00 | 2027-02-26T00:00
            Mon *-05~07/1           | 2026-12-04T18:30:00 | 2027-05-31T00:00
            Fri *-*-13              | 2026-12-04T18:30:00 | 2027-08-13T00:00
            *-*-31                  | 2027-04-01T00:00:00 | 2027-05-31T00:00
            2003-03-05              | 2026-12-04T18:30:00 | -
            *-*-* 12..14:10,20,30   | 2026-12-04T13:25:00 | 2026-12-04T13:30
            *-*-* 12..14:10,20,30   | 2026-12-04T14:30:00 | 2026-12-05T12:10
            *-*-* *:*:10/20         | 2026-12-04T18:30:51 | 2026-12-04T18:31:10
            *-01/2-01               | 2026-12-04T18:30:00 | 2027-01-01T00:00
            *-01/2-01               | 2027-01-01T00:00:00 | 2027-03-01T00:00
            """)
    void nextElapse(String spec, String after, String expected) {
        Instant from = LocalDateTime.parse(after).toInstant(ZoneOffset.UTC);
        var next = CalendarSpec.parse(spec).next(from, ZoneOffset.UTC);
        if (expected.equals("-")) assertTrue(next.isEmpty(), spec + " never comes again: " + next);
        else assertEquals(LocalDateTime.parse(expected).toInstant(ZoneOffset.UTC), next.orElseThrow(), spec + " after " + after);
    }

    @Test
    void theSpecsZoneWinsOverTheLocalOne() {
        Instant from = LocalDateTime.parse("2026-12-04T18:30:00").toInstant(ZoneOffset.UTC);
        // 06:00 in Auckland (UTC+13 in December) is 17:00 UTC the day before.
        assertEquals(LocalDateTime.parse("2026-12-05T17:00").toInstant(ZoneOffset.UTC),
                CalendarSpec.parse("*-*-* 06:00 Pacific/Auckland").next(from, ZoneOffset.UTC).orElseThrow());
        // Without a zone the local one counts.
        assertEquals(LocalDateTime.parse("2026-12-05T05:00").toInstant(ZoneOffset.UTC),
                CalendarSpec.parse("*-*-* 06:00").next(from, ZoneId.of("Europe/Paris")).orElseThrow());
    }

    @Test
    void aLocalTimeInTheSpringGapComesAfterTheGap() {
        // Europe/Paris skipped 02:00..03:00 on 2027-03-28: 02:30 that day happens at 03:30 local (01:30 UTC).
        Instant from = LocalDateTime.parse("2027-03-27T12:00:00").toInstant(ZoneOffset.UTC);
        Instant next = CalendarSpec.parse("*-*-* 02:30").next(from, ZoneId.of("Europe/Paris")).orElseThrow();
        assertEquals(LocalDateTime.parse("2027-03-28T01:30").toInstant(ZoneOffset.UTC), next);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                 | empty calendar event
            Moonday            | unknown weekday 'Moonday'
            *-13-01            | month 13 is out of range 1..12
            *-*-* 24:00        | hour 24 is out of range 0..23
            *-*-* 12:60        | minute 60 is out of range 0..59
            *-*-* 12:00:61     | second 61 is out of range 0..59
            *-*-* 12:0/0       | repetition 0
            *-*-* 14..12:00    | ends before it starts
            *-*-* 1:2:3:4      | is not HOUR:MINUTE[:SECOND]
            12:00 tomorrow     | unexpected 'tomorrow'
            1969-01-01         | year 1969 is before 1970
            UTC                | only a time zone
            """)
    void badEventsAreRefusedWithTheReason(String in, String reason) {
        BadValueException e = assertThrows(BadValueException.class, () -> CalendarSpec.parse(in));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
