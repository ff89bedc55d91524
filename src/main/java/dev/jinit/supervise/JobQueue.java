package dev.jinit.supervise;

import dev.jinit.state.ActiveState;
import dev.jinit.unit.DependencyGraph;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.CompletableFuture;

/**
 * The jobs waiting or running: at most one per unit, a start or a stop (systemd's job.c and the
 * dispatching part of manager.c). A job waits only for jobs of units it is ordered against, by
 * systemd's rule (job_compare): a start waits for the jobs of the units it is ordered after; a
 * stop waits for the stops of the units ordered after it (reverse order); and wherever a start and
 * a stop are ordered against each other, the stop goes first. When a job runs it asks the unit to
 * start or stop; the unit's next settled state ends it.
 *
 * <p>Transactions ({@link Transaction}) are checked for ordering cycles before their jobs get
 * here; as a last guard, a wait cycle among waiting jobs (jobs of separate requests meeting) is
 * broken here too, and said so, so that no request ever waits forever.
 */
final class JobQueue {
    enum Type { START, STOP }

    /** A start or stop request for one unit, waiting for its ordering or for the unit to settle. */
    static final class Job {
        final Type type;
        boolean running;
        /** Run although its ordering says wait (a wait cycle was broken through it). */
        boolean ignoreOrder;
        final List<CompletableFuture<JobOutcome>> waiters = new ArrayList<>();

        Job(Type type) {
            this.type = type;
        }
    }

