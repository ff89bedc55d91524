package dev.jinit.supervise;

import dev.jinit.exec.Cgroups;
import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.SpawnException;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import dev.jinit.unit.NotifyAccess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The supervisor: every unit's state, its jobs (start and stop requests waiting for their
 * ordering), and the dependency rules, all owned by one {@link EventLoop} thread. Other threads call
 * the public methods, which post to that thread and answer with futures.
 *
 * <p>Dependencies follow systemd: starting a unit starts what it Requires=, Wants= and BindsTo=
 * (and stops what it Conflicts= with); a start job waits until every unit it is ordered After=
 * has finished its own job (for a notify service: READY=1). A failed start fails the jobs of units
 * that Require or BindTo it and are ordered after it. Stopping a unit stops the units that Require
 * or BindTo it, in reverse order; a unit whose BindsTo= target goes down on its own is stopped too.
 */
public final class Manager implements AutoCloseable {
    /** Targets that make a unit start at startup when named in its WantedBy=/RequiredBy=. */
    public static final Set<String> STARTUP_TARGETS = Set.of("multi-user.target", "default.target");
    /** How often a main process that is not jinit's child is checked for life. */
    static final long FOREIGN_POLL_MILLIS = 500;

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
    private final Options options;
    private final Ports.Launcher launcher;
    private final Ports.ExitWatcher exits;
    private final Ports.LogSink logs;
    private final PrintStream console;

    // ---- owned by the loop thread ----
    private final Map<String, UnitRuntime> units = new TreeMap<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private boolean shuttingDown;

    private enum JobType { START, STOP }

    /** A start or stop request for one unit, waiting for its ordering or for the unit to settle. */
    private static final class Job {
        final JobType type;
        boolean running;
        final List<CompletableFuture<JobOutcome>> waiters = new ArrayList<>();

        Job(JobType type) {
            this.type = type;
        }
    }

    public Manager(EventLoop loop, Options options, Ports.Launcher launcher, Ports.ExitWatcher exits,
                   Ports.LogSink logs, PrintStream console) {
        this.loop = loop;
        this.options = options;
        this.launcher = launcher;
        this.exits = exits;
        this.logs = logs;
        this.console = console;
    }

    // =========================================================================================
    // Public API: callable from any thread.
    // =========================================================================================

    /** Loads (first time) or re-reads (daemon-reload) the unit set; returns a line per change. */
    public CompletableFuture<List<String>> load(List<UnitDefinition> definitions) {
        return loop.call(() -> applyDefinitions(definitions));
    }

    /** Starts the units that are wanted by multi-user.target or default.target (and those targets). */
    public CompletableFuture<List<JobOutcome>> startup() {
        return loop.call(() -> {
            List<CompletableFuture<JobOutcome>> all = new ArrayList<>();
            for (UnitRuntime rt : units.values()) {
                // Units that failed to load are included: their start fails and they show as failed.
                boolean wanted = STARTUP_TARGETS.contains(rt.name)
                        || rt.def.deps().wantedBy().stream().anyMatch(STARTUP_TARGETS::contains)
                        || rt.def.deps().requiredBy().stream().anyMatch(STARTUP_TARGETS::contains);
                if (wanted) all.add(enqueueStart(rt.name));
            }
            dispatch();
            return all;
        }).thenCompose(Manager::allOf);
    }

    public CompletableFuture<JobOutcome> start(String unit) {
        return loop.call(() -> {
            CompletableFuture<JobOutcome> f = shuttingDown
                    ? CompletableFuture.completedFuture(JobOutcome.failed(unit, "jinit is shutting down"))
                    : enqueueStart(unit);
            dispatch();
            return f;
        }).thenCompose(f -> f);
    }

    public CompletableFuture<JobOutcome> stop(String unit) {
        return loop.call(() -> {
            CompletableFuture<JobOutcome> f = enqueueStop(unit);
            dispatch();
            return f;
        }).thenCompose(f -> f);
    }

