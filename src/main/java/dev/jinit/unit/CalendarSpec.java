package dev.jinit.unit;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A calendar event of systemd.time(7), as {@code OnCalendar=} takes it: {@code [WEEKDAYS] [DATE] [TIME] [ZONE]}, where
 * each date and time field is {@code *} or a comma list of values, ranges {@code a..b} and repetitions
 * {@code start/step} (also {@code a..b/step}), the day may count from the month's end ({@code *-02~03}: the third last
 * day of February), weekdays are names or ranges ({@code Mon..Fri}, also the old {@code Mon-Fri}), seconds may have a
 * fraction, and the shorthands {@code minutely hourly daily weekly monthly quarterly semiannually yearly annually}
 * stand for their expansions. Omitted date means every day; omitted time means {@code 00:00:00}; omitted seconds
 * {@code :00}. Two-digit years are 1970–2069 as in systemd. The zone is {@code UTC}, an IANA name, or absent (local
 * time of the machine).
 *
 * <p>{@link #toString()} is systemd's normalized form ({@code Mon..Fri *-*-* 02:00:00}); parsing it gives an equal
 * spec. {@link #next} finds the first moment strictly after a given instant, field by field as systemd's
 * {@code calendar_spec_next_usec} does.
 *
 * @param weekdays   bit 0 Monday … bit 6 Sunday; 0x7f (or 0) is every day
 * @param year       components of the year; empty = every year
 * @param month      1..12
 * @param day        1..31, or counted from the end of the month when {@code endOfMonth} (1 = the last day)
 * @param endOfMonth the day was written with {@code ~}
 * @param hour       0..23
 * @param minute     0..59
 * @param microsecond the second as microseconds 0..59,999,999
 * @param zone       the zone the event is in, or null for the machine's local time
 */
public record CalendarSpec(int weekdays, List<Component> year, List<Component> month, List<Component> day,
                           boolean endOfMonth, List<Component> hour, List<Component> minute,
                           List<Component> microsecond, ZoneId zone) {
    private static final String[] DAY_NAMES = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] DAY_LONG = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    /** The last year systemd computes with (it stops at 2199); beyond it there is no next elapse. */
    static final int MAX_YEAR = 2199;

    /**
     * One value, range or repetition: {@code start} alone; {@code start..stop}; {@code start/repeat} (every
     * {@code repeat} from start on); {@code start..stop/repeat}. {@code stop} is -1 and {@code repeat} 0 when absent.
     */
    public record Component(int start, int stop, int repeat) {
        public Component {
            if (start < 0 || repeat < 0 || (stop >= 0 && stop < start)) throw new IllegalArgumentException("bad component " + start + ".." + stop + "/" + repeat);
        }

        boolean matches(int v) {
            if (v < start) return false;
            if (stop >= 0 && v > stop) return false;
            if (repeat > 0) return (v - start) % repeat == 0;
            return stop >= 0 || v == start;
        }
    }

    public CalendarSpec {
        year = List.copyOf(year);
        month = List.copyOf(month);
        day = List.copyOf(day);
        hour = List.copyOf(hour);
        minute = List.copyOf(minute);
        microsecond = List.copyOf(microsecond);
        if ((weekdays & ~0x7f) != 0) throw new IllegalArgumentException("weekday bits " + weekdays);
        if (weekdays == 0) weekdays = 0x7f;
    }

    // ---- parsing ---------------------------------------------------------------------------------

    /**
     * Parses a calendar event.
     * @throws BadValueException naming what is wrong
     */
    public static CalendarSpec parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) throw new BadValueException("empty calendar event");
        try {
            return new Parser(s).parse();
        } catch (IllegalArgumentException | DateTimeException e) {
            throw e instanceof BadValueException b ? b : new BadValueException("invalid calendar event '" + s + "': " + e.getMessage());
        }
    }

    private static final class Parser {
        final String text;
        String[] words;
        int w;

        Parser(String text) {
            this.text = text;
        }

        BadValueException bad(String why) {
            return new BadValueException("invalid calendar event '" + text + "': " + why);
        }

        CalendarSpec parse() {
            List<String> ws = new ArrayList<>(List.of(text.split("[ \t]+")));
            // A zone comes last: UTC, or an IANA name; systemd also takes the machine's own zone abbreviation.
            ZoneId zone = null;
            if (ws.size() > 1) {
                ZoneId z = zoneOf(ws.getLast());
                if (z != null) {
                    zone = z;
                    ws.removeLast();
                }
            } else if (zoneOf(ws.getFirst()) != null && shorthand(ws.getFirst()) == null) {
                throw bad("only a time zone");
            }
            if (ws.size() == 1 && shorthand(ws.getFirst().toLowerCase(Locale.ROOT)) != null) {
                CalendarSpec sh = CalendarSpec.parse(shorthand(ws.getFirst().toLowerCase(Locale.ROOT)));
                return new CalendarSpec(sh.weekdays, sh.year, sh.month, sh.day, sh.endOfMonth, sh.hour, sh.minute,
                        sh.microsecond, zone);
            }
            words = ws.toArray(String[]::new);
            int weekdays = 0x7f;
            if (w < words.length && Character.isLetter(words[w].charAt(0))) {
                weekdays = weekdays(words[w]);
                w++;
            }
            List<Component> year = List.of(), month = List.of(), day = List.of();
            boolean eom = false;
            List<Component> hour = List.of(new Component(0, -1, 0)), minute = List.of(new Component(0, -1, 0)),
                    micro = List.of(new Component(0, -1, 0));
            if (w < words.length && !words[w].contains(":")) {
                // The date: [YEAR-]MONTH-DAY or MONTH~DAY forms.
                String d = words[w++];
                Object[] parsed = date(d);
                year = cast(parsed[0]);
                month = cast(parsed[1]);
                day = cast(parsed[2]);
                eom = (Boolean) parsed[3];
            }
            if (w < words.length) {
                String t = words[w++];
                String[] parts = t.split(":", -1);
                if (parts.length < 2 || parts.length > 3) throw bad("time " + t + " is not HOUR:MINUTE[:SECOND]");
                hour = chain(parts[0], 0, 23, false, "hour");
                minute = chain(parts[1], 0, 59, false, "minute");
                micro = parts.length == 3 ? chain(parts[2], 0, 59, true, "second") : List.of(new Component(0, -1, 0));
            }
            if (w < words.length) throw bad("unexpected '" + words[w] + "'");
            return new CalendarSpec(weekdays, year, month, day, eom, hour, minute, micro, zone);
        }

        @SuppressWarnings("unchecked")
        static List<Component> cast(Object o) {
            return (List<Component>) o;
        }

        Object[] date(String d) {
            boolean eom = false;
            String dayPart;
            String head;
            int tilde = d.indexOf('~');
            if (tilde >= 0) {
                eom = true;
                head = d.substring(0, tilde);
                dayPart = d.substring(tilde + 1);
            } else {
                int dash = d.lastIndexOf('-');
                if (dash < 0) throw bad("date " + d + " is not [YEAR-]MONTH-DAY");
                head = d.substring(0, dash);
                dayPart = d.substring(dash + 1);
            }
            String[] hp = head.split("-", -1);
            List<Component> year = List.of(), month;
            if (hp.length == 1) {
                month = chain(hp[0], 1, 12, false, "month");
            } else if (hp.length == 2) {
                year = years(hp[0]);
                month = chain(hp[1], 1, 12, false, "month");
            } else {
                throw bad("date " + d + " is not [YEAR-]MONTH-DAY");
            }
            List<Component> day = chain(dayPart, 1, 31, false, "day");
            return new Object[]{year, month, day, eom};
        }

        List<Component> years(String y) {
            if (y.equals("*")) return List.of();
            List<Component> raw = chain(y, 0, MAX_YEAR, false, "year");
            // Two-digit years: 70..99 are 19xx, 0..69 are 20xx, as systemd reads them.
            if (y.matches(".*[0-9]{3}.*")) {
                for (Component c : raw) if (c.start() < 1970) throw bad("year " + c.start() + " is before 1970");
                return raw;
            }
            List<Component> out = new ArrayList<>();
            for (Component c : raw)
                out.add(new Component(century(c.start()), c.stop() < 0 ? -1 : century(c.stop()), c.repeat()));
            return out;
        }

        static int century(int v) {
            return v < 70 ? 2000 + v : 1900 + v;
        }

        /** A comma list of {@code *}, values, ranges and repetitions; seconds may carry a fraction. */
        List<Component> chain(String s, int min, int max, boolean usec, String field) {
            if (s.isEmpty()) throw bad("empty " + field);
            List<Component> out = new ArrayList<>();
            for (String part : s.split(",", -1)) {
                if (part.isEmpty()) throw bad("empty value in " + field + " " + s);
                if (part.equals("*")) {
                    if (s.contains(",")) throw bad("'*' in a list of " + field + " values");
                    return List.of();
                }
                int slash = part.indexOf('/');
                String base = slash < 0 ? part : part.substring(0, slash);
                int repeat = 0;
                if (slash >= 0) {
                    repeat = value(part.substring(slash + 1), usec, field);
                    if (repeat == 0) throw bad("repetition 0 in " + field + " " + part);
                }
                int start, stop = -1;
                if (base.equals("*")) {
                    if (repeat == 0) throw bad("'*' with nothing after it in " + field);
                    start = usec ? min * 1_000_000 : min;
                } else {
                    int dots = base.indexOf("..");
                    if (dots >= 0) {
                        start = value(base.substring(0, dots), usec, field);
                        stop = value(base.substring(dots + 2), usec, field);
                        if (stop < start) throw bad(field + " range " + base + " ends before it starts");
                    } else {
                        start = value(base, usec, field);
                    }
                }
                int lo = usec ? min * 1_000_000 : min, hi = usec ? max * 1_000_000 + 999_999 : max;
                if (start < lo || start > hi || (stop >= 0 && stop > hi))
                    throw bad(field + " " + base + " is out of range " + min + ".." + max);
                out.add(new Component(start, stop, repeat));
            }
            out.sort(Comparator.comparingInt(Component::start).thenComparingInt(Component::stop).thenComparingInt(Component::repeat));
            return List.copyOf(new java.util.LinkedHashSet<>(out));
        }

        int value(String v, boolean usec, String field) {
            if (usec) {
                if (!v.matches("[0-9]{1,2}(\\.[0-9]{0,6}[0-9]*)?")) throw bad(field + " '" + v + "' is not a number");
                int dot = v.indexOf('.');
                int whole = Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
                int frac = 0;
                if (dot >= 0) {
                    String f = (v.substring(dot + 1) + "000000").substring(0, 6);
                    frac = Integer.parseInt(f);
                    // systemd rounds the seventh digit
                    if (v.length() - dot - 1 > 6 && v.charAt(dot + 7) >= '5') frac++;
                }
                return whole * 1_000_000 + frac;
            }
            if (!v.matches("[0-9]{1,4}")) throw bad(field + " '" + v + "' is not a number");
            return Integer.parseInt(v);
        }

        int weekdays(String s) {
            int bits = 0;
            for (String part : s.split(",", -1)) {
                if (part.isEmpty()) continue; // "Wed," before a date: systemd accepts the trailing comma
                String[] r = part.contains("..") ? part.split("\\.\\.", -1) : part.split("-", -1);
                if (r.length > 2) throw bad("weekday range " + part);
                int a = dayIndex(r[0]), b = r.length == 2 ? dayIndex(r[1]) : a;
                if (b < a) {
                    // systemd takes Sat..Mon as the days from Saturday round to Monday
                    for (int i = a; i < 7; i++) bits |= 1 << i;
                    for (int i = 0; i <= b; i++) bits |= 1 << i;
                } else {
                    for (int i = a; i <= b; i++) bits |= 1 << i;
                }
            }
            if (bits == 0) throw bad("no weekday in '" + s + "'");
            return bits;
        }

        int dayIndex(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            for (int i = 0; i < 7; i++)
                if (n.equals(DAY_LONG[i]) || n.equals(DAY_LONG[i].substring(0, 3))) return i;
            throw bad("unknown weekday '" + name + "'");
        }
    }

    private static String shorthand(String w) {
        return switch (w) {
            case "minutely" -> "*-*-* *:*:00";
            case "hourly" -> "*-*-* *:00:00";
            case "daily" -> "*-*-* 00:00:00";
            case "monthly" -> "*-*-01 00:00:00";
            case "weekly" -> "Mon *-*-* 00:00:00";
            case "yearly", "annually" -> "*-01-01 00:00:00";
            case "quarterly" -> "*-01,04,07,10-01 00:00:00";
            case "semiannually" -> "*-01,07-01 00:00:00";
            default -> null;
        };
    }

    private static ZoneId zoneOf(String w) {
        if (w.equals("UTC") || w.equals("Z")) return ZoneOffset.UTC;
        if (!w.contains("/")) return null;
        try {
            return ZoneId.of(w);
        } catch (DateTimeException e) {
            return null;
        }
    }

    // ---- normalized form -------------------------------------------------------------------------

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (weekdays != 0x7f) {
            List<String> parts = new ArrayList<>();
            int i = 0;
            while (i < 7) {
                if ((weekdays & (1 << i)) == 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j + 1 < 7 && (weekdays & (1 << (j + 1))) != 0) j++;
                if (j == i) parts.add(DAY_NAMES[i]);
                else if (j == i + 1) {
                    parts.add(DAY_NAMES[i]);
                    parts.add(DAY_NAMES[j]);
                } else parts.add(DAY_NAMES[i] + ".." + DAY_NAMES[j]);
                i = j + 1;
            }
            b.append(String.join(",", parts)).append(' ');
        }
        b.append(format(year, 4, false)).append('-').append(format(month, 2, false)).append(endOfMonth ? '~' : '-')
                .append(format(day, 2, false)).append(' ')
                .append(format(hour, 2, false)).append(':').append(format(minute, 2, false)).append(':')
                .append(format(microsecond, 2, true));
        if (zone != null) b.append(' ').append(zone.equals(ZoneOffset.UTC) ? "UTC" : zone.getId());
        return b.toString();
    }

    private static String format(List<Component> cs, int width, boolean usec) {
        if (cs.isEmpty()) return "*";
        List<String> out = new ArrayList<>();
        for (Component c : cs) {
            String s = num(c.start(), width, usec);
            if (c.stop() >= 0) s += ".." + num(c.stop(), width, usec);
            if (c.repeat() > 0) s += "/" + (usec ? num(c.repeat(), 0, true) : Integer.toString(c.repeat()));
            out.add(s);
        }
        return String.join(",", out);
    }

    private static String num(int v, int width, boolean usec) {
        if (!usec) return String.format(Locale.ROOT, "%0" + width + "d", v);
        String whole = String.format(Locale.ROOT, "%0" + Math.max(width, 1) + "d", v / 1_000_000);
        int frac = v % 1_000_000;
        return frac == 0 ? whole : whole + "." + String.format(Locale.ROOT, "%06d", frac);
    }

    // ---- matching and the next elapse --------------------------------------------------------------

    private static boolean any(List<Component> cs, int v) {
        if (cs.isEmpty()) return true;
        for (Component c : cs) if (c.matches(v)) return true;
        return false;
    }

    private boolean dayMatches(LocalDate d) {
        if ((weekdays & (1 << (d.getDayOfWeek().getValue() - 1))) == 0) return false;
        int v = endOfMonth ? d.lengthOfMonth() - d.getDayOfMonth() + 1 : d.getDayOfMonth();
        if (!endOfMonth) return any(day, v);
        if (day.isEmpty()) return true;
        // Counted from the end, a repetition runs towards the end: ~07/1 is the 7th last day and every day after.
        for (Component c : day) {
            if (c.repeat() > 0 && c.stop() < 0) {
                if (v <= c.start() && (c.start() - v) % c.repeat() == 0) return true;
            } else if (c.matches(v)) return true;
        }
        return false;
    }

    /** Whether this local date and time (in the spec's zone) is one of the event's moments. */
    public boolean matches(LocalDateTime t) {
        return any(year, t.getYear()) && any(month, t.getMonthValue()) && dayMatches(t.toLocalDate())
                && any(hour, t.getHour()) && any(minute, t.getMinute())
                && any(microsecond, t.getSecond() * 1_000_000 + t.getNano() / 1000);
    }

    /** The zone to compute in: the spec's own, or {@code local}. */
    public ZoneId zoneOr(ZoneId local) {
        return zone != null ? zone : local;
    }

    /**
     * The first moment strictly after {@code after} at which the event happens, in {@code local} time unless the spec
     * names a zone; empty when there is none before {@value #MAX_YEAR}.
     */
    public Optional<Instant> next(Instant after, ZoneId local) {
        ZoneId z = zoneOr(local);
        LocalDateTime c = LocalDateTime.ofInstant(after, z).truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
        for (int guard = 0; guard < 100_000; guard++) {
            if (c.getYear() > MAX_YEAR) return Optional.empty();
            int y = first(year, c.getYear(), MAX_YEAR);
            if (y < 0) return Optional.empty();
            if (y != c.getYear()) {
                c = LocalDateTime.of(y, 1, 1, 0, 0);
            }
            int m = first(month, c.getMonthValue(), 12);
            if (m < 0) {
                c = LocalDateTime.of(c.getYear() + 1, 1, 1, 0, 0);
                continue;
            }
            if (m != c.getMonthValue()) c = LocalDateTime.of(c.getYear(), m, 1, 0, 0);
            LocalDate d = c.toLocalDate();
            int len = d.lengthOfMonth();
            int dd = -1;
            for (int k = d.getDayOfMonth(); k <= len; k++) {
                if (dayMatches(d.withDayOfMonth(k))) {
                    dd = k;
                    break;
                }
            }
            if (dd < 0) {
                c = LocalDateTime.of(d.withDayOfMonth(1).plusMonths(1), LocalTime.MIDNIGHT);
                continue;
            }
            if (dd != c.getDayOfMonth()) c = LocalDateTime.of(d.withDayOfMonth(dd), LocalTime.MIDNIGHT);
            int h = first(hour, c.getHour(), 23);
            if (h < 0) {
                c = LocalDateTime.of(c.toLocalDate().plusDays(1), LocalTime.MIDNIGHT);
                continue;
            }
            if (h != c.getHour()) c = c.toLocalDate().atTime(h, 0);
            int mi = first(minute, c.getMinute(), 59);
            if (mi < 0) {
                c = c.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (mi != c.getMinute()) c = c.truncatedTo(ChronoUnit.HOURS).withMinute(mi);
            int us = first(microsecond, c.getSecond() * 1_000_000 + c.getNano() / 1000, 59_999_999);
            if (us < 0) {
                c = c.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
                continue;
            }
            LocalDateTime hit = c.truncatedTo(ChronoUnit.MINUTES).plus(us, ChronoUnit.MICROS);
            // A local time in a DST gap does not exist: ZonedDateTime moves it forward by the gap, as mktime does.
            Instant at = ZonedDateTime.ofLocal(hit, z, null).toInstant();
            if (at.isAfter(after)) return Optional.of(at);
            c = hit.plus(1, ChronoUnit.MICROS);
        }
        return Optional.empty();
    }

    /** The smallest value {@code >= from} and {@code <= max} that matches, or -1. */
    private static int first(List<Component> cs, int from, int max) {
        if (cs.isEmpty()) return from <= max ? from : -1;
        int best = -1;
        for (Component c : cs) {
            int v;
            if (from <= c.start()) v = c.start();
            else if (c.repeat() > 0) {
                int k = (from - c.start() + c.repeat() - 1) / c.repeat();
                v = c.start() + k * c.repeat();
            } else if (c.stop() >= 0) v = from;
            else continue;
            if (c.stop() >= 0 && v > c.stop()) continue;
            if (v > max) continue;
            if (best < 0 || v < best) best = v;
        }
        return best;
    }

    /** For tests and tools: the weekday bit of a day. */
    static int bit(DayOfWeek d) {
        return 1 << (d.getValue() - 1);
    }
}
