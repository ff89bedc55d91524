package dev.jinit.system;

import dev.jinit.control.ClientLimits;
import dev.jinit.control.Command;
import dev.jinit.control.ControlServer;
import dev.jinit.control.Result;
import dev.jinit.control.StateDir;
import dev.jinit.exec.Cgroups;
import dev.jinit.exec.Reaper;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Fd;
import dev.jinit.linux.NativeHeap;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Prctl;
import dev.jinit.linux.SignalDispositions;
import dev.jinit.linux.Signals;
import dev.jinit.log.LogConfig;
import dev.jinit.log.LogPump;
import dev.jinit.log.Stream;
import dev.jinit.supervise.EventLoop;
import dev.jinit.supervise.FdLimits;
import dev.jinit.supervise.JobOutcome;
import dev.jinit.supervise.Manager;
import dev.jinit.supervise.ManagerControl;
import dev.jinit.supervise.Ports;
import dev.jinit.supervise.UnitDefinition;
import dev.jinit.supervise.Generators;
import dev.jinit.supervise.UnitFilesReader;
import dev.jinit.supervise.Adoptee;
import java.util.ArrayList;
import dev.jinit.supervise.notify.NotifySocket;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * The one composition of a supervising jinit, used by {@code jinit run} and by boot mode alike: the
 * reaper, the log pump, the manager and its thread, the control socket, the notify socket, the signal
 * handlers, and any {@link Part}s (network, HTTP API) plugged in beside them.
 *
 * <p>Lifecycle, in the order a mode calls it:
 * <pre>{@code
 * try (Supervisor s = Supervisor.start(options, parts)) {  // everything up, no unit loaded yet
 *     s.loadAndStart();                                     // units read, startup targets started
 *     StopRequest why = s.awaitStopRequest();               // a signal or a control command
 *     s.stopUnits();                                        // reverse dependency order, then parts
 *     ... the mode's own end (jinit run: leftovers; PID 1: kill(-1), unmount, reboot)
 * }                                                         // sockets, manager, pump, reaper closed
 * }</pre>
 * The reaper keeps collecting every exit until {@link #close}, so a mode's final sweep runs while
 * orphans are still reaped.
 */
public final class Supervisor implements AutoCloseable {

    /**
     * What the composition is built from.
     *
     * @param units       the unit directory
     * @param stateDir    control socket, notify socket and logs live here
     * @param runtimeBase base of RuntimeDirectory= (/run)
     * @param stateBase   base of StateDirectory= (/var/lib)
     * @param logsBase    base of LogsDirectory= (/var/log)
     * @param noCgroup    process groups even where cgroup v2 is available
     * @param stopSignals which signal (by {@code sun.misc.Signal} name: TERM, USR2, …) asks for which stop;
     *                    SIGHUP always re-reads the unit files
     * @param logs        how the log pump keeps lines (null: {@link LogConfig#defaults} in the state directory)
     * @param systemInit  jinit is PID 1 (boot mode): the control socket's poweroff/reboot/halt are carried out
     * @param out         where jinit reports what it does (the console in boot mode)
     * @param err         where jinit reports trouble
     * @param stopTimeout the overall deadline of the orderly stop: what is not down by then is killed
     *                    ({@link Manager#DEFAULT_STOP_ALL_DEADLINE} when null)
     * @param generators  the generator directories run before each load (systemd.generator(7)); their
     *                    output goes to generator{,.early,.late} in the state directory
     */
    public record Options(Path units, Path stateDir, Path runtimeBase, Path stateBase, Path logsBase, boolean noCgroup,
                          Map<String, StopRequest> stopSignals, LogConfig logs, boolean systemInit, PrintStream out,
                          PrintStream err, Duration stopTimeout, Generators.Settings generators) {
        /** Without generators. */
        public Options(Path units, Path stateDir, Path runtimeBase, Path stateBase, Path logsBase, boolean noCgroup,
                       Map<String, StopRequest> stopSignals, LogConfig logs, boolean systemInit, PrintStream out,
                       PrintStream err, Duration stopTimeout) {
            this(units, stateDir, runtimeBase, stateBase, logsBase, noCgroup, stopSignals, logs, systemInit, out, err,
                    stopTimeout, Generators.Settings.NONE);
        }

        /** With the default stop deadline. */
        public Options(Path units, Path stateDir, Path runtimeBase, Path stateBase, Path logsBase, boolean noCgroup,
                       Map<String, StopRequest> stopSignals, LogConfig logs, boolean systemInit, PrintStream out,
                       PrintStream err) {
            this(units, stateDir, runtimeBase, stateBase, logsBase, noCgroup, stopSignals, logs, systemInit, out, err,
                    null, Generators.Settings.NONE);
        }

        public Options {
            if (stopTimeout == null) stopTimeout = Manager.DEFAULT_STOP_ALL_DEADLINE;
            if (stopTimeout.isNegative()) throw new IllegalArgumentException("negative stop timeout: " + stopTimeout);
            Objects.requireNonNull(units, "units");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(stopSignals, "stopSignals");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(err, "err");
            stopSignals = Map.copyOf(stopSignals);
            if (logs == null) logs = LogConfig.defaults(stateDir);
            if (generators == null) generators = Generators.Settings.NONE;
        }
    }

    private final Options options;
    private final Reaper reaper;
    private final LogPump pump;
    private final EventLoop loop;
    private final Manager manager;
    private final Path cgroupParent;
    private final Cgroups cgroups;
    /** Everything to close, the last opened first. */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    /** The parts' handles, closed after the units stopped. */
    private final Deque<Named> parts = new ArrayDeque<>();
    private final CompletableFuture<StopRequest> stopRequest = new CompletableFuture<>();
    /** Completed once the startup jobs have ended (each unit active or failed), or loading failed. */
    private final CompletableFuture<Void> unitsStarted = new CompletableFuture<>();
    private final Object reloadLock = new Object();
    /** Reads the unit files off the manager thread, within {@link Options#loadTimeout}. */
    private final UnitFilesReader reader;
    private ManagerControl handler;
    private ControlServer control;
    /** The units' records for a later jinit; what an earlier one left, to take over or stop at the first load. */
    private UnitRecordStore store;
    private Takeover.Found found = Takeover.Found.NONE;
    private List<Path> previousParents = List.of();
    private Cgroups lookup;
    /** Whether daemon-reexec may be done ({@link #allowReexec}). */
    private volatile boolean reexecAllowed;

    private record Named(String name, AutoCloseable handle) {}

    private Supervisor(Options options, SupervisorLimits limits, Reaper reaper, LogPump pump, EventLoop loop,
                       Manager manager, Cgroups cgroups, Path cgroupParent, Spawner spawner) {
        this.options = options;
        this.reaper = reaper;
        this.pump = pump;
        this.loop = loop;
        this.manager = manager;
        this.cgroups = cgroups;
        this.cgroupParent = cgroupParent;
        this.reader = new UnitFilesReader(options.units(), limits.loadTimeout(), options.err(), options.generators().isEmpty()
                ? null : new Generators(options.generators(), options.stateDir(), spawner, reaper, options.err()));
        // Starting units is jinit's allocation burst (unit files, spawns on short-lived threads, the
        // compiler's arenas); what the C library kept of it goes back to the kernel once it is over:
        // 10 s after the startup jobs ended, when the spawner threads have ended too (5 s idle). One
        // trim, not a periodic one: the JVM's periodic trimmer wakes at every safepoint (~25 times a
        // minute when idle, BENCHMARKS.md).
        unitsStarted.whenComplete((ok, failure) -> CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS)
                .execute(() -> Thread.ofVirtual().name("jinit-heap-trim").start(NativeHeap::trim)));
    }

    /**
     * Brings up the reaper, log pump, manager, control and notify sockets, signal handlers and parts.
     * Throws when the state directory cannot be used or another jinit owns it; a part that fails is
     * only reported.
     */
    public static Supervisor start(Options options, List<Part> parts) {
        return start(options, SupervisorLimits.DEFAULTS, parts);
    }

    /** As {@link #start(Options, List)}, with other bounds on loading and on control clients. */
    public static Supervisor start(Options options, SupervisorLimits limits, List<Part> parts) {
        PrintStream err = options.err();
        try {
            Files.createDirectories(options.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("state directory " + options.stateDir() + ": " + e.getMessage(), e);
        }
        ErrorPathClasses.load(err);
        // As systemd: the supervisor's soft descriptor limit up to the hard one (its services get 1024
        // unless their unit says otherwise, see FdLimits).
        try {
            FdLimits.raiseOwn();
        } catch (RuntimeException e) {
            err.println("jinit: cannot raise the descriptor limit: " + e.getMessage());
        }
        int self = Posix.getpid();
        // Not PID 1: become the reaper of everything our services leave behind (double-forking daemons).
        if (self != 1) Prctl.setChildSubreaper(true);
        Cgroups cgroups = options.noCgroup() ? null : Cgroups.find().orElse(null);
        Path cgroupParent = cgroups == null ? null : cgroupParent(cgroups, self, err);
        if (cgroupParent == null) cgroups = null;
        // After daemon-reexec, this very process left its units up: found before the reaper runs, so
        // that an exit of one of them in between is reported to its unit, not taken as an orphan's.
        UnitRecordStore store = new UnitRecordStore(options.stateDir(), err);
        ReexecState.Handed handed = ReexecState.read(options.stateDir(), self, err);
        Takeover.Found found = handed == null ? null : Takeover.read(store.dir(), cgroups, handed.logs(), self, err);

        Reaper reaper = null;
        LogPump pump = null;
        EventLoop loop = null;
        Supervisor s = null;
        try {
            reaper = Reaper.start();
            reaper.onUnowned((pid, status) -> { }); // orphans adopted as subreaper or PID 1: reaped, nothing more to do
            if (found != null) for (Adoptee a : found.adoptees()) if (a.exits() != null) registerQuietly(reaper, a, err);
            pump = LogPump.start(options.logs(), err);
            loop = new EventLoop("jinit-manager", err).start();
            String notifyAddress = StateDir.notifySocketFor(options.stateDir(), Posix.geteuid() == 0,
                    w -> err.println("jinit: warning: " + w)).toString();
            // Each child is spawned with its pidfd opened and its exit registered while the reaper is held.
            Reaper exits = reaper;
            Spawner spawner = new Spawner();
            Ports.Launcher launcher = (spec, openWait, onExit) -> spawner.spawn(spec, openWait, exits, onExit);
            Manager manager = new Manager(loop, new Manager.Options(options.runtimeBase(), options.stateBase(),
                    options.logsBase(), cgroups, cgroupParent, notifyAddress), launcher, reaper::register,
                    logSink(pump), options.out());
            s = new Supervisor(options, limits, reaper, pump, loop, manager, cgroups, cgroupParent, spawner);
            s.opened.push(reaper);
            s.opened.push(pump);
            s.opened.push(loop);
            s.store = store;
            s.opened.push(store);
            s.installSignals();
            // The control socket first: it refuses to start when another jinit runs on this state
            // directory, before anything of that jinit (its notify socket) could be replaced.
            s.handler = new ManagerControl(manager, pump, s::reload, options.systemInit() ? s::shutdownCommand : null);
            // Until the unit files are loaded, every command is answered "still loading" (never "0 units").
            s.handler.unavailable("jinit is still loading the unit files in " + options.units() + "; try again shortly");
            s.handler.reexec(s.new Reexecutor());
            s.control = ControlServer.start(options.stateDir(), s.handler, msg -> err.println("jinit: control: " + msg),
                    limits.clients());
            s.opened.push(s.control);
            // No live jinit uses this state directory (the control socket is ours): what a dead one left
            // is taken over once the units are loaded (its records), or stopped then, before any unit
            // could start beside it.
            Cgroups lookup = cgroups != null ? cgroups : Cgroups.find().orElse(null);
            s.previousParents = PreviousInstance.parents(options.stateDir(), lookup, err);
            s.lookup = lookup;
            s.found = found != null ? found : Takeover.read(store.dir(), cgroups, Map.of(), self, err);
            List<Path> recorded = new ArrayList<>();
            if (cgroupParent != null) recorded.add(cgroupParent);
            recorded.addAll(s.previousParents);
            PreviousInstance.record(options.stateDir(), recorded, err);
            manager.recordUnits(store);
            NotifySocket notify = NotifySocket.bind(notifyAddress);
            s.opened.push(notify);
            notify.start(m -> manager.notifyMessage(m.pid(), m.fields()), d -> err.println("jinit: " + d));
            // Before a watchdog, start or stop timeout fires, what the units sent in time is read, the
            // exits that happened in time are reaped, and emptied cgroups are seen (EventLoop), in
            // this order (a process says STOPPING=1, then exits; then its cgroup is empty).
            // Type=dbus services: their BusName= is watched on the system bus. The watcher's thread and
            // connection are made by the first such service's start, never otherwise.
            try {
                dev.jinit.dbus.BusNameWatcher bus = new dev.jinit.dbus.BusNameWatcher(
                        dev.jinit.dbus.BusNameWatcher.systemBusAddress(), Posix.geteuid(), manager::busNameOwner, err);
                s.opened.push(bus);
                manager.attachBus(new dev.jinit.supervise.Ports.BusNames() {
                    @Override
                    public void watch(String name) {
                        bus.watch(name);
                    }

                    @Override
                    public void unwatch(String name) {
                        bus.unwatch(name);
                    }
                });
            } catch (RuntimeException e) {
                err.println("jinit: warning: no system bus for Type=dbus services: " + e.getMessage());
            }
            EventLoop managerLoop = loop;
            Reaper exitsInTime = reaper;
            managerLoop.beforeTimers(() -> drainNotify(notify, manager, err));
            managerLoop.beforeTimers(() -> exitsInTime.reapWaiting(10_000));
            managerLoop.beforeTimers(manager::drainScopeEvents);
        } catch (RuntimeException e) {
            if (s != null) s.close();
            else {
                for (AutoCloseable c : new AutoCloseable[] {loop, pump, reaper}) closeQuietly(c, err);
                if (cgroupParent != null) removeQuietly(cgroups, cgroupParent);
            }
            throw e;
        }
        for (Part part : parts) s.startPart(part);
        return s;
    }

    /**
     * Lets {@code jinit daemon-reexec} execute this process anew: a mode whose own start (before and
     * around {@link #start}) can run again on the same process says so; {@code jinit run} does.
     */
    public void allowReexec() {
        reexecAllowed = true;
    }

    /**
     * Whether this process is the new image of a jinit that just executed itself ({@code daemon-reexec})
     * on {@code stateDir}: its hand-over file names this very pid. For a mode to skip the start steps
     * that are done already (boot mode's mounts, modules, hostname).
     */
    public static boolean reexecuted(Path stateDir) {
        try {
            String text = new String(dev.jinit.linux.RegularFile.read(stateDir.resolve(ReexecState.FILE), 1 << 20),
                    java.nio.charset.StandardCharsets.UTF_8);
            return text.startsWith("pid=" + Posix.getpid() + "\n");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks after boot), or null when there is no such process. */
    public static String processStartTime(int pid) {
        return Takeover.startTime(pid);
    }

    public Manager manager() {
        return manager;
    }

    public LogPump logs() {
        return pump;
    }

    public Path stateDir() {
        return options.stateDir();
    }

    public Path controlSocket() {
        return control.path();
    }

    public PrintStream out() {
        return options.out();
    }

    public PrintStream err() {
        return options.err();
    }

    /** Registers a process that is not a unit's (the console shell) with the reaper; see {@link Reaper#register}. */
    public Reaper reaper() {
        return reaper;
    }

    /**
     * Starts reading the unit directory (on its own thread, see {@link UnitFilesReader}); when it is
     * read, hands it to the manager and starts what multi-user.target and default.target want.
     * Returns at once, so that a stop request is honoured even while the files are read. Diagnostics
     * are printed once; start failures are reported as they settle. A read that fails or passes its
     * deadline leaves jinit running with no units and every command answered with the reason, until
     * a daemon-reload succeeds.
     *
     * @return completes when the units are loaded (not started), or exceptionally with the reason
     */
    public CompletableFuture<Void> loadAndStart() {
        return loadAndReach(null);
    }

    /**
     * As {@link #loadAndStart()}, but with {@code target} (the kernel's {@code systemd.unit=}) started
     * instead of the startup targets when it is not null.
     */
    public CompletableFuture<Void> loadAndReach(String target) {
        options.out().println("jinit: supervising " + options.units() + " (control socket " + control.path() + ", "
                + (cgroupParent != null ? "cgroups under " + cgroupParent : "process groups") + ")");
        CompletableFuture<List<String>> initial = reader.read().thenCompose(manager::load)
                .handle((lines, failure) -> takeOver(failure == null).handle((v, e) -> {
                    if (failure != null) throw new java.util.concurrent.CompletionException(failure);
                    return lines;
                })).thenCompose(f -> f);
        return initial.handle((lines, failure) -> {
            if (failure != null) {
                String why = "loading the unit files failed: " + rootMessage(failure) + "; fix it, then run jinit daemon-reload";
                options.err().println("jinit: " + why);
                handler.unavailable(why);
                unitsStarted.complete(null);
                throw new java.util.concurrent.CompletionException(failure);
            }
            for (String line : lines) options.err().println("jinit: " + line);
            handler.loaded();
            if (stopRequest.isDone()) { // a stop came during the load: start nothing
                unitsStarted.complete(null);
                return null;
            }
            if (target == null || Manager.STARTUP_TARGETS.contains(target)) {
                manager.startup().whenComplete((outcomes, error) -> {
                    if (outcomes != null) for (JobOutcome o : outcomes) if (!o.ok()) options.err().println("jinit: " + o.message());
                    unitsStarted.complete(null);
                });
            } else {
                manager.start(target).whenComplete((o, error) -> {
                    if (o != null && !o.ok()) options.err().println("jinit: " + o.message());
                    unitsStarted.complete(null);
                });
            }
            return null;
        });
    }

    /**
     * The units an earlier jinit left up are taken over (when {@code loaded}: the unit files were read),
     * and what is left of it is stopped, on a thread of its own (the stop waits up to its grace period),
     * before the startup that follows could start anything twice. Runs once; later calls do nothing.
     */
    private CompletableFuture<Void> takeOver(boolean loaded) {
        Takeover.Found f;
        synchronized (this) {
            f = found;
            found = Takeover.Found.NONE;
        }
        if (f.adoptees().isEmpty() && f.refused().isEmpty() && previousParents.isEmpty()) return CompletableFuture.completedFuture(null);
        CompletableFuture<List<Manager.Refusal>> adopted = loaded ? manager.adopt(f.adoptees())
                : CompletableFuture.completedFuture(f.adoptees().stream().map(a -> new Manager.Refusal(a, "the unit files could not be loaded")).toList());
        return adopted.exceptionally(e -> f.adoptees().stream().map(a -> new Manager.Refusal(a, "taking over failed: " + e)).toList())
                .thenAcceptAsync(refusals -> {
                    List<Manager.Refusal> all = new ArrayList<>(f.refused());
                    all.addAll(refusals);
                    java.util.Set<Path> keep = new java.util.HashSet<>();
                    java.util.Set<String> refusedUnits = new java.util.HashSet<>();
                    for (Manager.Refusal r : all) refusedUnits.add(r.adoptee().unit());
                    for (Adoptee a : f.adoptees()) if (!refusedUnits.contains(a.unit()) && a.cgroup() != null) keep.add(a.cgroup());
                    List<Ports.Handle> toStop = new ArrayList<>();
                    for (Manager.Refusal r : all) {
                        options.err().println("jinit: not taking over " + r.adoptee().unit() + " from the previous jinit: " + r.reason()
                                + (r.adoptee().handle() != null ? "; stopping what it left" : ""));
                        store.remove(r.adoptee().unit());
                        if (r.adoptee().handle() != null) toStop.add(r.adoptee().handle());
                        for (Adoptee.Log l : r.adoptee().logs()) l.readEnd().close();
                    }
                    int taken = f.adoptees().size() - refusals.size();
                    if (taken > 0) options.out().println("jinit: took over " + taken + " unit(s) the previous jinit left running");
                    PreviousInstance.stopLeftovers(lookup, previousParents, keep, cgroupParent, toStop, options.out(), options.err());
                    List<Path> recorded = new ArrayList<>();
                    if (cgroupParent != null) recorded.add(cgroupParent);
                    for (Path p : previousParents) if (java.nio.file.Files.isDirectory(p)) recorded.add(p);
                    PreviousInstance.record(options.stateDir(), recorded, options.err());
                }, command -> Thread.ofVirtual().name("jinit-takeover").start(command));
    }

    /**
     * {@code jinit daemon-reexec}: this process executes itself anew (the same program, arguments and
     * environment: /proc/self/exe, cmdline, environ), keeping its pid, so every unit stays its child and
     * keeps running; the new jinit takes them over from their records, reading their output pipes on
     * through descriptors kept open across execve. Done on the manager thread with the reaper held, so
     * nothing changes between the records and the execve.
     */
    private final class Reexecutor implements ManagerControl.Reexec {
        private final Object lock = new Object();

        @Override
        public Result check() {
            if (stopRequest.isDone()) return failed("jinit is stopping");
            if (!reexecAllowed) return failed("daemon-reexec is not possible in this mode (or before its start steps are done)");
            List<String> why;
            try {
                why = manager.reexecBlockers().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                return failed("cannot check the units: " + e);
            }
            if (!why.isEmpty()) return failed("cannot re-execute now: " + String.join("; ", why));
            try {
                command();
            } catch (IOException | RuntimeException e) {
                return failed("cannot read this jinit's command line: " + e.getMessage());
            }
            return Result.OK;
        }

        private static Result failed(String why) {
            return new Result(List.of(new dev.jinit.control.Failure("", dev.jinit.control.Failure.Reason.FAILED, why)));
        }

        @Override
        public void go() {
            synchronized (lock) {
                if (stopRequest.isDone()) return;
                Reaper.Hold hold = reaper.hold();
                try {
                    List<String> why = manager.whenQuiet(this::execute).get(60, TimeUnit.SECONDS);
                    if (!why.isEmpty()) options.err().println("jinit: daemon-reexec not done: " + String.join("; ", why));
                } catch (Exception e) {
                    Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                    options.err().println("jinit: daemon-reexec failed, going on as before: " + t.getMessage());
                } finally {
                    hold.close();
                }
            }
        }

        /** On the manager thread, nothing blocking a re-exec: records on disk, pipes kept, execve. */
        private void execute() {
            if (!store.flush(10_000)) throw new IllegalStateException("the unit records could not be written within 10 s");
            SelfCommand cmd;
            try {
                cmd = command();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int self = Posix.getpid();
            List<LogPump.Kept> kept = pump.handOver(Duration.ofSeconds(10));
            try {
                ReexecState.write(options.stateDir(), self, kept);
                java.util.Set<Integer> keep = new java.util.HashSet<>();
                for (LogPump.Kept k : kept) keep.add(k.fd());
                closeOnExecAllBut(keep);
                options.out().println("jinit: re-executing " + cmd.exe() + " (pid " + self + "), " + kept.size()
                        + " log pipe(s) handed over");
                options.out().flush();
                options.err().flush();
                System.out.flush();
                System.err.flush();
                dev.jinit.linux.Exec.execve(cmd.exe(), cmd.argv(), cmd.env());
            } catch (IOException | RuntimeException e) {
                // Still this jinit: its pipes are read again, the hand-over is forgotten.
                ReexecState.delete(options.stateDir());
                for (LogPump.Kept k : kept) {
                    try {
                        dev.jinit.linux.Fcntl.setCloexec(k.fd(), true);
                        pump.attach(k.unit(), Fd.adopt(k.fd()), k.stream());
                    } catch (RuntimeException again) {
                        options.err().println("jinit: cannot read " + k.unit() + "'s " + k.stream().tag() + " again: " + again.getMessage());
                    }
                }
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
    }

    /** What this process runs: the program (its real path), its arguments and environment as the kernel keeps them. */
    private record SelfCommand(String exe, List<byte[]> argv, List<byte[]> env) {}

    private static SelfCommand command() throws IOException {
        String exe = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
        if (exe.endsWith(" (deleted)")) throw new IOException("the running program " + exe + " was replaced or removed");
        List<byte[]> argv = nulSeparated(Files.readAllBytes(Path.of("/proc/self/cmdline")));
        if (argv.isEmpty()) throw new IOException("/proc/self/cmdline is empty");
        return new SelfCommand(exe, argv, nulSeparated(Files.readAllBytes(Path.of("/proc/self/environ"))));
    }

    private static List<byte[]> nulSeparated(byte[] block) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] != 0) continue;
            out.add(java.util.Arrays.copyOfRange(block, start, i));
            start = i + 1;
        }
        if (start < block.length) out.add(java.util.Arrays.copyOfRange(block, start, block.length));
        return out;
    }

    /**
     * FD_CLOEXEC on every descriptor from 3 on but {@code keep}: the JDK opens its own files and sockets
     * without it, and a control socket carried into the new jinit would look like a live jinit there.
     */
    private static void closeOnExecAllBut(java.util.Set<Integer> keep) throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : ds) fds.add(Integer.parseInt(p.getFileName().toString()));
        }
        for (int fd : fds) {
            if (fd < 3 || keep.contains(fd)) continue;
            try {
                dev.jinit.linux.Fcntl.setCloexec(fd, true);
            } catch (RuntimeException e) {
                // the directory's own descriptor, closed meanwhile
            }
        }
    }

    private static void registerQuietly(Reaper reaper, Adoptee a, PrintStream err) {
        try {
            reaper.register(a.pid(), a.exits());
        } catch (IllegalStateException e) {
            err.println("jinit: " + a.unit() + ": " + e.getMessage());
        }
    }

    /**
     * Completes when the startup jobs of {@link #loadAndReach} have ended (or loading failed): a part with
     * a slow start of its own (the HTTP server's class loading) waits for it, so that no unit competes
     * with it for CPU.
     */
    public CompletableFuture<Void> unitsStarted() {
        return unitsStarted;
    }

    /** Re-reads the unit files (SIGHUP, daemon-reload); returns a line per change. */
    public List<String> reload() {
        List<UnitDefinition> definitions;
        try {
            definitions = reader.read().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException(rootMessage(e), e);
        }
        synchronized (reloadLock) {
            List<String> changes = manager.load(definitions).join();
            for (String c : changes) options.out().println("jinit: daemon-reload: " + c);
            handler.loaded();
            return changes;
        }
    }

    private static String rootMessage(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /**
     * Asks for a stop (from a signal handler, the control socket or a part). The first request wins;
     * a later one forces the stop in progress (what is not down is killed at once, as a second
     * SIGTERM or SIGINT does for systemd's shutdown) and otherwise changes nothing.
     */
    public void requestStop(StopRequest request) {
        if (!stopRequest.complete(request)) {
            options.err().println("jinit: " + request.word() + " requested again while stopping for "
                    + stopRequest.join().word() + ": killing what is left");
            manager.forceStopAll();
        }
    }

    /** {@code jinit poweroff|reboot|halt} from the control socket: answered at once, carried out by the mode. */
    private Result shutdownCommand(Command cmd) {
        StopRequest request = switch (cmd) {
            case POWEROFF -> StopRequest.POWEROFF;
            case REBOOT -> StopRequest.REBOOT;
            case HALT -> StopRequest.HALT;
            default -> throw new IllegalArgumentException("not a shutdown command: " + cmd.word());
        };
        options.out().println("jinit: " + cmd.word() + " asked for over the control socket");
        requestStop(request);
        return Result.OK;
    }

    /** Waits, without giving up on interrupts, for the first {@link #requestStop}. */
    public StopRequest awaitStopRequest() {
        boolean interrupted = false;
        StopRequest r;
        while (true) {
            try {
                r = stopRequest.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return r;
    }

    /** The orderly stop: every unit in reverse dependency order, then the parts in reverse order. */
    public void stopUnits() {
        options.out().println("jinit: stopping all units");
        manager.stopAll(options.stopTimeout()).join();
        options.out().println("jinit: all units stopped");
        while (!parts.isEmpty()) {
            Named p = parts.pop();
            try {
                p.handle().close();
            } catch (Exception e) {
                options.err().println("jinit: stopping " + p.name() + ": " + e);
            }
        }
    }

    /** Closes the sockets, the manager's thread, the log pump and the reaper, in that order. */
    @Override
    public void close() {
        unitsStarted.completeExceptionally(new IllegalStateException("supervisor closed"));
        while (!parts.isEmpty()) closeQuietly(parts.pop().handle(), options.err());
        while (!opened.isEmpty()) closeQuietly(opened.pop(), options.err());
        if (cgroupParent != null) removeQuietly(cgroups, cgroupParent);
        // Older groups that held units taken over: empty now that every unit stopped.
        for (Path p : previousParents) if (lookup != null && !p.equals(cgroupParent)) removeQuietly(lookup, p);
        if (control != null) PreviousInstance.forget(options.stateDir());
    }

    private void startPart(Part part) {
        try {
            parts.push(new Named(part.name(), part.start(this)));
            options.out().println("jinit: " + part.name() + " started");
        } catch (Exception | LinkageError e) {
            // A part is an extra: jinit (and PID 1 above all) goes on without it.
            options.err().println("jinit: " + part.name() + " failed to start, going on without it: " + e);
        }
    }

    private void installSignals() {
        // Inherited as ignored (nohup's SIGHUP, a background job's SIGINT), these would never reach
        // their handlers: a stop signal must always stop jinit in order, SIGHUP always reload.
        SignalDispositions.unignore(Signals.SIGHUP);
        for (Map.Entry<String, StopRequest> e : options.stopSignals().entrySet()) {
            SignalDispositions.unignore(Signals.parse(e.getKey()));
            StopRequest request = e.getValue();
            Signal.handle(new Signal(e.getKey()), sig -> requestStop(request));
        }
        Signal.handle(new Signal("HUP"), sig -> Thread.ofVirtual().start(() -> {
            try {
                reload();
            } catch (RuntimeException e) {
                options.err().println("jinit: daemon-reload failed: " + e.getMessage());
            }
        }));
    }

    /** Takes every datagram waiting in the notify socket, on the manager thread (see EventLoop#beforeTimers). */
    private static void drainNotify(NotifySocket notify, Manager manager, PrintStream err) {
        for (int i = 0; i < 10_000; i++) {
            NotifySocket.Received r = notify.receive();
            if (r == null) return;
            switch (r) {
                case NotifySocket.Received.Message m -> manager.notifyMessage(m.message().pid(), m.message().fields());
                case NotifySocket.Received.Rejected x -> err.println("jinit: " + x.dropped());
            }
        }
    }

    private static Ports.LogSink logSink(LogPump pump) {
        return new Ports.LogSink() {
            @Override
            public void attach(String unit, Fd readEnd, boolean stderr) {
                pump.attach(unit, readEnd, stderr ? Stream.STDERR : Stream.STDOUT);
            }

            @Override
            public void note(String unit, String text) {
                pump.note(unit, text);
            }
        };
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

    private static void closeQuietly(AutoCloseable c, PrintStream err) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            err.println("jinit: closing " + c.getClass().getSimpleName() + ": " + e);
        }
    }
}