    /**
     * Stop then start; a unit that is not running is just started. As in systemd, the units that
     * Require= or BindTo= it and are up go down first and come back after it.
     */
    public CompletableFuture<JobOutcome> restart(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            if (rt == null) return CompletableFuture.completedFuture(notFound(unit));
            if (shuttingDown) return CompletableFuture.completedFuture(JobOutcome.failed(unit, "jinit is shutting down"));
            if (rt.isInactive() && !jobs.containsKey(unit)) {
                CompletableFuture<JobOutcome> f = enqueueStart(unit);
                dispatch();
                return f;
            }
            List<String> comeBack = new ArrayList<>();
            Deque<UnitRuntime> todo = new ArrayDeque<>(dependents(rt));
            while (!todo.isEmpty()) {
                UnitRuntime d = todo.poll();
                if (d.isInactive() || comeBack.contains(d.name)) continue;
                comeBack.add(d.name);
                todo.addAll(dependents(d));
            }
            CompletableFuture<JobOutcome> stopped = enqueueStop(unit);
            dispatch();
            return stopped.thenCompose(o -> !o.ok() ? CompletableFuture.completedFuture(o) : loop.call(() -> {
                CompletableFuture<JobOutcome> f = enqueueStart(unit);
                for (String d : comeBack) enqueueStart(d);
                dispatch();
                return f;
            }).thenCompose(f -> f));
        }).thenCompose(f -> f);
    }

    /** Runs ExecReload=; fails when the unit is not active or has none. */
    public CompletableFuture<JobOutcome> reload(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            if (rt == null) return notFound(unit);
            if (rt.machine == null) return JobOutcome.failed(unit, "Job type reload is not applicable for unit " + unit + ".");
            try {
                rt.machine.reload();
                return JobOutcome.done(unit);
            } catch (IllegalStateException e) {
                return JobOutcome.failed(unit, e.getMessage());
            }
        });
    }

    /** Clears failed state and counters of one unit, or of all when {@code unit} is null. */
    public CompletableFuture<JobOutcome> resetFailed(String unit) {
        return loop.call(() -> {
            if (unit == null) {
                for (UnitRuntime rt : units.values()) {
                    rt.loadFailed = false;
                    if (rt.machine != null) rt.machine.resetFailed();
                }
                return JobOutcome.done("");
            }
            UnitRuntime rt = units.get(unit);
            if (rt == null) return notFound(unit);
            rt.loadFailed = false;
            if (rt.machine != null) rt.machine.resetFailed();
            return JobOutcome.done(unit);
        });
    }

    /** Stops every unit in reverse dependency order; completes when all are down. */
    public CompletableFuture<List<JobOutcome>> stopAll() {
        return loop.call(() -> {
            shuttingDown = true;
            List<CompletableFuture<JobOutcome>> all = new ArrayList<>();
            for (UnitRuntime rt : units.values()) {
                Job job = jobs.get(rt.name);
                if (job != null && job.type == JobType.START && !job.running) finishJob(rt.name, JobOutcome.Kind.CANCELED, "jinit is shutting down");
                if (!rt.isInactive() || jobs.containsKey(rt.name)) all.add(enqueueStopOne(rt));
            }
            dispatch();
            return all;
        }).thenCompose(Manager::allOf);
    }

    public CompletableFuture<List<UnitSnapshot>> snapshot() {
        return loop.call(() -> units.values().stream().map(UnitRuntime::snapshot).toList());
    }

    public CompletableFuture<UnitSnapshot> snapshot(String unit) {
        return loop.call(() -> {
            UnitRuntime rt = units.get(unit);
            return rt == null ? null : rt.snapshot();
        });
    }

    /** A notify-socket message whose sender credentials the receiver checked. */
    public void notifyMessage(int pid, Map<String, String> fields) {
        // Where the sender lives is read now, on the receiving thread: a sender such as systemd-notify
        // may exit right after sending, long before the manager thread gets to its message.
        String cgroup = ProcTable.cgroupOf(pid);
        ProcTable.Entry entry = ProcTable.readStat(pid);
        loop.post(() -> {
            UnitRuntime owner = null;
            for (UnitRuntime rt : units.values())
                if (rt.machine != null && (rt.machine.mainPid() == pid || rt.machine.controlPid() == pid)) owner = rt;
            if (owner == null)
                for (UnitRuntime rt : units.values())
                    if (rt.machine != null && !rt.isInactive() && rt.scope != null
                            && (rt.scope.owned(cgroup, entry) || rt.scope.contains(pid))) owner = rt;
            if (owner == null) {
                console.println("jinit: notify message from pid " + pid + " which belongs to no unit, ignored: " + fields.keySet());
                return;
            }
            UnitRuntime unit = owner;
            unit.guarded("a notify message from pid " + pid, () -> {
                unit.verifiedSender = pid;
                try {
                    unit.machine.notify(pid, fields);
                } finally {
                    unit.verifiedSender = 0;
                }
            }).run();
        });
    }

    @Override
    public void close() {
        loop.close();
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    private static JobOutcome notFound(String unit) {
        return new JobOutcome(unit, JobOutcome.Kind.NOT_FOUND, "Unit " + unit + " not found.");
    }

    // =========================================================================================
    // Loading
    // =========================================================================================

    private List<String> applyDefinitions(List<UnitDefinition> definitions) {
        List<String> report = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (UnitDefinition def : definitions) {
            seen.add(def.name());
            UnitRuntime rt = units.get(def.name());
            if (rt == null) {
                units.put(def.name(), new UnitRuntime(def));
                definitionsChanged();
                if (!def.loaded()) report.add(def.name() + ": " + def.loadState().word() + ": " + def.loadError());
                continue;
            }
            rt.removed = false;
            if (rt.def.fingerprint().equals(def.fingerprint())) continue;
            if (rt.isInactive() && !jobs.containsKey(rt.name)) {
                rt.replace(def);
                report.add(def.name() + ": reloaded");
            } else {
                rt.pending = def;
                report.add(def.name() + ": changed on disk; the new definition applies at its next start");
            }
        }
        for (UnitRuntime rt : List.copyOf(units.values())) {
            if (seen.contains(rt.name)) continue;
            if (rt.isInactive() && !jobs.containsKey(rt.name)) {
                units.remove(rt.name);
                definitionsChanged();
                report.add(rt.name + ": removed");
            } else {
                rt.removed = true;
                report.add(rt.name + ": file removed; kept until it stops");
            }
        }
        return report;
    }

    // =========================================================================================
    // Dependencies: derived from the definitions of the units in the map, and indexed once per
    // change of those (load, daemon-reload, a pending definition applied, a removed unit gone),
    // because the job checks below consult them for every job after every event: scanning every
    // unit there made an orderly stop of 1000 units O(N³) (BENCHMARKS.md).
    // =========================================================================================

    /** The dependency index of the current definitions; null when they changed since it was built. */
    private Graph graph;

    /**
     * Every unit's dependency sets in both directions, as names (a name may be of no loaded unit).
     * A unit's own directives come first, then the other units naming it, in name order: the order
     * of the scans over all units that this index replaces (the job order follows it).
     *
     * @param requires      Requires= and others' RequiredBy=
     * @param wants         Wants= and others' WantedBy=
     * @param orderedBefore what must finish its job before this unit's start (see {@link #orderedBefore})
     * @param orderedAfter  the units whose orderedBefore holds this unit
     * @param dependents    the units that Require= or BindTo= this one
     * @param boundBy       the units whose BindsTo= names this one
     * @param conflictedBy  the units whose Conflicts= names this one
     */
    private record Graph(Map<String, List<String>> requires, Map<String, List<String>> wants,
                         Map<String, Set<String>> orderedBefore, Map<String, List<String>> orderedAfter,
                         Map<String, List<String>> dependents, Map<String, List<String>> boundBy,
                         Map<String, List<String>> conflictedBy) {

        /** Frozen: the index is shared by every check until the definitions change. */
        Graph {
            requires = frozen(requires);
            wants = frozen(wants);
            orderedBefore = Map.copyOf(orderedBefore);
            orderedAfter = frozen(orderedAfter);
            dependents = frozen(dependents);
            boundBy = frozen(boundBy);
            conflictedBy = frozen(conflictedBy);
        }

        private static Map<String, List<String>> frozen(Map<String, List<String>> index) {
            Map<String, List<String>> out = new HashMap<>();
            index.forEach((k, v) -> out.put(k, List.copyOf(v)));
            return Collections.unmodifiableMap(out);
        }

        static Graph of(Map<String, UnitRuntime> units) {
            Map<String, List<String>> requiredBy = new HashMap<>(), wantedBy = new HashMap<>(), before = new HashMap<>();
            Map<String, List<String>> boundBy = new HashMap<>(), conflictedBy = new HashMap<>();
            // Iterating in name order keeps every reverse list in name order.
            for (UnitRuntime o : units.values()) {
                UnitDefinition.Dependencies d = o.def.deps();
                for (String n : new LinkedHashSet<>(d.requiredBy())) add(requiredBy, n, o.name);
                for (String n : new LinkedHashSet<>(d.wantedBy())) add(wantedBy, n, o.name);
                for (String n : new LinkedHashSet<>(d.before())) add(before, n, o.name);
                for (String n : new LinkedHashSet<>(d.bindsTo())) add(boundBy, n, o.name);
                for (String n : new LinkedHashSet<>(d.conflicts())) add(conflictedBy, n, o.name);
            }
            Map<String, List<String>> requires = new HashMap<>(), wants = new HashMap<>();
            Map<String, Set<String>> orderedBefore = new HashMap<>();
            Map<String, List<String>> orderedAfter = new HashMap<>(), dependents = new HashMap<>();
            for (UnitRuntime rt : units.values()) {
                UnitDefinition.Dependencies d = rt.def.deps();
                Set<String> req = new LinkedHashSet<>(d.requires());
                req.addAll(requiredBy.getOrDefault(rt.name, List.of()));
                Set<String> want = new LinkedHashSet<>(d.wants());
                want.addAll(wantedBy.getOrDefault(rt.name, List.of()));
                requires.put(rt.name, new ArrayList<>(req));
                wants.put(rt.name, new ArrayList<>(want));
                Set<String> ob = new LinkedHashSet<>(d.after());
                ob.addAll(before.getOrDefault(rt.name, List.of()));
                if (rt.def.kind() == UnitDefinition.Kind.TARGET) {
                    // systemd's default dependencies: a target is ordered after what it pulls in.
                    ob.addAll(req);
                    ob.addAll(want);
                    ob.addAll(d.bindsTo());
                }
                ob.remove(rt.name);
                orderedBefore.put(rt.name, Collections.unmodifiableSet(ob));
                for (String b : ob) add(orderedAfter, b, rt.name);
                Set<String> needed = new LinkedHashSet<>(req);
                needed.addAll(d.bindsTo());
                needed.remove(rt.name);
                for (String n : needed) add(dependents, n, rt.name);
            }
            return new Graph(requires, wants, orderedBefore, orderedAfter, dependents, boundBy, conflictedBy);
        }

        private static void add(Map<String, List<String>> index, String key, String value) {
            index.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }

        static <T> T get(Map<String, T> index, String key, T none) {
            return index.getOrDefault(key, none);
        }
    }

    private Graph graph() {
        if (graph == null) graph = Graph.of(units);
        return graph;
    }

    /** Drops the dependency index: a definition changed, or a unit came or went. */
    private void definitionsChanged() {
        graph = null;
    }

    private List<String> requiresOf(UnitRuntime rt) {
        return Graph.get(graph().requires(), rt.name, List.of());
    }

    private List<String> wantsOf(UnitRuntime rt) {
        return Graph.get(graph().wants(), rt.name, List.of());
    }

    /** Units that must finish their jobs before this one's start: After=, others' Before=, a target's wants. */
    private Set<String> orderedBefore(UnitRuntime rt) {
        return Graph.get(graph().orderedBefore(), rt.name, Set.of());
    }

    /** Whether {@code a} is ordered after {@code b}. */
    private boolean isAfter(UnitRuntime a, String b) {
        return orderedBefore(a).contains(b);
    }

    /** Units that Require= or BindTo= this one: they go down when it is stopped. */
    private List<UnitRuntime> dependents(UnitRuntime rt) {
        return unitsNamed(Graph.get(graph().dependents(), rt.name, List.of()));
    }

    /** The units of these names that are in the map, in the list's order. */
    private List<UnitRuntime> unitsNamed(List<String> names) {
        List<UnitRuntime> out = new ArrayList<>(names.size());
        for (String n : names) {
            UnitRuntime u = units.get(n);
            if (u != null) out.add(u);
        }
        return out;
    }

    // =========================================================================================
    // Jobs
    // =========================================================================================

    private CompletableFuture<JobOutcome> enqueueStart(String name) {
        UnitRuntime target = units.get(name);
        if (target == null) return CompletableFuture.completedFuture(notFound(name));
        if (!target.def.loaded()) {
            // Shown as failed where it was asked to start, until reset-failed or a reload fixes it.
            target.loadFailed = true;
            return CompletableFuture.completedFuture(JobOutcome.failed(name, "Unit " + name + " is not loaded properly ("
                    + target.def.loadState().word() + "): " + target.def.loadError()));
        }
        // The transaction: the unit and everything it pulls in.
        Set<String> closure = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        List<String> problems = new ArrayList<>();
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!closure.add(n)) continue;
            UnitRuntime rt = units.get(n);
            List<String> hard = new ArrayList<>(requiresOf(rt));
            hard.addAll(rt.def.deps().bindsTo());
            for (String r : hard) {
                UnitRuntime dep = units.get(r);
                if (dep == null || !dep.def.loaded())
                    problems.add(n + " requires " + r + ", which is " + (dep == null ? "not found" : dep.def.loadState().word()));
                else todo.add(r);
            }
            for (String w : wantsOf(rt)) {
                UnitRuntime dep = units.get(w);
                if (dep != null && dep.def.loaded()) todo.add(w);
            }
        }
        if (!problems.isEmpty()) {
            String msg = "Dependency failed for " + name + ": " + String.join("; ", problems);
            target.note(msg);
            return CompletableFuture.completedFuture(JobOutcome.failed(name, msg));
        }
        // Conflicts: starting a unit stops what it conflicts with (either side may name the other).
        for (String n : closure) {
            UnitRuntime rt = units.get(n);
            Set<String> conflicting = new LinkedHashSet<>(rt.def.deps().conflicts());
            conflicting.addAll(Graph.get(graph().conflictedBy(), n, List.of()));
            for (String c : conflicting) {
                UnitRuntime other = units.get(c);
                if (other != null && !closure.contains(c) && (!other.isInactive() || jobs.containsKey(c))) {
                    other.note("Stopping " + c + ": it conflicts with " + n + ".");
                    enqueueStopOne(other);
                }
            }
        }
        CompletableFuture<JobOutcome> result = null;
        for (String n : closure) {
            CompletableFuture<JobOutcome> f = startJob(units.get(n));
            if (n.equals(name)) result = f;
        }
        return result;
    }

    /** A start job for one unit (no closure); completes at once for a unit already up. */
    private CompletableFuture<JobOutcome> startJob(UnitRuntime rt) {
        CompletableFuture<JobOutcome> f = new CompletableFuture<>();
        Job job = jobs.get(rt.name);
        if (job != null && job.type == JobType.STOP) {
            // A start replaces a stop; the machine starts again once the stop it is in has finished.
            finishJob(rt.name, JobOutcome.Kind.CANCELED, "Job for " + rt.name + " canceled by a start request.");
            job = null;
        }
        if (job == null) {
            if (rt.isActive() && rt.pending == null) {
                f.complete(JobOutcome.done(rt.name));
                return f;
            }
            job = new Job(JobType.START);
            jobs.put(rt.name, job);
        }
        job.waiters.add(f);
        return f;
    }

    private CompletableFuture<JobOutcome> enqueueStop(String name) {
        UnitRuntime rt = units.get(name);
        if (rt == null) return CompletableFuture.completedFuture(notFound(name));
        // Units that need this one go down with it (transitively).
        Set<UnitRuntime> closure = new LinkedHashSet<>();
        Deque<UnitRuntime> todo = new ArrayDeque<>(List.of(rt));
        while (!todo.isEmpty()) {
            UnitRuntime u = todo.poll();
            if (!closure.add(u)) continue;
            for (UnitRuntime d : dependents(u)) if (!d.isInactive() || jobs.containsKey(d.name)) todo.add(d);
        }
        CompletableFuture<JobOutcome> result = null;
        for (UnitRuntime u : closure) {
            CompletableFuture<JobOutcome> f = enqueueStopOne(u);
            if (u == rt) result = f;
        }
        return result;
    }

    private CompletableFuture<JobOutcome> enqueueStopOne(UnitRuntime rt) {
        CompletableFuture<JobOutcome> f = new CompletableFuture<>();
        Job job = jobs.get(rt.name);
        if (job != null && job.type == JobType.START) {
            finishJob(rt.name, JobOutcome.Kind.CANCELED, "Job for " + rt.name + " canceled by a stop request.");
            job = null;
        }
        if (job == null) {
            if (rt.isInactive()) {
                f.complete(JobOutcome.done(rt.name));
                return f;
            }
            job = new Job(JobType.STOP);
            jobs.put(rt.name, job);
        }
        job.waiters.add(f);
        return f;
    }

    /** Starts every job whose ordering allows it, until nothing more can start. */
    private void dispatch() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Map.Entry<String, Job> e : List.copyOf(jobs.entrySet())) {
                Job job = e.getValue();
                if (job.running || jobs.get(e.getKey()) != job) continue;
                UnitRuntime rt = units.get(e.getKey());
                if (rt == null) {
                    finishJob(e.getKey(), JobOutcome.Kind.NOT_FOUND, "Unit " + e.getKey() + " not found.");
                    progress = true;
                    continue;
                }
                if (job.type == JobType.START ? startBlocked(rt) : stopBlocked(rt)) continue;
                job.running = true;
                progress = true;
                if (job.type == JobType.START) beginStart(rt);
                else beginStop(rt);
            }
        }
    }

    /** A start waits for every unit it is ordered after that still has a job. */
    private boolean startBlocked(UnitRuntime rt) {
        for (String p : orderedBefore(rt)) if (jobs.containsKey(p)) return true;
        return false;
    }

    /** A stop waits for every unit ordered after it that is being stopped: reverse order. */
    private boolean stopBlocked(UnitRuntime rt) {
        for (String other : Graph.get(graph().orderedAfter(), rt.name, List.of())) {
            if (other.equals(rt.name)) continue;
            Job job = jobs.get(other);
            if (job != null && job.type == JobType.STOP && units.containsKey(other)) return true;
        }
        return false;
    }

    private void beginStart(UnitRuntime rt) {
        if (rt.pending != null && rt.isInactive()) rt.replace(rt.pending);
        // Condition…=/Assert…= are checked when the job runs, for a unit not already up (systemd's order).
        StartConditions.Unmet unmet = rt.isInactive() ? rt.def.conditions().check() : null;
        if (unmet != null) {
            String msg = unmet.failure()
                    ? "Assertion failed for " + rt.def.description() + " (" + rt.name + "): " + unmet.reason() + "."
                    : "Condition check resulted in " + rt.def.description() + " (" + rt.name + ") being skipped: "
                            + unmet.reason() + ".";
            rt.note(msg);
            console.println("jinit: " + msg);
            // A skip is no failure: the unit stays inactive and the units that need it still start.
            finishJob(rt.name, unmet.failure() ? JobOutcome.Kind.FAILED : JobOutcome.Kind.DONE, unmet.failure() ? msg : "");
            return;
        }
        if (rt.def.kind() == UnitDefinition.Kind.TARGET) {
            rt.targetActive(true);
            finishJob(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        rt.machine.start();
        // Nothing changes for a unit already on its way up; its next settled state ends the job.
        if (rt.machine.isActive()) finishJob(rt.name, JobOutcome.Kind.DONE, "");
    }

    private void beginStop(UnitRuntime rt) {
        if (rt.def.kind() == UnitDefinition.Kind.TARGET) {
            rt.targetActive(false);
            finishJob(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        rt.machine.stop();
        if (rt.machine.state().isInactive()) finishJob(rt.name, JobOutcome.Kind.DONE, "");
    }

    /** Ends a unit's job, answers its waiters, and fails the start jobs that needed it. */
    private void finishJob(String name, JobOutcome.Kind kind, String message) {
        Job job = jobs.remove(name);
        if (job == null) return;
        JobOutcome outcome = new JobOutcome(name, kind, message);
        for (CompletableFuture<JobOutcome> f : job.waiters) f.complete(outcome);
        if (job.type == JobType.START && kind != JobOutcome.Kind.DONE) {
            // systemd: a unit that Requires= (or BindsTo=) a failed one and is ordered after it is not started.
            UnitRuntime failed = units.get(name);
            for (UnitRuntime d : failed == null ? List.<UnitRuntime>of() : dependents(failed)) {
                Job dj = jobs.get(d.name);
                if (dj != null && dj.type == JobType.START && !dj.running && isAfter(d, name)) {
                    String msg = "Dependency failed for " + d.def.description() + " (" + d.name + "): " + name + " failed.";
                    d.note(msg);
                    console.println("jinit: " + msg);
                    finishJob(d.name, JobOutcome.Kind.FAILED, msg);
                }
            }
        }
        loop.post(this::dispatch);
    }

    /** A unit's state settled somewhere: ends its job when the job's goal is reached (or missed). */
    private void settled(UnitRuntime rt, ServiceState to, ServiceResult result) {
        Job job = jobs.get(rt.name);
        if (job != null && job.running) {
            if (job.type == JobType.START) {
                if (to.active == ActiveState.ACTIVE || to.active == ActiveState.RELOADING) {
                    finishJob(rt.name, JobOutcome.Kind.DONE, "");
                } else if (to == ServiceState.DEAD && result == ServiceResult.SUCCESS) {
                    finishJob(rt.name, JobOutcome.Kind.DONE, ""); // a oneshot that did its work
                } else if (to == ServiceState.FAILED || to == ServiceState.AUTO_RESTART || to == ServiceState.DEAD) {
                    finishJob(rt.name, JobOutcome.Kind.FAILED, "Job for " + rt.name + " failed because "
                            + explain(result) + ". See \"jinit status " + rt.name + "\" and \"jinit logs " + rt.name + "\" for details.");
                }
            } else if (to.isInactive()) {
                finishJob(rt.name, JobOutcome.Kind.DONE, "");
            }
        }
        if (to.isInactive()) {
            // BindsTo=: units bound to this one go down when it does, however it went down.
            for (UnitRuntime o : unitsNamed(Graph.get(graph().boundBy(), rt.name, List.of()))) {
                if ((!o.isInactive() || jobs.containsKey(o.name))
                        && !(jobs.get(o.name) instanceof Job j && j.type == JobType.STOP)) {
                    o.note("Stopping " + o.name + ": the unit it is bound to, " + rt.name + ", is " + to.active.word() + ".");
                    enqueueStopOne(o);
                }
            }
        }
        dispatch();
    }

    private static String explain(ServiceResult r) {
        return switch (r) {
            case SUCCESS -> "the unit stopped";
            case EXIT_CODE -> "the control process exited with error code";
            case SIGNAL -> "a fatal signal was delivered to the control process";
            case CORE_DUMP -> "a fatal signal was delivered causing the control process to dump core";
            case TIMEOUT -> "a timeout was exceeded";
            case WATCHDOG -> "the watchdog timed out";
            case START_LIMIT_HIT -> "the service was started too often (start-limit-hit)";
            case RESOURCES -> "of unavailable resources or another system error";
            case PROTOCOL -> "the service did not take the steps required by its unit configuration";
        };
    }

    // =========================================================================================
    // One unit at run time
    // =========================================================================================

    /** Everything the manager keeps about one unit; the machine's driver for a service. */
    private final class UnitRuntime implements ServiceEffects {
        final String name;
        UnitDefinition def;
        /** A newer definition read by daemon-reload, applied when the unit is next down. */
        UnitDefinition pending;
        boolean removed;
        ServiceMachine machine;
        ProcessScope scope;
        String invocationId = "";
        boolean targetUp;
        /** A start was asked of this unit that could not be loaded. */
        boolean loadFailed;
        /** The sender of the notify message being handled, found to be this unit's when it was received. */
        int verifiedSender;
        Instant since, activeEnter, inactiveEnter;
        int lastExitPid;
        ExitStatus lastExit;
        private final List<Action.StateChanged> transitions = new ArrayList<>();
        /** The pidfds of the unit's processes jinit knows by pid (spawned, MAINPID=, PIDFile=), until their exit. */
        private final Map<Integer, Fd> pidfds = new HashMap<>();
        /** The pids whose exit this unit has asked for and not yet been told of. */
        private final Set<Integer> watching = new HashSet<>();

        UnitRuntime(UnitDefinition def) {
            this.name = def.name();
            replace(def);
        }

        void replace(UnitDefinition d) {
            def = d;
            definitionsChanged();
            loadFailed = false;
            pending = null;
            machine = d.loaded() && d.kind() == UnitDefinition.Kind.SERVICE ? new ServiceMachine(d.service(), loop, this) : null;
        }

        boolean isInactive() {
            if (machine != null) return machine.state().isInactive();
            return !targetUp;
        }

        boolean isActive() {
            if (machine != null) return machine.isActive();
            return targetUp;
        }

        void targetActive(boolean up) {
            if (targetUp == up) return;
            targetUp = up;
            since = Instant.now();
            if (up) activeEnter = since;
            else inactiveEnter = since;
            console.println("jinit: " + (up ? "Reached target " : "Stopped target ") + def.description() + ".");
        }

        void note(String text) {
            logs.note(name, text);
        }

        /**
         * An event of this unit, contained: a bug met while handling it is reported in the unit's log
         * and on jinit's console, and the manager goes on with every other unit.
         */
        Runnable guarded(String what, Runnable event) {
            return () -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    note("Internal error while handling " + what + " (contained): " + e);
                    console.println("jinit: " + name + ": internal error while handling " + what + " (contained): " + e);
                }
            };
        }

        // ---- ServiceEffects ------------------------------------------------------------------

        @Override
        public void spawn(Action.Spawn s) {
            int pid;
            try {
                pid = start(s);
            } catch (SpawnException e) {
                machine.spawnFailed(s, e);
                return;
            }
            if (!machine.spawned(s, pid) && pidfds.get(pid) instanceof Fd fd) {
                note("Killing pid " + pid + ": started for " + s.role().directive + "=, which is no longer wanted.");
                dev.jinit.linux.Pidfd.sendSignal(fd, dev.jinit.linux.Signals.SIGKILL);
            }
        }

        private int start(Action.Spawn s) throws SpawnException {
            boolean firstOfRun = (s.role() == ServiceConfig.Role.START_PRE && s.index() == 0)
                    || (s.role() == ServiceConfig.Role.START && s.index() == 0 && def.service().startPre().isEmpty());
            if (firstOfRun) beginRun();
            Map<String, String> env = new LinkedHashMap<>(s.env());
            env.put("INVOCATION_ID", invocationId);
            if (options.notifySocket() != null && def.service().notifyAccess() != NotifyAccess.NONE)
                env.put("NOTIFY_SOCKET", options.notifySocket());
            if (s.role() == ServiceConfig.Role.START && def.service().watchdogMillis() > 0)
                env.put("WATCHDOG_USEC", Long.toString(def.service().watchdogMillis() * 1000));
            addDirectoryEnv(env);
            ProcessSpec spec;
            try {
                spec = scope.prepare(def.plan().spec(s.role(), s.index(), env).toBuilder()).build();
            } catch (IllegalArgumentException e) {
                throw new SpawnException(name + ": " + s.role().directive + "=" + s.command() + ": " + e.getMessage(), 1, e);
            } catch (RuntimeException e) {
                // Contained here so that the machine sees a failed start, not a half-done transition.
                throw new SpawnException(name + ": " + s.role().directive + "=" + s.command() + ": " + e, 1, e);
            }
            Spawned spawned;
            try {
                spawned = launcher.spawn(spec);
            } catch (SpawnException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new SpawnException(name + ": cannot start " + spec.program() + ": " + e.getMessage(), 1, e);
            }
            int pid = spawned.pid();
            for (String w : spawned.warnings()) note(w);
            hold(pid, spawned.pidfd());
            try {
                scope.adopt(pid);
            } catch (RuntimeException e) {
                note("Could not place pid " + pid + " in " + scope.describe() + ": " + e.getMessage());
            }
            for (Map.Entry<Integer, Fd> pipe : spawned.pipes().entrySet()) {
                if (pipe.getKey() == 1 || pipe.getKey() == 2) logs.attach(name, pipe.getValue(), pipe.getKey() == 2);
                else pipe.getValue().close();
            }
            watch(pid);
            return pid;
        }

        /** Keeps the pidfd of {@code pid} (opens one when the spawn gave none) until its exit is reported. */
        private void hold(int pid, Fd pidfd) {
            if (pidfds.containsKey(pid)) {
                if (pidfd != null) pidfd.close();
                return;
            }
            try {
                pidfds.put(pid, pidfd != null ? pidfd : dev.jinit.linux.Pidfd.open(pid));
            } catch (RuntimeException gone) {
                // exited already: its exit is on its way
            }
        }

        private void watch(int pid) {
            if (!watching.add(pid)) return; // this unit is its owner already
            exits.watch(pid, status -> loop.post(guarded("the exit of pid " + pid, () -> exited(pid, status))));
        }

        /**
         * A main process that is not jinit's child (MAINPID= naming a grandchild whose parent lives on)
         * never reaches the reaper: watch it through a pidfd (immune to pid reuse) and, once it is
         * gone, report it as ended. Its exit status cannot be known, so it counts as a clean exit.
         * A process that is reparented to jinit before it ends is reported by the reaper as usual.
         */
        private void watchForeign(int pid) {
            ProcTable.Entry e = ProcTable.readStat(pid);
            if (e != null && e.ppid() == ProcessHandle.current().pid()) return; // our child: the reaper sees it
            Fd pidfd;
            try {
                pidfd = dev.jinit.linux.Pidfd.open(pid);
            } catch (RuntimeException gone) {
                pidfd = null; // already gone: reported after the grace below, unless the reaper has it
            }
            pollForeign(pid, pidfd, false);
        }

        private void pollForeign(int pid, Fd pidfd, boolean goneBefore) {
            loop.schedule(loop.millis() + FOREIGN_POLL_MILLIS, () -> {
                if (machine == null || machine.mainPid() != pid) {
                    if (pidfd != null) pidfd.close();
                    return;
                }
                ProcTable.Entry now = ProcTable.readStat(pid);
                boolean gone = pidfd == null || !dev.jinit.linux.Pidfd.sendSignal(pidfd, 0)
                        || now == null || now.state() == 'Z' || now.state() == 'X';
                if (!gone) {
                    pollForeign(pid, pidfd, false);
                } else if (!goneBefore) {
                    // One more round: if it was reparented to jinit, the reaper's report (with the real
                    // status) arrives first.
                    pollForeign(pid, pidfd, true);
                } else {
                    if (pidfd != null) pidfd.close();
                    note("Main process " + pid + " (not a child of jinit) is gone; its exit status is unknown.");
                    exited(pid, ExitStatus.exited(0));
                }
            });
        }

        private void exited(int pid, ExitStatus status) {
            watching.remove(pid);
            Fd pidfd = pidfds.remove(pid);
            if (pidfd != null) pidfd.close();
            if (scope != null) scope.exited(pid);
            if (machine == null) return;
            if (pid == machine.mainPid()) {
                lastExitPid = pid;
                lastExit = status;
            }
            machine.processExited(pid, status);
        }

        @Override
        public void perform(Action action) {
            switch (action) {
                case Action.Signal s -> {
                    Fd pidfd = pidfds.get(s.pid());
                    if (pidfd == null) {
                        // Not a process jinit holds (its exit was reported already): its number may be another's now.
                        note("Not sending " + dev.jinit.linux.Signals.name(s.signal()) + " to " + s.pid() + ": not a process of this unit any more.");
                        return;
                    }
                    try {
                        dev.jinit.linux.Pidfd.sendSignal(pidfd, s.signal());
                    } catch (RuntimeException e) {
                        note("Failed to send " + dev.jinit.linux.Signals.name(s.signal()) + " to " + s.pid() + ": " + e.getMessage());
                    }
                }
                case Action.SignalAll s -> {
                    List<Fd> known = new ArrayList<>();
                    for (int p : new int[] {s.mainPid(), s.controlPid()}) if (pidfds.get(p) instanceof Fd fd) known.add(fd);
                    List<String> failures;
                    try {
                        failures = scope != null ? scope.signalAll(s.signal(), known) : PidfdSignals.send(s.signal(), known, List.of(), Set::of);
                    } catch (RuntimeException e) {
                        failures = List.of(e.getMessage());
                    }
                    for (String f : failures) note("Failed to send " + dev.jinit.linux.Signals.name(s.signal()) + " to a process of the unit: " + f);
                }
                case Action.MainPid m -> {
                    if (scope != null) {
                        try {
                            scope.adopt(m.pid());
                        } catch (RuntimeException e) {
                            note("Could not place main pid " + m.pid() + " in " + scope.describe() + ": " + e.getMessage());
                        }
                    }
                    if (!watching.contains(m.pid())) {
                        hold(m.pid(), null);
                        watch(m.pid());
                        watchForeign(m.pid());
                    }
                }
                case Action.Log l -> {
                    note(l.message());
                }
                case Action.StateChanged c -> stateChanged(c);
                case Action.Spawn s -> throw new IllegalArgumentException("spawns go through spawn()");
            }
        }

        @Override
        public int readPidFile(Path pidFile) {
            try {
                String text = Files.readString(pidFile).trim();
                int pid = Integer.parseInt(text);
                return pid > 0 && Files.isDirectory(Path.of("/proc", Integer.toString(pid))) ? pid : 0;
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
        }

        @Override
        public boolean isUnitProcess(int pid) {
            return pid == verifiedSender || scope != null && scope.contains(pid);
        }

        @Override
        public boolean unitHasProcesses() {
            return scope != null && !scope.pids().isEmpty();
        }

        // ---- runs and states ----------------------------------------------------------------

        /** A start begins: a new invocation, a process scope, the unit's directories. */
        private void beginRun() {
            byte[] id = new byte[16];
            ThreadLocalRandom.current().nextBytes(id);
            StringBuilder hex = new StringBuilder();
            for (byte b : id) hex.append(String.format("%02x", b));
            invocationId = hex.toString();
            if (scope == null) scope = newScope();
            makeDirectories();
        }

        private ProcessScope newScope() {
            if (options.cgroupParent() != null) {
                try {
                    return new ProcessScope.Cgroup(options.cgroups(), options.cgroupParent().resolve(name));
                } catch (RuntimeException e) {
                    note("No cgroup for " + name + " (" + e.getMessage() + "); using process groups.");
                }
            }
            return new ProcessScope.Groups();
        }

        private void makeDirectories() {
            UnitDefinition.Directories d = def.directories();
            make(options.runtimeBase(), d.runtime(), d.runtimeMode(), d);
            make(options.stateBase(), d.state(), d.stateMode(), d);
            make(options.logsBase(), d.logs(), d.logsMode(), d);
        }

        private void make(Path base, List<String> names, int mode, UnitDefinition.Directories d) {
            for (String n : names) {
                Path dir = base.resolve(n);
                try {
                    Files.createDirectories(dir);
                    if (d.uid() != null) {
                        Files.setAttribute(dir, "unix:uid", d.uid());
                        Files.setAttribute(dir, "unix:gid", d.gid() != null ? d.gid() : d.uid());
                    }
                    // chmod(2) with the whole mode, after the chown: the setgid and sticky bits
                    // (redis' RuntimeDirectoryMode=2755, a shared 1777) have no PosixFilePermission.
                    Files.setAttribute(dir, "unix:mode", mode & 07777);
                } catch (IOException | UnsupportedOperationException e) {
                    // The start fails on the spawn if the service needs it; say why here.
                    note("Failed to set up directory " + dir + ": " + e);
                }
            }
        }

        private void addDirectoryEnv(Map<String, String> env) {
            UnitDefinition.Directories d = def.directories();
            if (!d.runtime().isEmpty()) env.put("RUNTIME_DIRECTORY", join(options.runtimeBase(), d.runtime()));
            if (!d.state().isEmpty()) env.put("STATE_DIRECTORY", join(options.stateBase(), d.state()));
            if (!d.logs().isEmpty()) env.put("LOGS_DIRECTORY", join(options.logsBase(), d.logs()));
        }

        private static String join(Path base, List<String> names) {
            return String.join(":", names.stream().map(n -> base.resolve(n).toString()).toList());
        }

        private void removeRuntimeDirectories() {
            for (String n : def.directories().runtime()) {
                Path dir = options.runtimeBase().resolve(n);
                try {
                    deleteTree(dir);
                } catch (IOException e) {
                    note("Failed to remove runtime directory " + dir + ": " + e);
                }
            }
        }

        private void stateChanged(Action.StateChanged c) {
            Instant now = Instant.now();
            if (c.from().active != c.to().active) since = now;
            if (c.to().active == ActiveState.ACTIVE && c.from().active != ActiveState.RELOADING) {
                activeEnter = now;
                if (c.from().active != ActiveState.ACTIVE) {
                    console.println("jinit: Started " + def.description() + " (" + name + ").");
                    note("Started " + def.description() + ".");
                }
            }
            if (c.to().isInactive()) {
                inactiveEnter = now;
                console.println(c.to() == ServiceState.FAILED
                        ? "jinit: " + name + ": Failed with result '" + c.result().word + "'."
                        : "jinit: Stopped " + def.description() + " (" + name + ").");
                note(c.to() == ServiceState.FAILED ? "Failed with result '" + c.result().word + "'." : "Deactivated successfully.");
                removeRuntimeDirectories();
                if (scope != null) {
                    scope.release();
                    scope = null;
                }
            }
            // Job and dependency consequences run as their own event, after the machine's call returns,
            // so the machine is never re-entered from inside its own transition.
            transitions.add(c);
            if (transitions.size() == 1) loop.post(guarded("a state change", this::drainTransitions));
        }

        private void drainTransitions() {
            List<Action.StateChanged> batch = List.copyOf(transitions);
            transitions.clear();
            for (Action.StateChanged c : batch) settled(this, c.to(), c.result());
            if (isInactive() && !jobs.containsKey(name)) {
                if (removed) {
                    units.remove(name);
                    definitionsChanged();
                    console.println("jinit: " + name + " removed (its file is gone).");
                } else if (pending != null) {
                    replace(pending);
                }
            }
        }

        UnitSnapshot snapshot() {
            LoadState load = def.loadState();
            ActiveState active;
            String sub;
            int pid = 0, restarts = 0;
            String result = null, statusText = null, execStart = null;
            if (machine != null) {
                active = machine.activeState();
                sub = machine.state().word;
                pid = machine.mainPid();
                restarts = machine.restarts();
                result = machine.result().word;
                statusText = machine.statusText();
                execStart = String.join("; ", def.service().start().stream().map(ServiceConfig.Command::toString).toList());
            } else if (def.kind() == UnitDefinition.Kind.TARGET && def.loaded()) {
                active = targetUp ? ActiveState.ACTIVE : ActiveState.INACTIVE;
                sub = targetUp ? "active" : "dead";
            } else if (loadFailed) {
                active = ActiveState.FAILED;
                sub = "failed";
                result = "resources";
            } else {
                active = ActiveState.INACTIVE;
                sub = "dead";
            }
            List<Integer> procs = new ArrayList<>();
            if (pid != 0) procs.add(pid);
            if (scope != null) for (int p : scope.pids()) if (p != pid) procs.add(p);
            List<String> warnings = new ArrayList<>(def.warnings());
            if (pending != null) warnings.add("The unit file changed on disk; the new definition applies at the next start.");
            if (removed) warnings.add("The unit file was removed; the unit is kept until it stops.");
            return new UnitSnapshot(name, load, active, sub, pid, restarts, since, def.description(), result, statusText,
                    lastExitPid, lastExit, def.source() == null ? null : def.source().toString(), def.loadError(),
                    execStart, activeEnter, inactiveEnter, procs, warnings, pending != null);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

}
