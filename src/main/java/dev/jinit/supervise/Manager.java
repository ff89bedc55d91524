package dev.jinit.supervise;

import dev.jinit.exec.Cgroups;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisor: every unit's state and the requests on them, all owned by one {@link EventLoop}
 * thread. Other threads call the public methods, which post to that thread and answer with futures.
 * Split the way systemd splits it: this class takes requests and loads definitions (manager.c);
 * a {@link Transaction} turns a request into consistent jobs against the one
 * {@link dev.jinit.unit.DependencyGraph} (transaction.c); the {@link JobQueue} runs them in their
 * order (job.c); each service's {@link ServiceDriver} carries out its {@link ServiceMachine}'s
 * actions through the {@link ManagerPorts}. Every state change is published on a
 * {@link TransitionStream} ({@link #subscribe}).
 *
 * <p>Dependencies follow systemd: starting a unit starts what it Requires=, Wants= and BindsTo=
 * (and stops what it Conflicts= with); a start job waits until every unit it is ordered After=
 * has finished its own job (for a notify service: READY=1). A failed start fails the jobs of units
 * that Require or BindTo it and are ordered after it. Stopping a unit stops the units that Require,
 * BindTo or are PartOf it, in reverse order; a unit whose BindsTo= target goes down on its own is
 * stopped too. Stopping everything has an overall deadline after which what remains is killed.
 */
public final class Manager implements AutoCloseable {
    /** Targets that make a unit start at startup when named in its WantedBy=/RequiredBy=. */
    public static final Set<String> STARTUP_TARGETS = Set.of("multi-user.target", "default.target");
    /** How often a main process that is not jinit's child is checked for life. */
    static final long FOREIGN_POLL_MILLIS = ServiceDriver.FOREIGN_POLL_MILLIS;
    /**
     * The overall deadline of stopping everything, as systemd's default for shutdown (90 s, its
     * DefaultTimeoutStopSec): after it, what remains is killed.
     */
    public static final Duration DEFAULT_STOP_ALL_DEADLINE = Duration.ofSeconds(90);

    /**
     * Where things go.
     *
     * @param runtimeBase  base of RuntimeDirectory= (/run)
     * @param stateBase    base of StateDirectory= (/var/lib)
     * @param logsBase     base of LogsDirectory= (/var/log)
     * @param cgroups      the cgroup v2 hierarchy, or null for process groups
     * @param cgroupParent the directory in it under which each unit gets its own group (null with {@code cgroups})
     * @param notifySocket the NOTIFY_SOCKET address given to units, or null
     */
    public record Options(Path runtimeBase, Path stateBase, Path logsBase, Cgroups cgroups, Path cgroupParent,
                          String notifySocket) {
        public Options {
            if ((cgroups == null) != (cgroupParent == null))
                throw new IllegalArgumentException("a cgroup parent needs the cgroup hierarchy, and the other way round");
        }
    }

    private final EventLoop loop;
    private final PrintStream console;
    private final TransitionStream transitions = new TransitionStream();

    // ---- owned by the loop thread ----
    private final UnitTable units = new UnitTable();
    private final JobQueue jobs;
    private final Transaction transaction;
    private final ServiceDriver.Context driverContext;
    private boolean shuttingDown;
    /** Who owns bus names on the system bus (Type=dbus); see {@link #attachBus}. */
    private volatile Ports.BusNames bus = Ports.BusNames.NONE;
    private boolean busMissingNoted;
    /** Built-in definitions of held targets, used when no unit file defines them ({@link #holdTarget}). */
    private final Map<String, UnitDefinition> heldTargets = new java.util.LinkedHashMap<>();
    private boolean loadedOnce;
    /** The stop of everything in progress, once asked; its deadline timer. */
    private CompletableFuture<List<JobOutcome>> stoppingAll;
    private Clock.Timer stopAllDeadline;
    /** What timers measure with: the wall clock, its zone, the stamps of Persistent= timers; see {@link #timerClock}. */
    private java.util.function.LongSupplier wallMillis = System::currentTimeMillis;
    private java.time.ZoneId zone = java.time.ZoneId.systemDefault();
    private TimerMachine.Stamps stamps;
    private final java.util.Random random = new java.util.Random();
    /** The manager's start on the loop's clock: OnStartupSec= counts from here. */
    private final long startupMillis;

    /** With the kernel's processes and scopes as {@code options} ask ({@link ManagerPorts#kernel}). */
    public Manager(EventLoop loop, Options options, Ports.Launcher launcher, Ports.ExitWatcher exits,
                   Ports.LogSink logs, PrintStream console) {
        this(loop, options, ManagerPorts.kernel(options, launcher, exits, logs), console);
    }

    public Manager(EventLoop loop, Options options, ManagerPorts ports, PrintStream console) {
        this.loop = loop;
        this.console = console;
        this.jobs = new JobQueue(units, loop, console);
        this.transaction = new Transaction(units, jobs, console);
        this.startupMillis = loop.millis();
        this.stamps = options.stateBase() == null ? TimerMachine.Stamps.NONE
                : new TimerStamps(options.stateBase().resolve("jinit").resolve("timers"), loop, console);
        this.driverContext = new ServiceDriver.Context(loop, options, ports, console, new ServiceDriver.Listener() {
            @Override
            public void published(UnitTransition change) {
                transitions.publish(change);
            }

            @Override
            public void settled(UnitRuntime unit, List<Action.StateChanged> batch) {
                Manager.this.settled(unit, batch);
            }

            @Override
            public String unitHolding(int pid, UnitRuntime asking) {
                for (UnitRuntime rt : units.all())
                    if (rt != asking && rt.driver != null && rt.driver.holds(pid)) return rt.name;
                return null;
            }

            @Override
            public void spawnAnswered() {
                Manager.this.spawnAnswered();
            }

            @Override
            public void watchBusName(String busName) {
                Ports.BusNames b = bus;
                if (b == Ports.BusNames.NONE && !busMissingNoted) {
                    busMissingNoted = true;
                    console.println("jinit: no D-Bus connection is set up: Type=dbus services cannot see their BusName= acquired");
                }
                try {
                    b.watch(busName);
                } catch (RuntimeException e) {
                    console.println("jinit: cannot watch D-Bus name " + busName + ": " + e);
                }
            }

            @Override
            public void unwatchBusName(String busName, UnitRuntime down) {
                for (UnitRuntime rt : units.all()) {
                    if (rt != down && rt.machine != null && busName.equals(rt.machine.config().busName())
                            && !rt.machine.state().isInactive())
                        return;
                }
                try {
                    bus.unwatch(busName);
                } catch (RuntimeException e) {
                    console.println("jinit: cannot stop watching D-Bus name " + busName + ": " + e);
                }
            }

            @Override
            public SocketRuntime.Host socketHost() {
                return sockets;
            }

            @Override
            public UnitRecord.Sink records() {
                return records;
            }

            @Override
            public List<UnitRuntime> socketsOf(UnitRuntime service) {
                List<UnitRuntime> out = new ArrayList<>();
                for (String n : socketsByService.getOrDefault(service.name, List.of())) {
                    UnitRuntime so = units.get(n);
                    if (so != null && so.socket != null && !so.socket.config().socket().accept()
                            && (so.socket.state() == SocketRuntime.State.LISTENING || so.socket.state() == SocketRuntime.State.RUNNING))
                        out.add(so);
                }
                return out;
            }
        });
    }

    /** Where units that are up are recorded for a later jinit; see {@link #recordUnits}. */
    private volatile UnitRecord.Sink records = UnitRecord.Sink.NONE;

    /**
     * From now on every service that is up (running with its main pid, or exited) is recorded in
     * {@code sink}, and its record removed when it goes down: what a later jinit takes over
     * ({@link #adopt}) after {@code daemon-reexec} or a crash of this one.
     */
    public void recordUnits(UnitRecord.Sink sink) {
        records = java.util.Objects.requireNonNull(sink);
    }

    /**
     * Why the units cannot be handed to a re-executed jinit right now (empty: they can): a job in
     * progress, a service between states (starting, stopping, reloading, waiting to restart), a spawn
     * not answered yet, or an active socket unit (its listening sockets are not handed over).
     */
    public CompletableFuture<List<String>> reexecBlockers() {
        return loop.call(this::blockers);
    }

    /**
     * Runs {@code handOver} on the manager thread when nothing blocks a re-exec ({@link #reexecBlockers})
     * at that moment; no event is handled while it runs (it ends in execve, or throws).
     *
     * @return what blocked it (empty when it ran and returned)
     */
    public CompletableFuture<List<String>> whenQuiet(Runnable handOver) {
        return loop.call(() -> {
            List<String> why = blockers();
            if (why.isEmpty()) handOver.run();
            return why;
        });
    }

    private List<String> blockers() {
        {
            List<String> why = new ArrayList<>();
            if (shuttingDown || stoppingAll != null) why.add("jinit is stopping");
            for (UnitRuntime rt : units.all()) {
                if (jobs.has(rt.name)) why.add(rt.name + " has a job in progress (" + rt.activeState().word() + ", " + rt.subState() + ")");
                else if (rt.machine != null) {
                    ServiceState st = rt.machine.state();
                    if (st != ServiceState.DEAD && st != ServiceState.FAILED && st != ServiceState.RUNNING && st != ServiceState.EXITED)
                        why.add(rt.name + " is " + rt.activeState().word() + " (" + st.word + ")");
                    else if (st == ServiceState.RUNNING && rt.machine.mainPid() <= 0)
                        why.add(rt.name + " runs without a known main process (it could not be taken over)");
                    else if (rt.driver.launching()) why.add(rt.name + " has a process being started");
                    else if (rt.connection != null && !rt.isInactive()) why.add(rt.name + " serves a connection of " + rt.acceptedBy);
                } else if (rt.socket != null && !rt.isInactive()) {
                    why.add(rt.name + " is " + rt.activeState().word() + " (listening sockets are not handed over across daemon-reexec; stop it first)");
                }
            }
            return why;
        }
    }

    /** A unit that was not taken over, and why: the caller stops what it left. */
    public record Refusal(Adoptee adoptee, String reason) {}

    /**
     * Takes over the units an earlier jinit left up (call it after {@link #load}, before
     * {@link #startup}): each becomes active with its main process, without any Exec* command, so that
     * the startup that follows finds it up and starts nothing twice. A unit is refused (and returned,
     * its handles still open for the caller to stop what it left) when it is no longer a loaded service,
     * is not down, has a job, or its record cannot be honoured (running without a process).
     */
    public CompletableFuture<List<Refusal>> adopt(List<Adoptee> adoptees) {
        return loop.call(() -> {
            List<Refusal> refused = new ArrayList<>();
            for (Adoptee a : adoptees) {
                UnitRuntime rt = units.get(a.unit());
                String why = rt == null ? "no such unit any more"
                        : !rt.def.loaded() ? "its unit file does not load (" + rt.def.loadError() + ")"
                        : rt.machine == null ? "it is not a service"
                        : !rt.isInactive() || jobs.has(rt.name) ? "it is " + rt.activeState().word() + " already"
                        : rt.pending != null ? "its unit file changed"
                        : a.record().state().equals("running") && a.handle() == null ? "its main process is gone"
                        : a.record().state().equals("exited") && !rt.def.service().remainAfterExit() ? "it has no RemainAfterExit=yes any more"
                        : null;
                if (why == null) {
                    try {
                        rt.driver.adopt(a);
                        continue;
                    } catch (RuntimeException e) {
                        why = "taking it over failed: " + e;
                    }
                }
                refused.add(new Refusal(a, why));
            }
            return refused;
        });
    }

    // ---- socket units (owned by the loop thread) ----
    /** service name → the socket units that activate it (Accept=no), rebuilt with the graph. */
    private Map<String, List<String>> socketsByService = Map.of();
    /** The one epoll thread watching every listening socket; made at the first socket unit's start. */
    private SocketWatch socketWatch;

    private final SocketRuntime.Host sockets = new SocketRuntime.Host() {
        @Override
        public void socketChanged(UnitRuntime socket, dev.jinit.state.ActiveState oldActive, String oldSub, String failure) {
            socket.socketChanged(oldActive, oldSub);
            jobs.socketSettled(socket, failure);
            jobs.dispatch();
            if (socket.isInactive() && !jobs.has(socket.name)) forgetIfGone(socket);
        }

        @Override
        public CompletableFuture<JobOutcome> activate(UnitRuntime socket, String service) {
            if (shuttingDown) return CompletableFuture.completedFuture(JobOutcome.failed(service, "jinit is shutting down"));
            CompletableFuture<JobOutcome> f = transaction.start(service);
            jobs.dispatch();
            return f;
        }

        @Override
        public void accepted(UnitRuntime socket, dev.jinit.linux.Fd connection, String instance) {
            acceptConnection(socket, connection, instance);
        }

        @Override
        public SocketWatch watch() {
            if (socketWatch == null) socketWatch = new SocketWatch(console);
            return socketWatch;
        }
    };

    /**
     * Accept=yes: the instance {@code foo@INSTANCE.service} of the socket's template is built off this thread
     * (it reads the unit's files and the user database), then added as a unit of its own that owns the
     * connection, started, and forgotten when it ends.
     */
    private void acceptConnection(UnitRuntime socket, dev.jinit.linux.Fd connection, String instance) {
        SocketConfig cfg = socket.socket.config();
        String template = cfg.service();
        String name = template.substring(0, template.length() - ".service".length()) + instance + ".service";
        if (shuttingDown || units.contains(name)) {
            socket.note("Dropping connection for " + name + (shuttingDown ? ": jinit is shutting down." : ": a unit of that name exists."));
            connection.close();
            socket.socket.connectionEnded();
            return;
        }
        CompletableFuture.supplyAsync(() -> cfg.instances().apply(name), driverContext.ports().spawner())
                .whenComplete((def, error) -> loop.post(socket.guarded("the instance " + name + " for a connection", () -> {
                    String why = error != null ? error.toString() : def.loaded() ? null : def.loadError();
                    if (why != null || shuttingDown || units.contains(name)) {
                        String msg = "Cannot start " + name + " for a connection of " + socket.name + ": "
                                + (why != null ? why : shuttingDown ? "jinit is shutting down" : "a unit of that name exists") + ".";
                        socket.note(msg);
                        console.println("jinit: " + msg);
                        connection.close();
                        socket.socket.connectionEnded();
                        return;
                    }
                    UnitRuntime rt = new UnitRuntime(def, driverContext);
                    rt.connection = connection;
                    rt.acceptedBy = socket.name;
                    units.put(rt);
                    units.rebuildGraph();
                    transaction.start(name).whenComplete((o, e) -> loop.post(() -> {
                        if (o != null && !o.ok()) rt.note(o.message());
                        UnitRuntime now = units.get(name);
                        if (now == rt && rt.isInactive() && !jobs.has(name)) forgetIfGone(rt);
                    }));
                    jobs.dispatch();
                })));
    }

    /** An Accept=yes instance that ended is forgotten, its connection closed and its socket told. */
    private void forgetIfGone(UnitRuntime rt) {
        if (rt.acceptedBy == null || units.get(rt.name) != rt) return;
        units.remove(rt.name);
        units.rebuildGraph();
        if (rt.connection != null) rt.connection.close();
        UnitRuntime so = units.get(rt.acceptedBy);
        if (so != null && so.socket != null) so.socket.connectionEnded();
    }

    private void rebuildSocketIndex() {
        Map<String, List<String>> index = new java.util.HashMap<>();
        for (UnitRuntime rt : units.all()) {
            UnitDefinition d = rt.newest();
            if (d.socket() != null && !d.socket().socket().accept())
                index.computeIfAbsent(d.socket().service(), k -> new ArrayList<>()).add(rt.name);
        }
        socketsByService = index;
    }

    // =========================================================================================
    // Public API: callable from any thread.
    // =========================================================================================

    /**
     * What timers read the wall clock and its zone from, and where Persistent= timers keep their stamps (tests give
     * a fake wall clock beside the loop's fake monotonic one). Call before {@link #load}.
     */
    public void timerClock(java.util.function.LongSupplier wallMillis, java.time.ZoneId zone, TimerMachine.Stamps stamps) {
        loop.post(() -> {
            this.wallMillis = wallMillis;
            this.zone = zone;
            this.stamps = stamps;
        });
    }

    /** Loads (first time) or re-reads (daemon-reload) the unit set; returns a line per change. */
    public CompletableFuture<List<String>> load(List<UnitDefinition> definitions) {
        return loop.call(() -> applyDefinitions(definitions));
    }

    /**
     * Every unit state change from now on, delivered on a thread of the subscription (never the
     * manager's); see {@link TransitionStream} for what a slow subscriber gets. Close to stop.
     * {@code Listener} is functional: {@code manager.subscribe(t -> send(t))} works.
     */
    public TransitionStream.Subscription subscribe(TransitionStream.Listener listener) {
        return transitions.subscribe(listener);
    }

    /** With room for {@code capacity} undelivered changes before the subscriber is told of a gap. */
    public TransitionStream.Subscription subscribe(int capacity, TransitionStream.Listener listener) {
        return transitions.subscribe(capacity, listener);
    }

    /**
     * Holds {@code target}: from now on its start job waits until {@code until} completes, and only
     * then is the target reached, so only the units ordered after it wait (the network part holds
     * network-online.target until the links are configured, as systemd-networkd-wait-online does).
     * When no loaded unit file defines the target, the manager adds it as a plain target described as
     * {@code description} and ordered after {@code after}. Call before {@link #load} (a part's start).
     */
    public CompletableFuture<Void> holdTarget(String target, String description, List<String> after,
                                              java.util.concurrent.CompletionStage<String> until) {
        if (!target.endsWith(".target")) throw new IllegalArgumentException("only a target can be held: " + target);
        return loop.call(() -> {
            jobs.hold(target, until);
            heldTargets.put(target, new UnitDefinition(target, UnitDefinition.Kind.TARGET, dev.jinit.unit.LoadState.LOADED,
                    null, null, description, new UnitDefinition.Dependencies(List.of(), List.of(), List.of(), after,
                    List.of(), List.of(), List.of(), List.of()), null, null, null, List.of(), "built-in:" + target));
            if (units.get(target) == null && loadedOnce) {
                units.put(new UnitRuntime(heldTargets.get(target), driverContext));
                units.rebuildGraph();
            }
            return null;
        });
    }

    /** Starts the units that are wanted by multi-user.target or default.target (and those targets). */
    public CompletableFuture<List<JobOutcome>> startup() {
        return loop.call(() -> {
            List<CompletableFuture<JobOutcome>> all = new ArrayList<>();
            for (UnitRuntime rt : units.all()) {
                // Units that failed to load are included: their start fails and they show as failed.
                boolean wanted = STARTUP_TARGETS.contains(rt.name)
                        || rt.def.deps().wantedBy().stream().anyMatch(STARTUP_TARGETS::contains)
                        || rt.def.deps().requiredBy().stream().anyMatch(STARTUP_TARGETS::contains);
                if (wanted) all.add(transaction.start(rt.name));
            }
            jobs.dispatch();
            return all;
        }).thenCompose(Manager::allOf);
    }

    public CompletableFuture<JobOutcome> start(String unit) {
        return loop.call(() -> {
            CompletableFuture<JobOutcome> f = shuttingDown
                    ? CompletableFuture.completedFuture(JobOutcome.failed(unit, "jinit is shutting down"))
                    : transaction.start(unit);
            jobs.dispatch();
            return f;
        }).thenCompose(f -> f);
    }

    public CompletableFuture<JobOutcome> stop(String unit) {
        return loop.call(() -> {
            CompletableFuture<JobOutcome> f = transaction.stop(unit);
            jobs.dispatch();
            return f;
        }).thenCompose(f -> f);
    }

    /**
     * Stop then start; a unit that is not running is just started. As in systemd, the units that
     * Require=, BindTo= or are PartOf= it and are up go down first and come back after it.
     */
    public CompletableFuture<JobOutcome> restart(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            if (rt == null) return CompletableFuture.completedFuture(notFound(unit));
            if (shuttingDown) return CompletableFuture.completedFuture(JobOutcome.failed(unit, "jinit is shutting down"));
            if (rt.isInactive() && !jobs.has(unit)) {
                CompletableFuture<JobOutcome> f = transaction.start(unit);
                jobs.dispatch();
                return f;
            }
            List<String> comeBack = new ArrayList<>();
            Deque<UnitRuntime> todo = new ArrayDeque<>(units.named(units.graph().stopsWith(unit)));
            while (!todo.isEmpty()) {
                UnitRuntime d = todo.poll();
                if (d.isInactive() || comeBack.contains(d.name)) continue;
                comeBack.add(d.name);
                todo.addAll(units.named(units.graph().stopsWith(d.name)));
            }
            CompletableFuture<JobOutcome> stopped = transaction.stop(unit);
            jobs.dispatch();
            return stopped.thenCompose(o -> !o.ok() ? CompletableFuture.completedFuture(o) : loop.call(() -> {
                CompletableFuture<JobOutcome> f = transaction.start(unit);
                for (String d : comeBack) transaction.start(d);
                jobs.dispatch();
                return f;
            }).thenCompose(f -> f));
        }).thenCompose(f -> f);
    }

    /**
     * Where Type=dbus services' bus names are watched (the system bus); set before units start.
     * The watcher reports owners through {@link #busNameOwner}.
     */
    public void attachBus(Ports.BusNames names) {
        bus = java.util.Objects.requireNonNull(names, "names");
    }

    /**
     * The system bus says {@code name} is owned by {@code owner} (a unique name), or by nobody
     * (null). Any thread: the services whose BusName= it is hear of it on the manager thread.
     */
    public void busNameOwner(String name, String owner) {
        loop.post(() -> {
            for (UnitRuntime rt : units.all()) {
                if (rt.machine != null && name.equals(rt.machine.config().busName())) {
                    try {
                        rt.machine.busNameOwner(owner);
                    } catch (RuntimeException e) {
                        rt.note("D-Bus owner change of " + name + " failed: " + e);
                    }
                }
            }
        });
    }

    /** Runs ExecReload=; fails when the unit is not active or has none. */
    public CompletableFuture<JobOutcome> reload(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            if (rt == null) return notFound(unit);
            if (rt.machine == null) return JobOutcome.failed(unit, "Job type reload is not applicable for unit " + unit + ".");
            try {
                rt.machine.reload();
            } catch (IllegalStateException e) {
                return JobOutcome.failed(unit, e.getMessage());
            }
            propagateReload(rt);
            return JobOutcome.done(unit);
        });
    }

    /**
     * PropagatesReloadTo= / ReloadPropagatedFrom=: the units that follow a reload of {@code rt} and are up reload
     * too (once each, also transitively); one that cannot reload says why in its log.
     */
    private void propagateReload(UnitRuntime rt) {
        java.util.Set<String> done = new HashSet<>(List.of(rt.name));
        Deque<UnitRuntime> todo = new ArrayDeque<>(List.of(rt));
        while (!todo.isEmpty()) {
            UnitRuntime from = todo.poll();
            java.util.Set<String> to = new java.util.LinkedHashSet<>(from.def.deps().propagatesReloadTo());
            for (UnitRuntime o : units.all()) if (o.def.deps().reloadPropagatedFrom().contains(from.name)) to.add(o.name);
            for (String n : to) {
                UnitRuntime o = units.get(n);
                if (o == null || !done.add(n) || o.machine == null || !o.isActive()) continue;
                try {
                    o.note("Reloading " + n + ": its reload follows " + from.name + ".");
                    o.machine.reload();
                    todo.add(o);
                } catch (IllegalStateException e) {
                    o.note("Reload propagated from " + from.name + " failed: " + e.getMessage());
                }
            }
        }
    }

    /** Clears failed state and counters of one unit, or of all when {@code unit} is null. */
    public CompletableFuture<JobOutcome> resetFailed(String unit) {
        return loop.call(() -> {
            if (unit == null) {
                for (UnitRuntime rt : units.all()) {
                    rt.loadFailed = false;
                    if (rt.machine != null) rt.machine.resetFailed();
                    if (rt.timer != null) rt.timer.resetFailed();
                    if (rt.socket != null) rt.socket.resetFailed();
                }
                return JobOutcome.done("");
            }
            UnitRuntime rt = units.get(unit);
            if (rt == null) return notFound(unit);
            rt.loadFailed = false;
            if (rt.machine != null) rt.machine.resetFailed();
            if (rt.timer != null) rt.timer.resetFailed();
            if (rt.socket != null) rt.socket.resetFailed();
            return JobOutcome.done(unit);
        });
    }

    /** {@link #stopAll(Duration)} with {@link #DEFAULT_STOP_ALL_DEADLINE}. */
    public CompletableFuture<List<JobOutcome>> stopAll() {
        return stopAll(DEFAULT_STOP_ALL_DEADLINE);
    }

    /**
     * Stops every unit in reverse dependency order; completes when all are down. What is not down
     * by {@code deadline} is killed (SIGKILL to all its processes) and its stop answered as failed,
     * so this always completes. Asking again returns the same stop (its deadline stands).
     */
    public CompletableFuture<List<JobOutcome>> stopAll(Duration deadline) {
        return loop.call(() -> {
            if (stoppingAll != null) return stoppingAll;
            shuttingDown = true;
            jobs.cancelWaitingStarts("jinit is shutting down");
            List<CompletableFuture<JobOutcome>> all = new ArrayList<>();
            for (UnitRuntime rt : units.all())
                if (!rt.isInactive() || jobs.has(rt.name)) all.add(jobs.addStop(rt));
            jobs.dispatch();
            stoppingAll = allOf(all);
            if (!stoppingAll.isDone()) {
                stopAllDeadline = loop.schedule(loop.millis() + deadline.toMillis(),
                        () -> killRemaining("the overall stop deadline of " + deadline.toSeconds() + " s passed"));
                stoppingAll.whenComplete((r, e) -> loop.post(() -> stopAllDeadline.cancel()));
            }
            return stoppingAll;
        }).thenCompose(f -> f);
    }

    /**
     * Forces a stop of everything in progress now (a second SIGTERM or SIGINT): what is not down
     * is killed at once. Starts the stop of everything first when it was not asked yet.
     */
    public CompletableFuture<List<JobOutcome>> forceStopAll() {
        CompletableFuture<List<JobOutcome>> all = stopAll();
        loop.post(() -> killRemaining("a forced stop was asked"));
        return all;
    }

    public CompletableFuture<List<UnitSnapshot>> snapshot() {
        return loop.call(() -> units.all().stream().map(UnitRuntime::snapshot).toList());
    }

    public CompletableFuture<UnitSnapshot> snapshot(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            return rt == null ? null : rt.snapshot();
        });
    }

    /**
     * Posts the scope events (a cgroup emptied, a process of a unit without cgroup exited) that the
     * kernel has signalled but the watcher thread has not passed on yet. On the manager thread, as
     * a {@link EventLoop#beforeTimers} drain: a stop timeout is judged on what happened in time.
     */
    public void drainScopeEvents() {
        driverContext.ports().scopes().drain();
    }

    /** A notify-socket message whose sender credentials the receiver checked. */
    public void notifyMessage(int pid, Map<String, String> fields) {
        // Where the sender lives is read now, on the receiving thread: a sender such as systemd-notify
        // may exit right after sending, long before the manager thread gets to its message.
        Ports.Processes processes = driverContext.ports().processes();
        String cgroup = processes.cgroupOf(pid);
        ProcTable.Entry entry = processes.stat(pid);
        loop.post(() -> deliverNotify(pid, cgroup, entry, fields));
    }

    /**
     * Notify messages that came before the manager heard that their sender was spawned: a fast
     * Type=notify service may send READY=1 before the spawn executor's answer is handled (spawns
     * are answered later, DESIGN.md). Each is delivered again after the next answer. Owned by the loop.
     */
    private final List<Runnable> notifyBeforeSpawn = new ArrayList<>();

    private void deliverNotify(int pid, String cgroup, ProcTable.Entry entry, Map<String, String> fields) {
        UnitRuntime owner = null;
        for (UnitRuntime rt : units.all())
            if (rt.machine != null && (rt.machine.mainPid() == pid || rt.machine.controlPid() == pid)) owner = rt;
        if (owner == null)
            for (UnitRuntime rt : units.all())
                if (rt.machine != null && !rt.isInactive() && rt.driver.owns(pid, cgroup, entry)) owner = rt;
        boolean launching = false;
        for (UnitRuntime rt : units.all()) launching |= rt.driver != null && rt.driver.launching();
        boolean known = owner != null && (owner.machine.mainPid() == pid || owner.machine.controlPid() == pid);
        if (!known && launching) {
            // Maybe from a process whose spawn is not answered yet: tried again after the next answer.
            notifyBeforeSpawn.add(() -> deliverNotify(pid, cgroup, entry, fields));
            return;
        }
        if (owner == null) {
            console.println("jinit: notify message from pid " + pid + " which belongs to no unit, ignored: " + fields.keySet());
            return;
        }
        UnitRuntime unit = owner;
        unit.guarded("a notify message from pid " + pid, () -> unit.driver.notifyFrom(pid, fields)).run();
    }

    /** A spawn was answered: the messages that waited for one are delivered again, in order. */
    private void spawnAnswered() {
        if (notifyBeforeSpawn.isEmpty()) return;
        List<Runnable> again = List.copyOf(notifyBeforeSpawn);
        notifyBeforeSpawn.clear();
        again.forEach(Runnable::run);
    }

    @Override
    public void close() {
        loop.close();
        if (socketWatch != null) socketWatch.close();
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    static JobOutcome notFound(String unit) {
        return new JobOutcome(unit, JobOutcome.Kind.NOT_FOUND, "Unit " + unit + " not found.");
    }

    // =========================================================================================
    // Loading
    // =========================================================================================

    private List<String> applyDefinitions(List<UnitDefinition> definitions) {
        loadedOnce = true;
        if (!heldTargets.isEmpty()) {
            Set<String> defined = new HashSet<>();
            for (UnitDefinition d : definitions) defined.add(d.name());
            List<UnitDefinition> all = new ArrayList<>(definitions);
            for (UnitDefinition builtIn : heldTargets.values()) if (!defined.contains(builtIn.name())) all.add(builtIn);
            definitions = all;
        }
        List<String> report = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (UnitDefinition def : definitions) {
            seen.add(def.name());
            UnitRuntime rt = units.get(def.name());
            if (rt == null) {
                units.put(new UnitRuntime(def, driverContext, this::newTimer));
                if (!def.loaded()) report.add(def.name() + ": " + def.loadState().word() + ": " + def.loadError());
                continue;
            }
            rt.removed = false;
            if (rt.def.fingerprint().equals(def.fingerprint())) {
                rt.pending = null;
                continue;
            }
            if (rt.isInactive() && !jobs.has(rt.name)) {
                rt.replace(def);
                report.add(def.name() + ": reloaded");
            } else {
                rt.pending = def;
                report.add(def.name() + ": changed on disk; the new definition applies at its next start");
            }
        }
        for (UnitRuntime rt : List.copyOf(units.all())) {
            if (seen.contains(rt.name) || rt.acceptedBy != null) continue;
            if (rt.isInactive() && !jobs.has(rt.name)) {
                units.remove(rt.name);
                report.add(rt.name + ": removed");
            } else {
                rt.removed = true;
                report.add(rt.name + ": file removed; kept until it stops");
            }
        }
        // The one dependency graph of this unit set: built here, once per load or daemon-reload.
        units.rebuildGraph();
        rebuildSocketIndex();
        return report;
    }

    // =========================================================================================
    // Consequences of state changes
    // =========================================================================================

    /** The machine of a loaded timer, measuring on the loop's clock and the wall clock. */
    private TimerMachine newTimer(UnitRuntime rt) {
        return new TimerMachine(rt.name, rt.def.timer(), loop, wallMillis, zone, startupMillis, random, stamps,
                new TimerMachine.Host() {
                    @Override
                    public void elapse(TimerMachine timer) {
                        timerElapsed(rt, timer);
                    }

                    @Override
                    public void changed(TimerMachine timer, TimerMachine.State old) {
                        rt.timerChanged(old);
                    }

                    @Override
                    public long unitActivated(String unit) {
                        UnitRuntime u = units.get(unit);
                        return u == null ? -1 : u.activatedMillis;
                    }

                    @Override
                    public long unitDeactivated(String unit) {
                        UnitRuntime u = units.get(unit);
                        return u == null ? -1 : u.deactivatedMillis;
                    }

                    @Override
                    public boolean unitDown(String unit) {
                        UnitRuntime u = units.get(unit);
                        return u == null || (u.isInactive() && !jobs.has(unit));
                    }
                });
    }

    /** A timer elapsed: its unit is started like a {@code jinit start} of it; a start that cannot be queued fails the timer. */
    private void timerElapsed(UnitRuntime rt, TimerMachine timer) {
        String unit = timer.config().unit();
        rt.note("Triggering " + unit + ".");
        UnitRuntime target = units.get(unit);
        if (shuttingDown || target == null || !target.def.loaded()) {
            String why = shuttingDown ? "jinit is shutting down" : target == null ? "Unit " + unit + " not found."
                    : "Unit " + unit + " is not loaded properly (" + target.def.loadState().word() + ").";
            rt.note("Failed to queue unit startup job: " + why);
            console.println("jinit: " + rt.name + ": failed to start " + unit + ": " + why);
            loop.post(timer::elapseFailed);
            return;
        }
        CompletableFuture<JobOutcome> f = transaction.start(unit);
        jobs.dispatch();
        f.whenComplete((o, e) -> loop.post(() -> {
            if (rt.timer == timer) timer.startAnswered();
        }));
    }

    /**
     * What follows from a unit's change beyond its job: timers that count from it or wait for it, OnFailure= and
     * OnSuccess= units, and the units anyone Upholds=.
     */
    private void consequences(UnitRuntime rt, Action.StateChanged c) {
        boolean wasDown = c.from().isInactive(), isDown = c.to().isInactive();
        if (wasDown && !isDown) rt.activatedMillis = loop.millis();
        if (!wasDown && isDown) rt.deactivatedMillis = loop.millis();
        if (wasDown != isDown || c.to() == ServiceState.FAILED) {
            for (UnitRuntime t : units.all())
                if (t.timer != null && t.timer.config().unit().equals(rt.name)) t.timer.unitChanged();
        }
        if (shuttingDown) return;
        if (c.to() == ServiceState.FAILED && c.from() != ServiceState.FAILED) triggerAll(rt, rt.def.deps().onFailure(), "OnFailure");
        if (c.to() == ServiceState.DEAD && !wasDown && c.result() == ServiceResult.SUCCESS)
            triggerAll(rt, rt.def.deps().onSuccess(), "OnSuccess");
        if (isDown) upheld();
    }

    private void triggerAll(UnitRuntime rt, List<String> names, String directive) {
        if (names.isEmpty()) return;
        rt.note("Triggering " + directive + "= dependencies: " + String.join(" ", names) + ".");
        for (String n : names) {
            if (units.get(n) == null) {
                rt.note("Failed to enqueue " + directive + "= job " + n + ": Unit " + n + " not found.");
                continue;
            }
            transaction.start(n);
        }
    }

    /** Upholds=: while a unit is up, what it upholds is started again whenever it is down without a job. */
    private void upheld() {
        if (shuttingDown) return;
        for (UnitRuntime u : units.all()) {
            if (u.def.deps().upholds().isEmpty() || !u.isActive()) continue;
            for (String n : u.def.deps().upholds()) {
                UnitRuntime o = units.get(n);
                if (o == null || !o.def.loaded() || !o.isInactive() || jobs.has(n)) continue;
                o.note("Starting " + n + ": " + u.name + " upholds it.");
                transaction.start(n);
            }
        }
    }

    /** A unit's machine settled in these states: its job, BindsTo= dependents, and its removal. */
    private void settled(UnitRuntime rt, List<Action.StateChanged> batch) {
        for (Action.StateChanged c : batch) {
            jobs.settled(rt, c.to(), c.result());
            consequences(rt, c);
            if (c.to().isInactive()) {
                // BindsTo=: units bound to this one go down when it does, however it went down.
                for (UnitRuntime o : units.named(units.graph().boundBy(rt.name))) {
                    if ((!o.isInactive() || jobs.has(o.name)) && !jobs.hasJob(o.name, JobQueue.Type.STOP)) {
                        o.note("Stopping " + o.name + ": the unit it is bound to, " + rt.name + ", is " + c.to().active.word() + ".");
                        jobs.addStop(o);
                    }
                }
            }
            jobs.dispatch();
        }
        // Socket activation: the sockets of this service watch again once it is down, and not while it runs.
        if (!batch.isEmpty()) {
            boolean up = !rt.isInactive();
            boolean limitHit = rt.machine != null && rt.machine.result() == ServiceResult.START_LIMIT_HIT;
            for (String n : socketsByService.getOrDefault(rt.name, List.of()))
                if (units.get(n) instanceof UnitRuntime so && so.socket != null) so.socket.serviceChanged(up, limitHit);
        }
        if (rt.isInactive() && !jobs.has(rt.name) && rt.acceptedBy != null) {
            forgetIfGone(rt);
            return;
        }
        if (rt.isInactive() && !jobs.has(rt.name)) {
            if (rt.removed) {
                units.remove(rt.name);
                units.rebuildGraph();
                console.println("jinit: " + rt.name + " removed (its file is gone).");
            } else if (rt.pending != null) {
                rt.replace(rt.pending);
            }
        }
    }

    /** The stop deadline passed, or a forced stop was asked: kill what is not down and end its stop. */
    private void killRemaining(String why) {
        if (stoppingAll == null || stoppingAll.isDone()) return;
        for (UnitRuntime rt : units.all()) {
            if (!jobs.hasJob(rt.name, JobQueue.Type.STOP) && rt.isInactive()) continue;
            String msg = "Killing " + rt.name + ": " + why + ".";
            rt.note(msg);
            console.println("jinit: " + msg);
            if (rt.driver != null) rt.driver.killAll();
            jobs.finish(rt.name, JobOutcome.Kind.FAILED, "Stop of " + rt.name + " ended by SIGKILL: " + why + ".");
        }
    }

    /** For status output and tests: units with a job, and the unit names known. */
    CompletableFuture<List<String>> pendingJobs() {
        return loop.call(jobs::units);
    }

}
