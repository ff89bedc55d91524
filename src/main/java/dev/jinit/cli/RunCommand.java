package dev.jinit.cli;

import dev.jinit.api.ApiOptions;
import dev.jinit.api.HttpApiPart;
import dev.jinit.control.ClientLimits;
import dev.jinit.control.StateDir;
import dev.jinit.supervise.Leftovers;
import dev.jinit.supervise.Generators;
import dev.jinit.supervise.UnitFilesReader;
import dev.jinit.system.StopRequest;
import dev.jinit.system.Supervisor;
import dev.jinit.system.SupervisorLimits;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code jinit run --units DIR [--state DIR]}: supervises a unit directory until SIGTERM or SIGINT,
 * then stops every unit in reverse dependency order and exits 0. SIGHUP re-reads the unit files.
 *
 * <p>Options for tests and unusual layouts: {@code --runtime-base}, {@code --state-base} and
 * {@code --logs-base} move the bases of RuntimeDirectory=, StateDirectory= and LogsDirectory= (default
 * /run, /var/lib, /var/log); {@code --no-cgroup} uses process groups even where cgroup v2 is available.
 * {@code --stop-timeout SPAN} (a systemd time span: {@code 90}, {@code 30s}, {@code 2min}; default 90 s)
 * is the overall deadline of the orderly stop, after which what remains is killed; a second SIGTERM or
 * SIGINT kills it at once.
 * {@code --generators DIR[:DIR...]} runs the unit generators found in those directories (the first
 * directory's winning a name; {@code system} names systemd's: /etc/systemd/system-generators,
 * /usr/local/lib/…, /usr/lib/…) before every load and daemon-reload, with their output directories in
 * the state directory (see {@link Generators}); {@code --generator-timeout SECONDS} (default 30) bounds them.
 * {@code --api HOST:PORT} serves the HTTP API and status page (off unless given; see {@link HttpApiPart}).
 */
final class RunCommand {
    static final String USAGE = "usage: jinit run --units DIR [--state DIR] [--runtime-base DIR] [--state-base DIR] "
            + "[--logs-base DIR] [--no-cgroup] [--stop-timeout SPAN] [--load-timeout SECONDS] [--control-max-clients N] "
            + "[--control-idle-timeout SECONDS] [--generators DIR[:DIR...]|system] [--generator-timeout SECONDS] [--api HOST:PORT [--api-token-file FILE] [--api-tls-cert FILE --api-tls-key FILE]]";

    /** The parsed command line. */
    record Args(Path units, String state, Path runtimeBase, Path stateBase, Path logsBase, boolean noCgroup,
                Duration stopTimeout, Duration loadTimeout, ClientLimits clients, ApiOptions api,
                Generators.Settings generators) {
        static Args parse(String[] args) {
            Path units = null;
            String state = null;
            Path runtime = Path.of("/run"), lib = Path.of("/var/lib"), log = Path.of("/var/log");
            boolean noCgroup = false;
            Duration stopTimeout = null;
            Duration loadTimeout = UnitFilesReader.DEFAULT_DEADLINE;
            int maxClients = ClientLimits.DEFAULTS.maxConnections();
            Duration clientIdle = ClientLimits.DEFAULTS.idleTimeout();
            String api = null, apiToken = null, apiCert = null, apiKey = null;
            List<Path> generatorDirs = new java.util.ArrayList<>();
            Duration generatorTimeout = Generators.DEFAULT_TIMEOUT;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--no-cgroup")) {
                    noCgroup = true;
                    continue;
                }
                String value;
                String key = a;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    key = a.substring(0, eq);
                    value = a.substring(eq + 1);
                } else {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    value = args[++i];
                }
                switch (key) {
                    case "--units" -> units = Path.of(value);
                    case "--state" -> state = value;
                    case "--runtime-base" -> runtime = Path.of(value);
                    case "--state-base" -> lib = Path.of(value);
                    case "--logs-base" -> log = Path.of(value);
                    case "--api" -> api = value;
                    case "--api-token-file" -> apiToken = value;
                    case "--api-tls-cert" -> apiCert = value;
                    case "--api-tls-key" -> apiKey = value;
                    case "--load-timeout" -> loadTimeout = Duration.ofSeconds(positive(a, value));
                    case "--control-max-clients" -> maxClients = (int) positive(a, value);
                    case "--control-idle-timeout" -> clientIdle = Duration.ofSeconds(positive(a, value));
                    case "--stop-timeout" -> stopTimeout = stopTimeout(value);
                    case "--generators" -> {
                        // "system": systemd's generator directories (/etc, /usr/local/lib, /usr/lib, /lib).
                        if (value.equals("system")) generatorDirs.addAll(Generators.SYSTEM_DIRS);
                        else for (String d : value.split(":")) if (!d.isEmpty()) generatorDirs.add(Path.of(d));
                    }
                    case "--generator-timeout" -> generatorTimeout = Duration.ofSeconds(positive(a, value));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (units == null) throw new IllegalArgumentException("--units DIR is required");
            if ((apiToken != null || apiCert != null || apiKey != null) && api == null)
                throw new IllegalArgumentException("--api-token-file, --api-tls-cert and --api-tls-key need --api HOST:PORT");
            return new Args(units, state, runtime, lib, log, noCgroup, stopTimeout, loadTimeout,
                    new ClientLimits(maxClients, clientIdle), api == null ? null : ApiOptions.parse(api, apiToken, apiCert, apiKey),
                    new Generators.Settings(generatorDirs, generatorTimeout));
        }

