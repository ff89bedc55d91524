package dev.jinit.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** The {@code jinit} command: picks the mode from the first argument. */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: jinit exec [-g] [-p Key=Value]... -- CMD [ARGS...]
                   jinit run --units DIR [--state DIR]
                   jinit status|start|stop|restart|reload|logs ... (talks to a running jinit)
            """;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "-h", "--help", "help" -> {
                out.print(USAGE);
                yield 0;
            }
            default -> {
                err.println("jinit: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }
}
