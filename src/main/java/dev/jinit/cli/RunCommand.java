package dev.jinit.cli;

import dev.jinit.control.ClientLimits;
import dev.jinit.control.ControlServer;
import dev.jinit.control.StateDir;
import dev.jinit.exec.Cgroups;
import dev.jinit.exec.Reaper;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Prctl;
import dev.jinit.linux.SignalDispositions;
import dev.jinit.linux.Signals;
import dev.jinit.log.LogConfig;
import dev.jinit.log.LogPump;
import dev.jinit.log.Stream;
import dev.jinit.supervise.EventLoop;
import dev.jinit.supervise.JobOutcome;
import dev.jinit.supervise.Leftovers;
import dev.jinit.supervise.Manager;
import dev.jinit.supervise.ManagerControl;
import dev.jinit.supervise.Ports;
import dev.jinit.supervise.UnitDefinition;
import dev.jinit.supervise.UnitFilesReader;
import dev.jinit.supervise.notify.NotifySocket;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * {@code jinit run --units DIR [--state DIR]}: supervises a unit directory until SIGTERM or SIGINT,
 * then stops every unit in reverse dependency order and exits 0. SIGHUP re-reads the unit files.
 *
 * <p>Options for tests and unusual layouts: {@code --runtime-base}, {@code --state-base} and
 * {@code --logs-base} move the bases of RuntimeDirectory=, StateDirectory= and LogsDirectory= (default
 * /run, /var/lib, /var/log); {@code --no-cgroup} uses process groups even where cgroup v2 is available.
 */
final class RunCommand {
    static final String USAGE = "usage: jinit run --units DIR [--state DIR] [--runtime-base DIR] [--state-base DIR] "
            + "[--logs-base DIR] [--no-cgroup] [--load-timeout SECONDS] "
            + "[--control-max-clients N] [--control-idle-timeout SECONDS]";