        /** A positive whole number (seconds, or a count), for the limits tests make small. */
        static long positive(String option, String value) {
            try {
                long n = Long.parseLong(value);
                if (n > 0 && n <= Integer.MAX_VALUE) return n;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + value + ": expected a positive whole number");
        }

        /** A systemd time span; "infinity" is refused: the orderly stop of an init must end. */
        private static Duration stopTimeout(String value) {
            Duration d;
            try {
                d = dev.jinit.unit.TimeSpans.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--stop-timeout " + value + ": " + e.getMessage());
            }
            if (dev.jinit.unit.TimeSpans.isInfinite(d))
                throw new IllegalArgumentException("--stop-timeout " + value + ": the stop of everything must have a deadline");
            return d;
        }
    }

    /** How long processes the units left behind get between SIGTERM and SIGKILL when jinit exits. */
    static final Duration LEFTOVER_GRACE = Duration.ofSeconds(10);

    private RunCommand() {}

    static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("jinit run: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (!Files.isDirectory(args.units())) {
            err.println("jinit run: --units " + args.units() + ": not a directory");
            return 1;
        }
        Path stateDir = StateDir.resolve(args.state(), env, StateDir.effectiveUid());
        try {
            return supervise(args, stateDir, out, err);
        } catch (RuntimeException e) {
            err.println("jinit run: " + e.getMessage());
            return 1;
        }
    }

    private static int supervise(Args args, Path stateDir, PrintStream out, PrintStream err) {
        var options = new Supervisor.Options(args.units(), stateDir, args.runtimeBase(), args.stateBase(), args.logsBase(),
                args.noCgroup(), Map.of("TERM", StopRequest.EXIT, "INT", StopRequest.EXIT), null, false, out, err,
                args.stopTimeout(), args.generators());
        try (Supervisor supervisor = Supervisor.start(options, new SupervisorLimits(args.loadTimeout(), args.clients()),
                parts(args, stateDir, err))) {
            supervisor.allowReexec(); // nothing of jinit run's own start is harmed by running again
            supervisor.loadAndStart();
            supervisor.awaitStopRequest();
            supervisor.stopUnits();
            Leftovers.kill(LEFTOVER_GRACE, out);
        }
        return 0;
    }

    /**
     * The network part, then the HTTP API (which may listen on an address the network configures), each
     * only when asked for, so a plain run never loads their classes.
     */
    static List<dev.jinit.system.Part> parts(Args args, Path stateDir, PrintStream err) {
        List<dev.jinit.system.Part> parts = new java.util.ArrayList<>(network(args.units(), stateDir, err));
        if (args.api() != null) parts.add(new HttpApiPart(args.api(), false));
        return parts;
    }

    /**
     * The network part when {@code *.network} files lie beside the units (resolv.conf and leases then go
     * to the state directory); none otherwise, so a plain run never loads the network classes.
     */
    static List<dev.jinit.system.Part> network(Path units, Path stateDir, PrintStream err) {
        try (var files = java.nio.file.Files.list(units)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".network"))) return List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
        return List.of(new dev.jinit.net.NetworkService(dev.jinit.net.NetworkService.fromUnitDirectory(units, stateDir, err), err));
    }
}