    private final UnitTable units;
    private final EventLoop loop;
    private final PrintStream console;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** Targets whose start waits for something outside the manager (network-online.target): see {@link #hold}. */
    private final Map<String, CompletableFuture<String>> holds = new HashMap<>();

    JobQueue(UnitTable units, EventLoop loop, PrintStream console) {
        this.units = units;
        this.loop = loop;
        this.console = console;
    }

    Job get(String unit) {
        return jobs.get(unit);
    }

    boolean has(String unit) {
        return jobs.containsKey(unit);
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    /** Unit names with a job, in the order the jobs were made. */
    List<String> units() {
        return List.copyOf(jobs.keySet());
    }

    private DependencyGraph graph() {
        return units.graph();
    }

    /**
     * From now on a start job of {@code target} stays running until {@code until} completes; then the
     * target is reached, whatever the outcome (systemd's network-online.target after
     * systemd-networkd-wait-online.service, which it only Wants=: a timeout still lets the units ordered
     * after it start). The stage's value, when not null, or its failure is noted on the target.
     */
    void hold(String target, java.util.concurrent.CompletionStage<String> until) {
        holds.put(target, until.toCompletableFuture());
    }

    /** Targets held by {@link #hold}. */
    java.util.Set<String> held() {
        return java.util.Set.copyOf(holds.keySet());
    }

    // ---- adding ---------------------------------------------------------------------------

    /** A start job for one unit; completes at once for a unit already up. A start replaces a stop. */
    CompletableFuture<JobOutcome> addStart(UnitRuntime rt) {
        CompletableFuture<JobOutcome> f = new CompletableFuture<>();
        Job job = jobs.get(rt.name);
        if (job != null && job.type == Type.STOP) {
            // The machine starts again once the stop it is in has finished.
            finish(rt.name, JobOutcome.Kind.CANCELED, "Job for " + rt.name + " canceled by a start request.");
            job = null;
        }
        if (job == null) {
            if (rt.isActive() && rt.pending == null) {
                f.complete(JobOutcome.done(rt.name));
                return f;
            }
            job = new Job(Type.START);
            jobs.put(rt.name, job);
        }
        job.waiters.add(f);
        return f;
    }

    /** A stop job for one unit; completes at once for a unit already down. A stop replaces a start. */
    CompletableFuture<JobOutcome> addStop(UnitRuntime rt) {
        CompletableFuture<JobOutcome> f = new CompletableFuture<>();
        Job job = jobs.get(rt.name);
        if (job != null && job.type == Type.START) {
            finish(rt.name, JobOutcome.Kind.CANCELED, "Job for " + rt.name + " canceled by a stop request.");
            job = null;
        }
        if (job == null) {
            if (rt.isInactive()) {
                f.complete(JobOutcome.done(rt.name));
                return f;
            }
            job = new Job(Type.STOP);
            jobs.put(rt.name, job);
        }
        job.waiters.add(f);
        return f;
    }

    /** Cancels every start job that has not begun (shutdown). */
    void cancelWaitingStarts(String why) {
        for (String name : units()) {
            Job job = jobs.get(name);
            if (job != null && job.type == Type.START && !job.running) finish(name, JobOutcome.Kind.CANCELED, why);
        }
    }

    // ---- dispatching ----------------------------------------------------------------------

    /** Starts every job whose ordering allows it, until nothing more can start. */
    void dispatch() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Map.Entry<String, Job> e : List.copyOf(jobs.entrySet())) {
                Job job = e.getValue();
                if (job.running || jobs.get(e.getKey()) != job) continue;
                UnitRuntime rt = units.get(e.getKey());
                if (rt == null) {
                    finish(e.getKey(), JobOutcome.Kind.NOT_FOUND, "Unit " + e.getKey() + " not found.");
                    progress = true;
                    continue;
                }
                if (!job.ignoreOrder && blockedBy(rt.name, job) != null) continue;
                job.running = true;
                progress = true;
                try {
                    if (job.type == Type.START) beginStart(rt);
                    else beginStop(rt);
                } catch (RuntimeException x) {
                    // Containment: one unit's failure must not end the dispatch of every other job
                    // (nor, from stopAll, the orderly stop of everything). The unit's job fails with the reason.
                    String msg = "Internal error while " + (job.type == Type.START ? "starting" : "stopping") + " "
                            + rt.name + " (contained): " + x;
                    rt.note(msg);
                    console.println("jinit: " + msg);
                    finish(rt.name, JobOutcome.Kind.FAILED, msg);
                }
            }
            if (!progress) progress = breakWaitCycle();
        }
    }

    /** The first unit whose job {@code job} of {@code unit} must wait for, or null when it may run. */
    private String blockedBy(String unit, Job job) {
        DependencyGraph g = graph();
        if (job.type == Type.START) {
            for (String a : g.after(unit)) if (jobs.containsKey(a) && units.contains(a)) return a;
            for (String b : g.before(unit)) if (jobs.get(b) instanceof Job o && o.type == Type.STOP && units.contains(b)) return b;
        } else {
            for (String b : g.before(unit)) if (jobs.get(b) instanceof Job o && o.type == Type.STOP && units.contains(b)) return b;
        }
        return null;
    }

    /** Every unit whose job the job of {@code unit} waits for. */
    private List<String> blockers(String unit, Job job) {
        DependencyGraph g = graph();
        List<String> out = new ArrayList<>();
        if (job.type == Type.START)
            for (String a : g.after(unit)) if (jobs.containsKey(a) && units.contains(a)) out.add(a);
        for (String b : g.before(unit)) if (jobs.get(b) instanceof Job o && o.type == Type.STOP && units.contains(b)) out.add(b);
        return out;
    }

    /**
     * Looks for jobs that wait for each other in a ring (none of them running, so none will ever
     * end); breaks one: a stop in the ring runs regardless of its ordering (a stop must always
     * finish), else the last start of the ring fails. Returns whether it broke one.
     */
    private boolean breakWaitCycle() {
        List<String> cycle = waitCycle();
        if (cycle == null) return false;
        String victim = null;
        for (String u : cycle) if (jobs.get(u).type == Type.STOP) victim = u;
        String ring = String.join(" -> ", cycle) + " -> " + cycle.getFirst();
        if (victim != null) {
            String msg = "Found a wait cycle among jobs (" + ring + "); stopping " + victim + " without waiting for its ordering.";
            console.println("jinit: " + msg);
            units.get(victim).note(msg);
            jobs.get(victim).ignoreOrder = true;
        } else {
            victim = cycle.getLast();
            String msg = "Found a wait cycle among jobs (" + ring + "); breaking it by dropping the start of " + victim + ".";
            console.println("jinit: " + msg);
            units.get(victim).note(msg);
            finish(victim, JobOutcome.Kind.FAILED, "Job for " + victim + " canceled: " + msg);
        }
        return true;
    }

    /** A ring of waiting jobs each waiting for the next, or null (iterative DFS over the wait-for graph). */
    private List<String> waitCycle() {
        Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (String root : jobs.keySet()) {
            if (state.containsKey(root) || !waiting(root)) continue;
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> its = new ArrayDeque<>();
            path.push(root);
            state.put(root, 1);
            its.push(blockers(root, jobs.get(root)).iterator());
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = its.peek();
                if (!it.hasNext()) {
                    state.put(path.pop(), 2);
                    its.pop();
                    continue;
                }
                String next = it.next();
                if (!waiting(next)) continue;
                Integer s = state.get(next);
                if (s == null) {
                    state.put(next, 1);
                    path.push(next);
                    its.push(blockers(next, jobs.get(next)).iterator());
                } else if (s == 1) {
                    List<String> ring = new ArrayList<>();
                    for (java.util.Iterator<String> d = path.descendingIterator(); d.hasNext(); ) ring.add(d.next());
                    return ring.subList(ring.indexOf(next), ring.size());
                }
            }
        }
        return null;
    }

    private boolean waiting(String unit) {
        Job j = jobs.get(unit);
        return j != null && !j.running && !j.ignoreOrder && units.contains(unit);
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
            finish(rt.name, unmet.failure() ? JobOutcome.Kind.FAILED : JobOutcome.Kind.DONE, unmet.failure() ? msg : "");
            return;
        }
        if (rt.def.kind() == UnitDefinition.Kind.TARGET) {
            CompletableFuture<String> hold = holds.get(rt.name);
            if (hold != null && !hold.isDone()) {
                // The job stays running, so every start ordered after the target keeps waiting.
                Job job = jobs.get(rt.name);
                hold.whenComplete((note, failure) -> loop.post(() -> {
                    if (jobs.get(rt.name) == job) reachHeld(rt, note, failure);
                }));
                return;
            }
            if (hold != null) {
                reachHeld(rt, hold.getNow(null), hold.isCompletedExceptionally() ? failureOf(hold) : null);
                return;
            }
            rt.targetActive(true);
            finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        if (rt.timer != null) {
            rt.timer.start();
            finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        if (rt.socket != null) {
            // Answered by socketSettled once the sockets are made (on the executor) or failed.
            rt.socket.start();
            if (rt.socket.state() == SocketRuntime.State.LISTENING || rt.socket.state() == SocketRuntime.State.RUNNING)
                finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        rt.machine.start();
        // Nothing changes for a unit already on its way up; its next settled state ends the job.
        if (rt.machine.isActive()) finish(rt.name, JobOutcome.Kind.DONE, "");
    }

    private void reachHeld(UnitRuntime rt, String note, Throwable failure) {
        if (failure != null) {
            String msg = rt.name + ": what it waits for failed (" + failure.getMessage() + "); reached anyway.";
            rt.note(msg);
            console.println("jinit: " + msg);
        } else if (note != null && !note.isEmpty()) {
            rt.note(note);
        }
        rt.targetActive(true);
        finish(rt.name, JobOutcome.Kind.DONE, "");
    }

    private static Throwable failureOf(CompletableFuture<String> f) {
        try {
            f.join();
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private void beginStop(UnitRuntime rt) {
        if (rt.timer != null) {
            rt.timer.stop();
            finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        if (rt.socket != null) {
            rt.socket.stop();
            finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        if (rt.def.kind() == UnitDefinition.Kind.TARGET || rt.machine == null) {
            rt.targetActive(false);
            finish(rt.name, JobOutcome.Kind.DONE, "");
            return;
        }
        rt.machine.stop();
        if (rt.machine.state().isInactive()) finish(rt.name, JobOutcome.Kind.DONE, "");
    }

    // ---- ending ---------------------------------------------------------------------------

    /** Ends a unit's job, answers its waiters, and fails the start jobs that needed it. */
    void finish(String name, JobOutcome.Kind kind, String message) {
        Job job = jobs.remove(name);
        if (job == null) return;
        JobOutcome outcome = new JobOutcome(name, kind, message);
        for (CompletableFuture<JobOutcome> f : job.waiters) f.complete(outcome);
        if (job.type == Type.START && kind != JobOutcome.Kind.DONE) {
            // systemd: a unit that Requires= (or BindsTo=) a failed one and is ordered after it is not started.
            for (UnitRuntime d : units.named(hardDependents(name))) {
                Job dj = jobs.get(d.name);
                if (dj != null && dj.type == Type.START && !dj.running && graph().isOrderedAfter(d.name, name)) {
                    String msg = "Dependency failed for " + d.def.description() + " (" + d.name + "): " + name + " failed.";
                    d.note(msg);
                    console.println("jinit: " + msg);
                    finish(d.name, JobOutcome.Kind.FAILED, msg);
                }
            }
        }
        loop.post(this::dispatch);
    }

    /** Units that Require=, BindTo= or Requisite= this one: their starts fail with it. */
    private List<String> hardDependents(String name) {
        List<String> out = new ArrayList<>();
        for (String d : graph().stopsWith(name)) {
            DependencyGraph g = graph();
            if (g.requiresOf(d).contains(name) || g.bindsToOf(d).contains(name) || g.requisiteOf(d).contains(name)) out.add(d);
        }
        return out;
    }

    /** A unit's state settled somewhere: ends its job when the job's goal is reached (or missed). */
    void settled(UnitRuntime rt, ServiceState to, ServiceResult result) {
        Job job = jobs.get(rt.name);
        if (job == null || !job.running) return;
        if (job.type == Type.START) {
            if (to.active == ActiveState.ACTIVE || to.active == ActiveState.RELOADING) {
                finish(rt.name, JobOutcome.Kind.DONE, "");
            } else if (to == ServiceState.DEAD && result == ServiceResult.SUCCESS) {
                finish(rt.name, JobOutcome.Kind.DONE, ""); // a oneshot that did its work
            } else if (to == ServiceState.FAILED || to == ServiceState.AUTO_RESTART || to == ServiceState.DEAD) {
                finish(rt.name, JobOutcome.Kind.FAILED, "Job for " + rt.name + " failed because "
                        + explain(result) + ". See \"jinit status " + rt.name + "\" and \"jinit logs " + rt.name + "\" for details.");
            }
        } else if (to.isInactive()) {
            finish(rt.name, JobOutcome.Kind.DONE, "");
        }
    }

    /** A socket unit came up or failed to: ends its running start job. */
    void socketSettled(UnitRuntime rt, String failure) {
        Job job = jobs.get(rt.name);
        if (job == null || !job.running || job.type != Type.START) return;
        SocketRuntime.State s = rt.socket.state();
        if (s == SocketRuntime.State.LISTENING || s == SocketRuntime.State.RUNNING) finish(rt.name, JobOutcome.Kind.DONE, "");
        else if (s == SocketRuntime.State.FAILED || s == SocketRuntime.State.DEAD)
            finish(rt.name, JobOutcome.Kind.FAILED, "Job for " + rt.name + " failed: " + (failure == null ? rt.socket.result() : failure)
                    + ". See \"jinit status " + rt.name + "\" for details.");
    }

    /** Whether {@code unit} has a job of this type. */
    boolean hasJob(String unit, Type type) {
        Job j = jobs.get(unit);
        return j != null && j.type == type;
    }

    static String explain(ServiceResult r) {
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

}
