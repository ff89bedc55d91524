package dev.jinit.supervise;

import dev.jinit.unit.DependencyGraph;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Turns one request into jobs, as systemd's transaction.c does: the closure of what the unit pulls
 * in (Requires=/BindsTo= must exist and load, Wants= is taken when it can be, Requisite= must
 * already be up), stops for what it conflicts with, and a check that the jobs' ordering has no
 * cycle. A cycle is broken by dropping the start of a unit on it that is only wanted (not needed by
 * the requested unit through Requires=/BindsTo=), and logged; when every unit on it is needed, the
 * request fails. Only a consistent transaction reaches the {@link JobQueue}.
 */
final class Transaction {
    private final UnitTable units;
    private final JobQueue jobs;
    private final PrintStream console;

    Transaction(UnitTable units, JobQueue jobs, PrintStream console) {
        this.units = units;
        this.jobs = jobs;
        this.console = console;
    }

    private DependencyGraph graph() {
        return units.graph();
    }

    /** Starts {@code name} and what it pulls in; the future answers for {@code name}. */
    CompletableFuture<JobOutcome> start(String name) {
        UnitRuntime target = units.get(name);
        if (target == null) return CompletableFuture.completedFuture(Manager.notFound(name));
        if (!target.def.loaded()) {
            // Shown as failed where it was asked to start, until reset-failed or a reload fixes it.
            target.loadFailed = true;
            if (target.def.loadState() == dev.jinit.unit.LoadState.MASKED)
                return CompletableFuture.completedFuture(JobOutcome.failed(name, "Unit " + name + " is masked."));
            return CompletableFuture.completedFuture(JobOutcome.failed(name, "Unit " + name + " is not loaded properly ("
                    + target.def.loadState().word() + "): " + target.def.loadError()));
        }
        List<String> problems = new ArrayList<>();
        Set<String> dropped = new LinkedHashSet<>();
        Set<String> closure = closure(name, dropped, problems);
        if (!problems.isEmpty()) {
            String msg = "Dependency failed for " + name + ": " + String.join("; ", problems);
            target.note(msg);
            return CompletableFuture.completedFuture(JobOutcome.failed(name, msg));
        }
        // Ordering cycles among the jobs: drop a wanted-only start on each, then take again only
        // what the request still pulls in (what only the dropped unit wanted goes too).
        while (true) {
            List<String> cycle = orderingCycle(closure);
            if (cycle == null) break;
            String ring = String.join(" -> ", cycle) + " -> " + cycle.getFirst();
            Set<String> needed = neededBy(name, closure);
            String drop = null;
            for (String u : cycle) if (!needed.contains(u)) drop = u;
            if (drop == null) {
                String msg = "Transaction for " + name + " is cyclic (ordering cycle " + ring
                        + ", every unit on it needed); not started.";
                target.note(msg);
                console.println("jinit: " + msg);
                return CompletableFuture.completedFuture(JobOutcome.failed(name, msg));
            }
            String msg = "Found ordering cycle " + ring + "; breaking it by not starting " + drop + " (only wanted).";
            console.println("jinit: " + msg);
            units.get(drop).note(msg);
            dropped.add(drop);
            closure = closure(name, dropped, new ArrayList<>());
        }
        // Conflicts: starting a unit stops what it conflicts with (either side may name the other).
        for (String n : closure) {
            for (String c : graph().conflictsOf(n)) {
                UnitRuntime other = units.get(c);
                if (other != null && !closure.contains(c) && (!other.isInactive() || jobs.has(c))) {
                    other.note("Stopping " + c + ": it conflicts with " + n + ".");
                    jobs.addStop(other);
                }
            }
        }
        CompletableFuture<JobOutcome> result = null;
        for (String n : closure) {
            CompletableFuture<JobOutcome> f = jobs.addStart(units.get(n));
            if (n.equals(name)) result = f;
        }
        return result;
    }

