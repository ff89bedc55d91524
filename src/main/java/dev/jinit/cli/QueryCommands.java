package dev.jinit.cli;

import dev.jinit.control.Command;
import dev.jinit.control.ControlClient;
import dev.jinit.control.ControlException;
import dev.jinit.control.Failure;
import dev.jinit.control.Request;
import dev.jinit.control.Response;
import dev.jinit.control.StateDir;
import dev.jinit.control.UnitStatus;
import dev.jinit.state.ActiveState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * systemctl's questions to the running manager: {@code is-active UNIT...} (exit 0 when at least one is active,
 * 3 otherwise), {@code is-failed UNIT...} (exit 0 when at least one is failed, 1 otherwise), each printing the state
 * of every unit, and {@code list-timers} (NEXT LEFT LAST PASSED UNIT ACTIVATES, soonest first).
 */
final class QueryCommands {
    static final Set<String> WORDS = Set.of("is-active", "is-failed", "list-timers");

    private final Map<String, String> env;
    private final PrintStream out, err;
    private final Clock clock;
    private final ZoneId zone;

    QueryCommands(Map<String, String> env, PrintStream out, PrintStream err, Clock clock, ZoneId zone) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.zone = zone;
    }

    int run(String word, String[] args) {
        String state = null;
        boolean quiet = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--state")) {
                if (++i >= args.length) return usage(word);
                state = args[i];
            } else if (a.startsWith("--state=")) {
                state = a.substring(8);
            } else if (a.equals("-q") || a.equals("--quiet")) {
                quiet = true;
            } else if (a.equals("--all") && word.equals("list-timers")) {
                // every timer is listed anyway
            } else if (a.startsWith("-")) {
                return usage(word);
            } else {
                names.add(ClientCommand.unitName(a));
            }
        }
        if (word.equals("list-timers") ? !names.isEmpty() : names.isEmpty()) return usage(word);
        Path dir;
        try {
            dir = StateDir.resolve(state, env, StateDir.effectiveUid());
        } catch (RuntimeException e) {
            err.println("jinit " + word + ": " + e.getMessage());
            return ClientCommand.USAGE;
        }
        try (ControlClient client = ControlClient.connect(dir)) {
            if (word.equals("list-timers")) return listTimers(client, dir);
            Response r = client.call(new Request(Command.STATUS, names, 0, false));
            if (r.error() != null) {
                err.println("jinit: " + r.error());
                return ClientCommand.FAILURE;
            }
            boolean any = false;
            for (String n : names) {
                ActiveState s = r.units().stream().filter(u -> u.name().equals(n)).map(UnitStatus::active).findFirst().orElse(null);
                // systemctl prints "inactive" for a unit it does not know (is-active) and exits 3.
                String shown = s == null ? "inactive" : s.word();
                if (!quiet) out.println(shown);
                if (word.equals("is-active") ? s != null && s.isActiveOrReloading() : s == ActiveState.FAILED) any = true;
            }
            if (word.equals("is-active")) return any ? ClientCommand.OK : ClientCommand.NOT_RUNNING;
            return any ? ClientCommand.OK : ClientCommand.FAILURE;
        } catch (ControlException e) {
            err.println("jinit: " + e.getMessage());
            return ClientCommand.FAILURE;
        }
    }

    private int usage(String word) {
        err.println("usage: jinit " + word + (word.equals("list-timers") ? "" : " [-q] UNIT...") + " [--state DIR]");
        return ClientCommand.USAGE;
    }

    /** One request per connection (the control protocol's rule): the details come on a second one. */
    private int listTimers(ControlClient client, Path dir) {
        Response all = client.call(new Request(Command.STATUS, List.of(), 0, false));
        if (all.error() != null) {
            err.println("jinit: " + all.error());
            return ClientCommand.FAILURE;
        }
        List<String> timers = all.units().stream().map(UnitStatus::name).filter(n -> n.endsWith(".timer")).toList();
        List<UnitStatus> rows = List.of();
        if (!timers.isEmpty()) {
            try (ControlClient second = ControlClient.connect(dir)) {
                Response r = second.call(new Request(Command.STATUS, timers, 0, false));
                if (r.error() != null) {
                    err.println("jinit: " + r.error());
                    return ClientCommand.FAILURE;
                }
                rows = r.units();
            }
        }
        out.print(timerTable(rows, clock.instant()));
        return ClientCommand.OK;
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    /** systemctl list-timers: the soonest first, timers with no next elapse last; a count below. */
    String timerTable(List<UnitStatus> timers, Instant now) {
        List<UnitStatus> sorted = new ArrayList<>(timers);
        sorted.sort((a, b) -> {
            Instant x = next(a), y = next(b);
            if (x == null || y == null) return x == null ? (y == null ? a.name().compareTo(b.name()) : 1) : -1;
            return x.compareTo(y);
        });
        List<Function<UnitStatus, String>> cols = List.of(
                u -> next(u) == null ? "-" : WHEN.format(next(u).atZone(zone)),
                u -> next(u) == null ? "-" : span(Duration.between(now, next(u))),
                u -> last(u) == null ? "-" : WHEN.format(last(u).atZone(zone)),
                u -> last(u) == null ? "-" : span(Duration.between(last(u), now)) + " ago",
                UnitStatus::name,
                u -> u.details() == null || u.details().triggers() == null ? "-" : u.details().triggers());
        List<String> heads = List.of("NEXT", "LEFT", "LAST", "PASSED", "UNIT", "ACTIVATES");
        int[] w = new int[cols.size()];
        for (int c = 0; c < cols.size(); c++) {
            w[c] = heads.get(c).length();
            for (UnitStatus u : sorted) w[c] = Math.max(w[c], cols.get(c).apply(u).length());
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder h = new StringBuilder();
        for (int c = 0; c < cols.size(); c++) h.append(c == cols.size() - 1 ? heads.get(c) : pad(heads.get(c), w[c]) + " ");
        sb.append(h.toString().stripTrailing()).append('\n');
        for (UnitStatus u : sorted) {
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < cols.size(); c++) row.append(c == cols.size() - 1 ? cols.get(c).apply(u) : pad(cols.get(c).apply(u), w[c]) + " ");
            sb.append(row.toString().stripTrailing()).append('\n');
        }
        sb.append('\n').append(sorted.size()).append(sorted.size() == 1 ? " timers listed.\n" : " timers listed.\n");
        return sb.toString();
    }

    private static Instant next(UnitStatus u) {
        return u.details() == null ? null : u.details().nextElapse();
    }

    private static Instant last(UnitStatus u) {
        return u.details() == null ? null : u.details().lastTrigger();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    /** systemd's format_timespan at second accuracy, two parts at most: {@code 5h 12min}, {@code 42s}, {@code 1 day 3h}. */
    static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "min" + (s % 60 == 0 ? "" : " " + s % 60 + "s");
        if (s < 86400) return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + "min");
        long days = s / 86400;
        return days + (days == 1 ? " day" : " days") + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + "h");
    }
}
