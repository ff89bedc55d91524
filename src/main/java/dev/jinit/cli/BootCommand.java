package dev.jinit.cli;

import dev.jinit.boot.BootMode;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jinit boot [--units DIR] [--cmdline FILE] [--state DIR]}: boot mode as PID 1 of a new PID
 * namespace, for tests and trials without a VM ({@code unshare --pid --fork --mount --mount-proc jinit boot}).
 * The machine's own PID 1 (the kernel's {@code /init}) comes through {@link #machineInit} instead.
 */
final class BootCommand {
    static final String USAGE = "usage: jinit boot [--units DIR] [--cmdline FILE] [--state DIR]\n"
            + "       (as PID 1 of a PID namespace: unshare --pid --fork --mount --mount-proc jinit boot ...)";

    private BootCommand() {}

    record Args(Path units, Path cmdline, Path state) {
        static Args parse(String[] args) {
            Path units = null, cmdline = Path.of("/proc/cmdline"), state = BootMode.defaultStateDir();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String key = a, value;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    key = a.substring(0, eq);
                    value = a.substring(eq + 1);
                } else {
                    if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    value = args[++i];
                }
                if (value.isEmpty()) throw new IllegalArgumentException(key + ": empty value");
                switch (key) {
                    case "--units" -> units = Path.of(value).toAbsolutePath().normalize();
                    case "--cmdline" -> cmdline = Path.of(value);
                    case "--state" -> state = Path.of(value).toAbsolutePath().normalize();
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Args(units, cmdline, state);
        }
    }

    static int run(String[] argv, PrintStream err) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("jinit boot: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (ProcessHandle.current().pid() != 1) {
            // Its shutdown kills every process it can see: only ever as the init of its own namespace.
            err.println("jinit boot: must be PID 1 (of a PID namespace); this is PID " + ProcessHandle.current().pid());
            err.println(USAGE);
            return 2;
        }
        return BootMode.boot(new BootMode.Settings(false, args.cmdline(), args.units(), args.state(),
                (options, units, state, console) -> BootParts.of(options, units, state, false, console)));
    }

    /** The kernel started jinit as PID 1: boot the machine; never returns. */
    static void machineInit() {
        BootMode.runAsMachineInit(new BootMode.Settings(true, Path.of("/proc/cmdline"), null,
                BootMode.defaultStateDir(), (options, units, state, console) -> BootParts.of(options, units, state, true, console)));
    }
}
