package dev.jinit.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Map;

/** The {@code jinit} command: picks the mode from the first argument. */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: jinit exec [-g] [-p Key=Value]... [-t GRACE] -- CMD [ARGS...]
                   jinit run --units DIR [--state DIR]
                   jinit boot [--units DIR] [--cmdline FILE] [--state DIR]   (PID 1 of a PID namespace)
                   jinit image --units DIR [--kernel-modules DIR --modules LIST] [--busybox PATH] [--add SRC:DEST]... -o FILE
                   jinit vm --kernel FILE --image FILE [--disk FILE]... [--forward HOSTPORT:GUESTPORT]... [--memory M] [--append ARGS]
                   jinit status|start|stop|restart|reload|reset-failed|logs|daemon-reload|daemon-reexec ...
                   jinit security [--units DIR] UNIT...   (the protections jinit enforces, as systemd-analyze security)
                   jinit is-active|is-failed UNIT...      jinit list-timers   (ask a running jinit)
                   jinit cat|is-enabled|enable|disable|mask|unmask [--units DIR] UNIT...
                   jinit list-unit-files [--units DIR]    jinit verify [--units DIR] FILE...   (unit files; no jinit needed)
                   jinit poweroff|reboot|halt
                         (talks to a running jinit; jinit status --help for more)
                   jinit network [--state DIR] [--json]   (links and DHCP leases of a running jinit)
            """;

    public static void main(String[] args) {
        // The kernel starts init with no arguments, or with the command line's words it did not
        // understand; `jinit exec` as a container's PID 1 names its command and is not a boot.
        if (ProcessHandle.current().pid() == 1 && (args.length == 0 || !COMMANDS.contains(args[0]))) {
            BootCommand.machineInit();
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    /** The first words that name a mode or client command (anything else makes PID 1 boot). */
    static final java.util.Set<String> COMMANDS = java.util.Set.of("exec", "run", "boot", "security", "-h", "--help", "help",
            "status", "start", "stop", "restart", "reload", "reset-failed", "logs", "daemon-reload", "daemon-reexec",
            "poweroff", "reboot", "halt",
            "cat", "list-unit-files", "is-enabled", "enable", "disable", "mask", "unmask", "verify",
            "is-active", "is-failed", "list-timers");

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** {@code env} is the environment the client commands read (JINIT_STATE, XDG_RUNTIME_DIR). */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "exec" -> ExecCommand.run(rest, out, err);
            case "-h", "--help", "help" -> {
                out.print(USAGE);
                yield 0;
            }
            case "run" -> RunCommand.run(rest, env, out, err);
            case "image" -> ImageCommand.run(rest, out, err);
            case "vm" -> VmCommand.run(rest, out, err);
            case "boot" -> BootCommand.run(rest, err);
            case "network" -> NetworkCommand.run(rest, env, out, err);
            case "security" -> SecurityCommand.run(rest, out, err);
            case "cat", "list-unit-files", "is-enabled", "enable", "disable", "mask", "unmask", "verify" ->
                    UnitFileCommands.run(args[0], rest, out, err);
            case "is-active", "is-failed", "list-timers" ->
                    new QueryCommands(env, out, err, Clock.systemUTC(), ZoneId.systemDefault()).run(args[0], rest);
            case "status", "start", "stop", "restart", "reload", "reset-failed", "logs", "daemon-reload", "daemon-reexec",
                 "poweroff", "reboot", "halt" ->
                    new ClientCommand(env, out, err, Clock.systemUTC(), ZoneId.systemDefault()).run(args[0], rest);
            default -> {
                err.println("jinit: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }
}
