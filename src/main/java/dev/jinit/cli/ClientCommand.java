package dev.jinit.cli;

import dev.jinit.control.Command;
import dev.jinit.control.ControlClient;
import dev.jinit.control.ControlException;
import dev.jinit.control.Failure;
import dev.jinit.control.Protocol;
import dev.jinit.control.Request;
import dev.jinit.control.Response;
import dev.jinit.control.StateDir;
import dev.jinit.control.UnitDetails;
import dev.jinit.control.UnitStatus;
import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
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
 * The client commands ({@code jinit status|start|stop|restart|reload|reset-failed|logs|daemon-reload}):
 * parse the arguments, ask the running jinit over its control socket, print the answer the way
 * systemctl does, and exit as systemctl does: 0 ok, 3 when {@code status UNIT} names a unit that
 * is not active, 4 when a unit does not exist, 1 for any other failure, 2 for a usage error.
 */
public final class ClientCommand {
    public static final int OK = 0, FAILURE = 1, USAGE = 2, NOT_RUNNING = 3, NO_SUCH_UNIT = 4;

    /** Unit types a name may already end with; any other name gets ".service", as systemctl does. */
    private static final Set<String> UNIT_TYPES = Set.of("service", "target", "socket", "timer", "mount", "path",
            "slice", "scope", "device", "swap", "automount");

    static final int DEFAULT_STATUS_LINES = 10, DEFAULT_LOG_LINES = 100;

    static final String HELP = """
            usage: jinit status [--json] [-n N] [UNIT...]   list units, or show units in detail
                   jinit start|stop|restart|reload UNIT...  run a job and wait for it
                   jinit reset-failed [UNIT...]             forget failures and restart counts
                   jinit logs [-f] [-n N] [UNIT...]         last N lines (default 100), -f to follow
                   jinit daemon-reload                      re-read the unit files
                   jinit daemon-reexec                      execute jinit anew, every unit kept running
                   jinit poweroff|reboot|halt               shut the machine down (jinit as PID 1)
            options: --state DIR   the running jinit's state directory (else $JINIT_STATE, else
                                   /run/jinit as root, $XDG_RUNTIME_DIR/jinit or /tmp/jinit-UID otherwise)
            exit: 0 ok, 1 failure, 2 usage, 3 unit not active (status), 4 no such unit
            """;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final ZoneId zone;