    /** The parsed command line. */
    record Args(Path units, String state, Path runtimeBase, Path stateBase, Path logsBase, boolean noCgroup,
            Duration loadTimeout, ClientLimits clients) {
        static Args parse(String[] args) {
            Path units = null;
            String state = null;
            Path runtime = Path.of("/run"), lib = Path.of("/var/lib"), log = Path.of("/var/log");
            boolean noCgroup = false;
            Duration loadTimeout = UnitFilesReader.DEFAULT_DEADLINE;
            int maxClients = ClientLimits.DEFAULTS.maxConnections();
            Duration clientIdle = ClientLimits.DEFAULTS.idleTimeout();
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
                    case "--load-timeout" -> loadTimeout = seconds(a, value);
                    case "--control-max-clients" -> maxClients = (int) seconds(a, value).toSeconds();
                    case "--control-idle-timeout" -> clientIdle = seconds(a, value);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (units == null) throw new IllegalArgumentException("--units DIR is required");
            return new Args(units, state, runtime, lib, log, noCgroup, loadTimeout, new ClientLimits(maxClients, clientIdle));
        }

        /** A positive whole number (of seconds, or a count), for the limits tests make small. */
        static Duration seconds(String option, String value) {
            try {
                long n = Long.parseLong(value);
                if (n > 0) return Duration.ofSeconds(n);
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " " + value + ": expected a positive whole number");
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
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("state directory " + stateDir + ": " + e.getMessage(), e);
        }
        int self = Posix.getpid();
        // Not PID 1: become the reaper of everything our services leave behind (double-forking daemons).
        if (self != 1) Prctl.setChildSubreaper(true);
        Cgroups cgroups = args.noCgroup() ? null : Cgroups.find().orElse(null);
        Path cgroupParent = cgroups == null ? null : cgroupParent(cgroups, self, err);
        if (cgroupParent == null) cgroups = null;

        CountDownLatch shutdown = new CountDownLatch(1);
        // Inherited as ignored (nohup's SIGHUP, a background job's SIGINT), these would never reach
        // their handlers: SIGTERM must always stop jinit in order, SIGHUP always reload.
        for (int sig : new int[] {Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP}) SignalDispositions.unignore(sig);
        Signal.handle(new Signal("TERM"), s -> shutdown.countDown());
        Signal.handle(new Signal("INT"), s -> shutdown.countDown());

        try (Reaper reaper = Reaper.start();
             LogPump pump = LogPump.start(LogConfig.defaults(stateDir), err);
             EventLoop loop = new EventLoop("jinit-manager", err).start()) {
            reaper.onUnowned((pid, status) -> { }); // orphans adopted as subreaper: reaped, nothing more to do
            Spawner spawner = new Spawner();
            Ports.LogSink sink = new Ports.LogSink() {
                @Override
                public void attach(String unit, Fd readEnd, boolean stderr) {
                    pump.attach(unit, readEnd, stderr ? Stream.STDERR : Stream.STDOUT);
                }

                @Override
                public void note(String unit, String text) {
                    pump.note(unit, text);
                }
            };
            String notifyAddress = StateDir.notifySocket(stateDir).toString();
            Manager manager = new Manager(loop, new Manager.Options(args.runtimeBase(), args.stateBase(), args.logsBase(),
                    cgroups, cgroupParent, notifyAddress), spawner::spawn, reaper::register, sink, out);

            // Unit files are read off the manager thread and within a deadline (UnitFilesReader); reloads
            // are applied one at a time, but a read that hangs holds nothing: it times out.
            UnitFilesReader reader = new UnitFilesReader(args.units(), args.loadTimeout(), err);
            Object reloadLock = new Object();
            java.util.function.Supplier<List<String>> reload = () -> {
                List<UnitDefinition> defs = readOrThrow(reader);
                synchronized (reloadLock) {
                    List<String> changes = manager.load(defs).join();
                    for (String c : changes) out.println("jinit: daemon-reload: " + c);
                    return changes;
                }
            };
            ManagerControl handler = new ManagerControl(manager, pump, reload);
            handler.unavailable("jinit is still loading the unit files in " + args.units() + "; try again shortly");
            Signal.handle(new Signal("HUP"), s -> Thread.ofVirtual().start(() -> {
                try {
                    reload.get();
                    handler.loaded();
                } catch (RuntimeException e) {
                    err.println("jinit: daemon-reload failed: " + e.getMessage());
                }
            }));

            // The control socket first: it refuses to start when another jinit runs on this state
            // directory, before anything of that jinit (its notify socket) could be replaced.
            try (ControlServer control = ControlServer.start(stateDir, handler, msg -> err.println("jinit: control: " + msg),
                    args.clients());
                 NotifySocket notify = NotifySocket.bind(notifyAddress)) {
                notify.start(m -> manager.notifyMessage(m.pid(), m.fields()), d -> err.println("jinit: " + d));
                out.println("jinit: supervising " + args.units() + " (control socket " + control.path() + ", "
                        + (cgroupParent != null ? "cgroups under " + cgroupParent : "process groups") + ")");
                // The initial load runs while SIGTERM is already honoured: a unit directory that cannot be
                // read must not make jinit unstoppable.
                CompletableFuture<List<String>> initial = reader.read().thenCompose(manager::load);
                initial.whenComplete((lines, failure) -> {
                    if (failure != null) {
                        String why = "loading the unit files failed: " + rootMessage(failure) + "; fix it, then run jinit daemon-reload";
                        err.println("jinit: " + why);
                        handler.unavailable(why);
                        return;
                    }
                    for (String line : lines) err.println("jinit: " + line);
                    handler.loaded();
                    if (shutdown.getCount() == 0) return; // SIGTERM came during the load: start nothing
                    manager.startup().thenAccept(outcomes -> {
                        for (JobOutcome o : outcomes) if (!o.ok()) err.println("jinit: " + o.message());
                    });
                });
                awaitUninterruptibly(shutdown);
                out.println("jinit: stopping all units");
                manager.stopAll().join();
                out.println("jinit: all units stopped");
                Leftovers.kill(LEFTOVER_GRACE, out);
            }
        } finally {
            if (cgroupParent != null) removeQuietly(cgroups, cgroupParent);
        }
        return 0;
    }

    /** The unit files' definitions, or an exception whose message says why there are none. */
    private static List<UnitDefinition> readOrThrow(UnitFilesReader reader) {
        try {
            return reader.read().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException(rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** {@code <cgroup2>/jinit/<pid>}, when the cgroup v2 hierarchy is writable here; else null. */
    private static Path cgroupParent(Cgroups cgroups, int self, PrintStream err) {
        try {
            return cgroups.create(Path.of("jinit", Integer.toString(self)));
        } catch (RuntimeException e) {
            err.println("jinit: cannot use the cgroup v2 hierarchy at " + cgroups.mount() + " (" + e.getMessage()
                    + "); units run in process groups");
            return null;
        }
    }

    /** The units' groups are removed as they stop; this removes what is left (empty groups only). */
    private static void removeQuietly(Cgroups cgroups, Path cgroup) {
        try {
            cgroups.remove(cgroup);
        } catch (RuntimeException e) {
            // a group still populated (a process survived, KillMode=process leftovers): left for the administrator
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await(1, TimeUnit.DAYS);
                if (latch.getCount() == 0) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
