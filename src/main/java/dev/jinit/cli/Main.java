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
                   jinit image --units DIR [--kernel-modules DIR --modules LIST] [--busybox PATH] [--add SRC:DEST]... -o FILE
                   jinit vm --kernel FILE --image FILE [--disk FILE]... [--forward HOSTPORT:GUESTPORT]... [--memory M] [--append ARGS]
                   jinit status|start|stop|restart|reload|reset-failed|logs|daemon-reload ...
                         (talks to a running jinit; jinit status --help for more)
            """;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

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
            case "status", "start", "stop", "restart", "reload", "reset-failed", "logs", "daemon-reload" ->
                    new ClientCommand(env, out, err, Clock.systemUTC(), ZoneId.systemDefault()).run(args[0], rest);
            default -> {
                err.println("jinit: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }
}