    ClientCommand(Map<String, String> env, PrintStream out, PrintStream err, Clock clock, ZoneId zone) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.zone = zone;
    }

    /** The parsed command line. */
    record Invocation(Command command, List<String> units, boolean json, Integer lines, boolean follow, String state,
            boolean help) {}

    /** @throws IllegalArgumentException with a usage message */
    static Invocation parse(String word, String[] args) {
        Command command = Command.of(word);
        List<String> units = new ArrayList<>();
        boolean json = false, follow = false, help = false, optionsDone = false;
        Integer lines = null;
        String state = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (optionsDone || !a.startsWith("-") || a.equals("-")) {
                units.add(a);
                continue;
            }
            switch (a) {
                case "--" -> optionsDone = true;
                case "-h", "--help" -> help = true;
                case "--json" -> json = only(command, a, Command.STATUS);
                case "-f", "--follow" -> follow = only(command, a, Command.LOGS);
                case "--state", "-n", "--lines" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    String v = args[++i];
                    if (a.equals("--state")) state = v;
                    else lines = lines(command, a, v);
                }
                default -> {
                    if (a.startsWith("--state=")) state = a.substring(8);
                    else if (a.startsWith("--lines=")) lines = lines(command, "--lines", a.substring(8));
                    else if (a.startsWith("-n") && a.length() > 2) lines = lines(command, "-n", a.substring(2));
                    else throw new IllegalArgumentException("unknown option '" + a + "' for " + word);
                }
            }
        }
        List<String> names = units.stream().map(ClientCommand::unitName).toList();
        if (!help) {
            if (command.needsUnits() && names.isEmpty()) throw new IllegalArgumentException(word + " needs at least one unit");
            if (command.takesNoUnits() && !names.isEmpty())
                throw new IllegalArgumentException(word + " takes no unit names");
        }
        return new Invocation(command, names, json, lines, follow, state, help);
    }

    private static boolean only(Command command, String option, Command allowed) {
        if (command != allowed) throw new IllegalArgumentException(option + " is only for " + allowed.word());
        return true;
    }

    private static int lines(Command command, String option, String value) {
        if (command != Command.STATUS && command != Command.LOGS)
            throw new IllegalArgumentException(option + " is only for status and logs");
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= Request.MAX_LINES) return n;
        } catch (NumberFormatException ignored) {
            // reported below with the value
        }
        throw new IllegalArgumentException(option + ": not a line count 0.." + Request.MAX_LINES + ": '" + value + "'");
    }

    /** {@code web} becomes {@code web.service}; names with a unit type suffix stay as they are. */
    public static String unitName(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("empty unit name");
        int dot = name.lastIndexOf('.');
        if (dot > 0 && UNIT_TYPES.contains(name.substring(dot + 1))) return name;
        return name + ".service";
    }

    int run(String word, String[] args) {
        Invocation inv;
        try {
            inv = parse(word, args);
        } catch (IllegalArgumentException e) {
            err.println("jinit " + word + ": " + e.getMessage());
            err.print(HELP);
            return USAGE;
        }
        if (inv.help()) {
            out.print(HELP);
            return OK;
        }
        Path stateDir;
        try {
            stateDir = StateDir.resolve(inv.state(), env, StateDir.effectiveUid());
        } catch (RuntimeException e) {
            err.println("jinit " + word + ": " + e.getMessage());
            return USAGE;
        }
        int lines = inv.lines() != null ? inv.lines()
                : inv.command() == Command.STATUS ? DEFAULT_STATUS_LINES : DEFAULT_LOG_LINES;
        Request request = new Request(inv.command(), inv.units(), lines, inv.follow());
        if (inv.command() == Command.DAEMON_REEXEC) return reexec(request, stateDir);
        try (ControlClient client = ControlClient.connect(stateDir)) {
            Response response = client.call(request);
            if (response.error() != null) {
                err.println("jinit: " + response.error());
                return FAILURE;
            }
            return switch (inv.command()) {
                case STATUS -> showStatus(inv, response, stateDir);
                case LOGS -> showLogs(inv, response, client);
                default -> reportJob(inv.command(), response);
            };
        } catch (ControlException e) {
            err.println("jinit: " + e.getMessage());
            return FAILURE;
        }
    }

    /** How long {@code daemon-reexec} waits for the new jinit to answer (it loads the unit files first). */
    static final java.time.Duration REEXEC_WAIT = java.time.Duration.ofSeconds(120);

    /**
     * daemon-reexec: asks, and once it is accepted waits (as systemctl does) until the new jinit
     * answers on its control socket: a new socket file (the old jinit's went with its execve) whose
     * status answers without "still loading".
     */
    private int reexec(Request request, Path stateDir) {
        Path socket = StateDir.controlSocket(stateDir);
        Object before;
        try {
            before = socketIdentity(socket);
        } catch (java.io.IOException | RuntimeException e) {
            before = null;
        }
        try (ControlClient client = ControlClient.connect(stateDir)) {
            Response response = client.call(request);
            if (response.error() != null) {
                err.println("jinit: " + response.error());
                return FAILURE;
            }
            if (!response.failures().isEmpty()) return reportJob(request.cmd(), response);
        } catch (ControlException e) {
            err.println("jinit: " + e.getMessage());
            return FAILURE;
        }
        long deadline = System.nanoTime() + REEXEC_WAIT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() - deadline < 0) {
            try {
                Object now = socketIdentity(socket);
                if (!now.equals(before)) {
                    try (ControlClient client = ControlClient.connect(stateDir)) {
                        Response r = client.call(new Request(Command.STATUS, List.of(), 0, false));
                        if (r.error() == null) return OK;
                        last = r.error();
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                last = e.getMessage();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        err.println("jinit: daemon-reexec: the new jinit did not answer within " + REEXEC_WAIT.toSeconds() + " s (" + last + ")");
        return FAILURE;
    }

    /** The socket file's inode and change time: a new bind makes a new file (its inode number may be the old one's). */
    private static List<Object> socketIdentity(Path socket) throws java.io.IOException {
        return List.of(java.nio.file.Files.getAttribute(socket, "unix:ino"), java.nio.file.Files.getAttribute(socket, "unix:ctime"));
    }

    private int showStatus(Invocation inv, Response response, Path stateDir) {
        for (Failure f : response.failures())
            err.println(f.reason() == Failure.Reason.NOT_FOUND ? "Unit " + f.unit() + " could not be found." : f.message());
        if (inv.json()) {
            out.println(Protocol.statusDocument(response.units()));
        } else if (inv.units().isEmpty()) {
            out.print(table(response.units()));
            networkLine(stateDir);
        } else {
            boolean first = true;
            for (UnitStatus u : response.units()) {
                if (!first) out.println();
                first = false;
                out.print(detail(u));
            }
        }
        if (inv.units().isEmpty()) return OK;
        int code = exitFor(response.failures());
        if (code != OK) return code;
        return response.units().stream().allMatch(u -> u.active().isActiveOrReloading()) ? OK : NOT_RUNNING;
    }

    /** With a network part running, its one-line summary (the links and their leases) under the table. */
    private void networkLine(Path stateDir) {
        Path file = stateDir.resolve(dev.jinit.net.NetworkService.STATUS_FILE);
        if (!java.nio.file.Files.isRegularFile(file)) return;
        try {
            out.println(dev.jinit.net.NetworkStatus.summary(java.nio.file.Files.readString(file), java.time.Instant.now()));
        } catch (java.io.IOException | RuntimeException e) {
            out.println("network: " + file + ": " + e.getMessage());
        }
    }

    private int showLogs(Invocation inv, Response response, ControlClient client) {
        for (Failure f : response.failures()) err.println(f.message());
        int code = exitFor(response.failures());
        if (code != OK) return code;
        for (LogLine l : response.lines()) out.println(logLine(l));
        if (inv.follow()) {
            client.stream(l -> {
                out.println(logLine(l));
                out.flush();
            });
        }
        return OK;
    }

    private int reportJob(Command command, Response response) {
        String verb = switch (command) {
            case RESET_FAILED -> "reset";
            case DAEMON_RELOAD -> "reload the unit files";
            case DAEMON_REEXEC -> "re-execute jinit";
            case POWEROFF -> "power off";
            default -> command.word();
        };
        for (Failure f : response.failures()) {
            if (f.unit().isEmpty()) err.println("Failed to " + verb + ": " + f.message());
            else err.println("Failed to " + verb + " " + f.unit() + ": " + f.message());
        }
        return exitFor(response.failures());
    }

    /** 4 when every failure is an unknown unit, 1 when any other failure happened, else 0. */
    static int exitFor(List<Failure> failures) {
        if (failures.isEmpty()) return OK;
        return failures.stream().allMatch(f -> f.reason() == Failure.Reason.NOT_FOUND) ? NO_SUCH_UNIT : FAILURE;
    }

    // ---- formats

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss.SSS", Locale.ROOT);

    /** {@code systemctl list-units}: aligned columns, description last and unpadded, a count below. */
    String table(List<UnitStatus> units) {
        List<Function<UnitStatus, String>> columns = List.of(UnitStatus::name, u -> u.load().word(),
                u -> u.active().word(), UnitStatus::sub, u -> u.pid() == 0 ? "-" : Integer.toString(u.pid()),
                u -> Integer.toString(u.restarts()), u -> u.since() == null ? "-" : SINCE.format(u.since().atZone(zone)));
        List<String> headers = List.of("UNIT", "LOAD", "ACTIVE", "SUB", "PID", "RESTARTS", "SINCE");
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            width[c] = headers.get(c).length();
            for (UnitStatus u : units) width[c] = Math.max(width[c], columns.get(c).apply(u).length());
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) sb.append(pad(headers.get(c), width[c])).append(' ');
        sb.append("DESCRIPTION\n");
        for (UnitStatus u : units) {
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) row.append(pad(columns.get(c).apply(u), width[c])).append(' ');
            row.append(printable(u.description()));
            sb.append(row.toString().stripTrailing()).append('\n');
        }
        sb.append('\n').append(units.size()).append(units.size() == 1 ? " unit listed.\n" : " units listed.\n");
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /** {@code systemctl status UNIT}: bullet and title, Loaded/Active/Main PID lines, then recent logs. */
    String detail(UnitStatus u) {
        UnitDetails d = u.details();
        StringBuilder sb = new StringBuilder();
        String bullet = switch (u.active()) {
            case FAILED -> "×";
            case INACTIVE -> "○";
            default -> "●";
        };
        sb.append(bullet).append(' ').append(u.name());
        if (!u.description().isEmpty()) sb.append(" - ").append(printable(u.description()));
        sb.append('\n');
        String loaded = u.load().word();
        if (u.load() == LoadState.LOADED && d != null && d.fragmentPath() != null) loaded += " (" + d.fragmentPath() + ")";
        else if (u.load() == LoadState.NOT_FOUND) loaded += " (Reason: Unit " + u.name() + " not found.)";
        else if (d != null && d.loadError() != null) loaded += " (Reason: " + printable(d.loadError()) + ")";
        field(sb, "Loaded", loaded);
        String active = u.active().word() + " (" + u.sub() + ")";
        if (u.active() == ActiveState.FAILED && d != null && d.result() != null) active = u.active().word() + " (Result: " + d.result() + ")";
        if (u.since() != null) active += " since " + SINCE.format(u.since().atZone(zone)) + "; " + ago(u.since()) + " ago";
        field(sb, "Active", active);
        if (u.pid() > 0) field(sb, "Main PID", Integer.toString(u.pid()));
        if (d != null) {
            if (d.statusText() != null) field(sb, "Status", "\"" + printable(d.statusText()) + "\"");
            if (d.lastExit() != null && d.lastExitPid() > 0)
                field(sb, "Process", d.lastExitPid() + (d.execStart() == null ? "" : " ExecStart=" + printable(d.execStart()))
                        + " (" + exitText(d.lastExit()) + ")");
            else if (d.execStart() != null)
                field(sb, "ExecStart", printable(d.execStart()));
        }
        field(sb, "Restarts", Integer.toString(u.restarts()));
        if (d != null) {
            if (!d.processes().isEmpty())
                field(sb, "Tasks", d.processes().size() + " (" + String.join(", ", d.processes().stream().map(String::valueOf).toList()) + ")");
            // A protection the unit asked for and jinit does not apply gets its own label (issue 10).
            for (String w : d.warnings())
                field(sb, w.contains(" is not enforced") ? "Not enforced" : "Warning", printable(w));
            if (!d.recentLogs().isEmpty()) {
                sb.append('\n');
                for (LogLine l : d.recentLogs()) sb.append(logLine(l)).append('\n');
            }
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(" ".repeat(Math.max(0, 11 - name.length()))).append(name).append(": ").append(value).append('\n');
    }

    /** systemd's words for how a process ended: {@code code=exited, status=1/FAILURE}. */
    static String exitText(ExitStatus e) {
        if (e.isSignal())
            return "code=" + (e.coreDumped() ? "dumped" : "killed") + ", signal=" + Signals.name(e.signal()).replaceFirst("^SIG", "");
        String name = switch (e.code()) {
            case 0 -> "/SUCCESS";
            case 1 -> "/FAILURE";
            case 2 -> "/INVALIDARGUMENT";
            case 3 -> "/NOTIMPLEMENTED";
            case 4 -> "/NOPERMISSION";
            case 5 -> "/NOTINSTALLED";
            case 6 -> "/NOTCONFIGURED";
            case 7 -> "/NOTRUNNING";
            case 200 -> "/CHDIR";
            case 203 -> "/EXEC";
            case 217 -> "/USER";
            default -> "";
        };
        return "code=exited, status=" + e.code() + name;
    }

    /** systemd's short durations: {@code 42s}, {@code 5min 3s}, {@code 2h 5min}, {@code 3d 4h}. */
    String ago(Instant since) {
        long s = Math.max(0, Duration.between(since, clock.instant()).toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "min " + s % 60 + "s";
        if (s < 86400) return s / 3600 + "h " + s % 3600 / 60 + "min";
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }

    /**
     * {@code Nov 27 09:23:22.123 web.service: text}, with the stream named when it is not stdout, and a piece of a
     * too-long line ending in {@code …}.
     */
    String logLine(LogLine l) {
        String stream = l.stream() == Stream.STDOUT ? "" : "[" + l.stream().tag() + "]";
        return LOG_TIME.format(l.time().atZone(zone)) + " " + l.unit() + stream + ": " + printable(l.text())
                + (l.cut() ? "…" : "");
    }

    /** Control characters from a service must not drive the user's terminal: shown as \xNN. */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (control && sb == null) sb = new StringBuilder(s.substring(0, i));
            if (sb != null) {
                if (control) sb.append(String.format("\\x%02x", (int) c));
                else sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