    /**
     * The unit and everything it pulls in, leaving out {@code dropped}: Requires=/BindsTo= must
     * exist and be loaded (else a problem is noted), Requisite= must be up, Wants= is taken when it
     * can be.
     */
    private Set<String> closure(String name, Set<String> dropped, List<String> problems) {
        Set<String> closure = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (dropped.contains(n) || closure.contains(n)) continue;
            List<String> hard = new ArrayList<>(graph().requiresOf(n));
            hard.addAll(graph().bindsToOf(n));
            // A unit that needs a dropped start goes with it (it is only wanted: the anchor's needs are never dropped).
            if (!n.equals(name) && hard.stream().anyMatch(dropped::contains)) continue;
            closure.add(n);
            for (String r : hard) {
                UnitRuntime dep = units.get(r);
                if (dep == null || !dep.def.loaded())
                    problems.add(n + " requires " + r + ", which is " + (dep == null ? "not found" : dep.def.loadState().word()));
                else todo.add(r);
            }
            for (String q : graph().requisiteOf(n)) {
                UnitRuntime dep = units.get(q);
                if (dep == null || !(dep.isActive() || jobs.hasJob(q, JobQueue.Type.START)))
                    problems.add(n + " has Requisite=" + q + ", which is " + (dep == null ? "not found" : "not active"));
            }
            for (String w : graph().wantsOf(n)) {
                UnitRuntime dep = units.get(w);
                if (dep != null && dep.def.loaded()) todo.add(w);
            }
        }
        return closure;
    }

    /** The units the anchor needs through Requires=/BindsTo= (transitively): their starts are never dropped. */
    private Set<String> neededBy(String anchor, Set<String> closure) {
        Set<String> out = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(anchor));
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!out.add(n)) continue;
            for (String r : graph().requiresOf(n)) if (closure.contains(r)) todo.add(r);
            for (String b : graph().bindsToOf(n)) if (closure.contains(b)) todo.add(b);
        }
        return out;
    }

    /**
     * A cycle of "is ordered after" among the units of {@code closure} that are not already up
     * (those get no job, so they hold nothing back), in After= direction, or null.
     */
    private List<String> orderingCycle(Set<String> closure) {
        Set<String> jobbed = new LinkedHashSet<>();
        for (String n : closure) {
            UnitRuntime rt = units.get(n);
            if (!(rt.isActive() && rt.pending == null) || jobs.has(n)) jobbed.add(n);
        }
        Map<String, Integer> state = new HashMap<>();
        for (String root : jobbed) {
            if (state.containsKey(root)) continue;
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> its = new ArrayDeque<>();
            path.push(root);
            state.put(root, 1);
            its.push(graph().after(root).iterator());
            while (!path.isEmpty()) {
                java.util.Iterator<String> it = its.peek();
                if (!it.hasNext()) {
                    state.put(path.pop(), 2);
                    its.pop();
                    continue;
                }
                String next = it.next();
                if (!jobbed.contains(next)) continue;
                Integer s = state.get(next);
                if (s == null) {
                    state.put(next, 1);
                    path.push(next);
                    its.push(graph().after(next).iterator());
                } else if (s == 1) {
                    List<String> ring = new ArrayList<>();
                    for (java.util.Iterator<String> d = path.descendingIterator(); d.hasNext(); ) ring.add(d.next());
                    return ring.subList(ring.indexOf(next), ring.size());
                }
            }
        }
        return null;
    }

    /** Stops {@code name} and, first, the units that go down with it (transitively). */
    CompletableFuture<JobOutcome> stop(String name) {
        UnitRuntime rt = units.get(name);
        if (rt == null) return CompletableFuture.completedFuture(Manager.notFound(name));
        Set<UnitRuntime> closure = new LinkedHashSet<>();
        Deque<UnitRuntime> todo = new ArrayDeque<>(List.of(rt));
        while (!todo.isEmpty()) {
            UnitRuntime u = todo.poll();
            if (!closure.add(u)) continue;
            for (UnitRuntime d : units.named(graph().stopsWith(u.name))) if (!d.isInactive() || jobs.has(d.name)) todo.add(d);
        }
        CompletableFuture<JobOutcome> result = null;
        for (UnitRuntime u : closure) {
            CompletableFuture<JobOutcome> f = jobs.addStop(u);
            if (u == rt) result = f;
        }
        return result;
    }
}
