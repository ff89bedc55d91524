package dev.jinit.unit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dependencies between loaded units, as systemd.unit(5) defines them: Requires=/Wants=/BindsTo= (and
 * [Install] WantedBy=/RequiredBy= read backwards) only pull units in; After=/Before= only order them. Computed
 * once from a {@link LoadResult} and immutable.
 *
 * <p>Ordering cycles: every unit on one fails with a reason naming the cycle and the lines that make it; the
 * loader turns them into {@link LoadedUnit.Failed} units, so the rest of the graph is unaffected. Orders are
 * deterministic (ties broken by name).
 */
public final class UnitGraph {
    /** The boot goal: units wanted by these start when {@code jinit run} starts. */
    public static final Set<String> STARTUP_TARGETS = Set.of("multi-user.target", "default.target");

    /** How one unit pulls in another. */
    public enum PullIn { REQUIRES, WANTS, BINDS_TO }

    /** An edge {@code from} pulls in {@code to}, from the unit file of {@code declaredIn}. */
    public record Dependency(String from, String to, PullIn type, String declaredIn) {}

    private final LoadResult units;
    private final Map<String, List<Dependency>> pullIns = new TreeMap<>();
    /** ordering: key must be started before each value */
    private final Map<String, Set<String>> successors = new TreeMap<>();
    private final Map<String, Set<String>> predecessors = new TreeMap<>();
    private final Map<String, Set<String>> conflicts = new TreeMap<>();
    /** why each ordering edge (first, then) exists, for cycle messages */
    private final Map<List<String>, String> edgeWhy = new HashMap<>();
    private final Map<String, String> cycleFailures = new TreeMap<>();
    private final List<List<String>> cycles = new ArrayList<>();
    private final List<String> order;
    private final Map<String, Integer> position = new HashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** The one dependency model of these units (shared rules with the manager). */
    private final DependencyGraph graph;

    public UnitGraph(LoadResult units) {
        this.units = units;
        Set<String> present = units.units().keySet();
        // Every rule (pull-ins both ways, conflicts, ordering with the target rule) is the one
        // DependencyGraph's; this class adds what loading needs: aliases resolved, cycles found and
        // named with the lines that make them, a start order.
        List<DependencyGraph.Node> nodes = new ArrayList<>();
        for (LoadedUnit lu : units.units().values()) nodes.add(node(lu));
        graph = DependencyGraph.of(nodes);
        for (DependencyGraph.Node n : graph.nodes().values()) {
            for (String r : graph.requiresOf(n.name())) addPull(n.name(), r, PullIn.REQUIRES, n.requires().contains(r) ? n.name() : r);
            for (String w : graph.wantsOf(n.name())) addPull(n.name(), w, PullIn.WANTS, n.wants().contains(w) ? n.name() : w);
            for (String b : graph.bindsToOf(n.name())) addPull(n.name(), b, PullIn.BINDS_TO, n.name());
            for (String c : graph.conflictsOf(n.name())) conflicts.computeIfAbsent(n.name(), k -> new TreeSet<>()).add(c);
        }
        // Pull-ins named by the [Install] lines of units that do not exist are kept for notes.
        for (DependencyGraph.Node n : graph.nodes().values())
            for (String t : n.wantedBy()) if (!present.contains(t)) addPull(t, n.name(), PullIn.WANTS, n.name());
        graph.orderingAmongNodes().forEach((first, thens) -> {
            for (String then : thens) {
                edgeWhy.put(List.of(first, then), describe(graph.why(first, then)));
                successors.computeIfAbsent(first, k -> new TreeSet<>()).add(then);
                predecessors.computeIfAbsent(then, k -> new TreeSet<>()).add(first);
            }
        });
        notes.addAll(graph.notes());
        findCycles(present);
        order = topologicalOrder(present);
        for (int k = 0; k < order.size(); k++) position.put(order.get(k), k);
        for (List<Dependency> ds : pullIns.values())
            for (Dependency d : ds)
                if (d.type() == PullIn.WANTS && units.get(d.to()).isEmpty() && !STARTUP_TARGETS.contains(d.to()))
                    notes.add(d.declaredIn() + ": wants " + d.to() + ", which does not exist; ignoring");
    }

    /**
     * A loaded unit as a node of the dependency graph, names resolved through aliases. A unit with a
     * bad setting keeps what could be read of its [Install] lines, so that it is pulled in (and shows
     * as failed) where it would have started; it pulls nothing in and orders nothing.
     */
    private DependencyGraph.Node node(LoadedUnit lu) {
        Unit.UnitInfo i = lu.infoOrNull();
        boolean ok = lu instanceof LoadedUnit.Ok;
        boolean target = ok ? ((LoadedUnit.Ok) lu).unit() instanceof TargetUnit : lu.name().endsWith(".target");
        if (i == null)
            return new DependencyGraph.Node(lu.name(), false, target, true, List.of(), List.of(), List.of(), List.of(),
                    List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        return new DependencyGraph.Node(lu.name(), ok, target, i.defaultDependencies(), resolved(i.requires()),
                resolved(i.wants()), resolved(i.bindsTo()), resolved(i.requisite()), resolved(i.partOf()),
                resolved(i.conflicts()), resolved(i.after()), resolved(i.before()), resolved(i.wantedBy()),
                resolved(i.requiredBy()));
    }

    private List<String> resolved(List<String> names) {
        return names.stream().map(this::resolve).distinct().toList();
    }

    /** An ordering edge's reason with the file and line it comes from. */
    private String describe(DependencyGraph.Why why) {
        return switch (why) {
            case DependencyGraph.Why.Declared d -> {
                var lu = units.get(d.unit());
                String origin = lu.isPresent() && lu.get().infoOrNull() != null ? originOf(lu.get().infoOrNull(), d) : null;
                yield d + (origin == null ? "" : " (" + origin + ")");
            }
            case DependencyGraph.Why.TargetDefault t -> t.toString();
        };
    }

    /** The line of {@code d}: found under the name as written, which may be an alias of the resolved one. */
    private String originOf(Unit.UnitInfo i, DependencyGraph.Why.Declared d) {
        List<String> written = d.directive().equals("After") ? i.after() : i.before();
        for (String w : written) if (resolve(w).equals(d.other())) return i.origin(d.directive(), w);
        return null;
    }

    /** The dependency model these units were checked with. */
    public DependencyGraph dependencyGraph() {
        return graph;
    }

    private String resolve(String name) {
        return units.get(name).map(LoadedUnit::name).orElse(name);
    }

    private void addPull(String from, String to, PullIn type, String declaredIn) {
        String t = resolve(to);
        if (from.equals(t)) return;
        List<Dependency> l = pullIns.computeIfAbsent(from, k -> new ArrayList<>());
        Dependency d = new Dependency(from, t, type, declaredIn);
        if (!l.contains(d)) l.add(d);
    }

    // ---- cycles: Tarjan's strongly connected components, iteratively so deep chains cannot overflow ----

    private void findCycles(Set<String> nodes) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        int[] counter = {0};
        for (String root : nodes) {
            if (index.containsKey(root)) continue;
            Deque<Map.Entry<String, java.util.Iterator<String>>> work = new ArrayDeque<>();
            index.put(root, counter[0]);
            low.put(root, counter[0]++);
            stack.push(root);
            onStack.add(root);
            work.push(Map.entry(root, succ(root).iterator()));
            while (!work.isEmpty()) {
                var top = work.peek();
                String v = top.getKey();
                if (top.getValue().hasNext()) {
                    String w = top.getValue().next();
                    if (!index.containsKey(w)) {
                        index.put(w, counter[0]);
                        low.put(w, counter[0]++);
                        stack.push(w);
                        onStack.add(w);
                        work.push(Map.entry(w, succ(w).iterator()));
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> scc = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        scc.add(w);
                    } while (!w.equals(v));
                    if (scc.size() > 1) recordCycle(scc);
                }
            }
        }
    }

    private Set<String> succ(String n) {
        return successors.getOrDefault(n, Set.of());
    }

    /** Every unit of a strongly connected component lies on a cycle; name, for each, a shortest one through it. */
    private void recordCycle(Set<String> scc) {
        for (String start : scc) {
            List<String> path = shortestCycle(start, scc);
            if (!cycleFailures.containsKey(start)) {
                // Named in "After" direction, as people write it: a After= b reads a -> b.
                List<String> afterWise = new ArrayList<>(path);
                Collections.reverse(afterWise);
                List<String> why = new ArrayList<>();
                for (int k = 0; k + 1 < afterWise.size(); k++)
                    why.add(edgeWhy.get(List.of(afterWise.get(k + 1), afterWise.get(k))));
                cycleFailures.put(start, "ordering cycle: " + String.join(" -> ", afterWise) + " [" + String.join("; ", why) + "]");
                if (cycles.stream().noneMatch(c -> new TreeSet<>(c).equals(new TreeSet<>(afterWise)) && c.size() == afterWise.size()))
                    cycles.add(List.copyOf(afterWise));
            }
        }
    }

    private List<String> shortestCycle(String start, Set<String> scc) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> q = new ArrayDeque<>();
        q.add(start);
        while (!q.isEmpty()) {
            String v = q.poll();
            for (String w : succ(v)) {
                if (!scc.contains(w)) continue;
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String x = v; x != null; x = parent.get(x)) path.addFirst(x);
                    path.add(start);
                    return path;
                }
                if (!parent.containsKey(w) && !w.equals(start)) {
                    parent.put(w, v);
                    q.add(w);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start + " in its component");
    }

    private List<String> topologicalOrder(Set<String> nodes) {
        // Only units that can start are ordered; edges from the others (failed, on a cycle) are dropped, so a
        // unit After= a failed one is not held back by it.
        Set<String> startable = new java.util.HashSet<>();
        for (String n : nodes)
            if (!cycleFailures.containsKey(n) && units.units().get(n) instanceof LoadedUnit.Ok) startable.add(n);
        Map<String, Integer> indegree = new HashMap<>();
        for (String n : startable) {
            int d = 0;
            for (String p : predecessors.getOrDefault(n, Set.of())) if (startable.contains(p)) d++;
            indegree.put(n, d);
        }
        PriorityQueue<String> ready = new PriorityQueue<>();
        indegree.forEach((n, d) -> {
            if (d == 0) ready.add(n);
        });
        List<String> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.poll();
            out.add(n);
            for (String s : succ(n)) {
                if (!indegree.containsKey(s)) continue;
                if (indegree.merge(s, -1, Integer::sum) == 0) ready.add(s);
            }
        }
        return List.copyOf(out);
    }

    // ---- queries ----

    /** The load result this graph was made from. */
    public LoadResult units() {
        return units;
    }

    /**
     * Why {@code unit} cannot start at all, or null: its own load failure (an ordering cycle found while loading
     * is one: {@code ordering cycle: a.service -> b.service -> a.service [a.service After=b.service
     * (/u/a.service:3); b.service After=a.service (/u/b.service:2)]}), or "not found".
     */
    public String failure(String unit) {
        String u = resolve(unit);
        if (cycleFailures.containsKey(u)) return cycleFailures.get(u);
        var lu = units.get(u);
        if (lu.isEmpty()) return "not found";
        return lu.get() instanceof LoadedUnit.Failed f ? String.join("; ", f.reasons()) : null;
    }

    /** Every ordering cycle among these units (or found when they were loaded), each as {@code a, b, …, a} in After= direction. */
    public List<List<String>> cycles() {
        return cycles.isEmpty() ? units.cycles() : Collections.unmodifiableList(cycles);
    }

    /** Units on an ordering cycle, with the reason; used by the loader to fail them. */
    Map<String, String> cycleFailures() {
        return Collections.unmodifiableMap(cycleFailures);
    }

    /** Harmless oddities worth telling the user, e.g. a Wants= of a unit that does not exist. */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    /** The units {@code unit} pulls in directly, with how. */
    public List<Dependency> pullIns(String unit) {
        return Collections.unmodifiableList(pullIns.getOrDefault(resolve(unit), List.of()));
    }

    /** {@code unit} and everything it pulls in, transitively; names that do not exist are included. */
    public Set<String> closure(String unit) {
        return closure(List.of(resolve(unit)));
    }

    private Set<String> closure(Collection<String> roots) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!seen.add(n)) continue;
            for (Dependency d : pullIns.getOrDefault(n, List.of())) todo.add(d.to());
        }
        return seen;
    }

    /**
     * What {@code jinit run} starts: everything {@link #STARTUP_TARGETS} pull in, transitively, that exists
     * (loaded or failed, so failures show), in start order; units on a cycle come last.
     */
    public List<String> startupSet() {
        Set<String> c = closure(STARTUP_TARGETS.stream().sorted().toList());
        c.removeIf(n -> units.get(n).isEmpty());
        return startOrder(c);
    }

    /**
     * {@code names} in an order that respects every After=/Before= among all units (transitively, also through
     * units outside {@code names}); units that cannot start (failed to load, on a cycle, missing) are put last,
     * by name, since they will fail anyway.
     */
    public List<String> startOrder(Collection<String> names) {
        Set<String> wanted = new java.util.HashSet<>();
        for (String n : names) wanted.add(resolve(n));
        List<String> out = new ArrayList<>();
        for (String n : order) if (wanted.contains(n)) out.add(n);
        wanted.stream().filter(n -> !position.containsKey(n)).sorted().forEach(out::add);
        return out;
    }

    /** The reverse of {@link #startOrder}: a unit stops before the units it was ordered after. */
    public List<String> stopOrder(Collection<String> names) {
        List<String> l = new ArrayList<>(startOrder(names));
        Collections.reverse(l);
        return l;
    }

    /** The units that must be up before {@code unit} starts (its After= and others' Before= it). */
    public Set<String> orderedAfter(String unit) {
        return Collections.unmodifiableSet(predecessors.getOrDefault(resolve(unit), Set.of()));
    }

    /** The units that wait for {@code unit} (its Before= and others' After= it): stop them before it. */
    public Set<String> orderedBefore(String unit) {
        return Collections.unmodifiableSet(successors.getOrDefault(resolve(unit), Set.of()));
    }

    /** The units {@code unit} conflicts with, in either direction of declaration. */
    public Set<String> conflicts(String unit) {
        return Collections.unmodifiableSet(conflicts.getOrDefault(resolve(unit), Set.of()));
    }

    /** Units that Requires=/BindsTo=/Requisite= {@code unit}, are PartOf= it (or that it is RequiredBy=): they stop when it stops. */
    public Set<String> requiredBy(String unit) {
        return new TreeSet<>(graph.stopsWith(resolve(unit)));
    }

    /** Units that BindsTo= {@code unit}: they also stop when it exits by itself. */
    public Set<String> boundBy(String unit) {
        return new TreeSet<>(graph.boundBy(resolve(unit)));
    }


    /**
     * Why {@code unit} cannot start, from the graph's point of view: it is on an ordering cycle, or something
     * it Requires=/BindsTo= does not exist, failed to load, or is itself on a cycle. Empty when it can start.
     * (Wants= of a missing or broken unit is no reason: see {@link #notes}.)
     */
    public List<String> startProblems(String unit) {
        String u = resolve(unit);
        List<String> out = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(List.of(u));
        Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!seen.add(n)) continue;
            String prefix = n.equals(u) ? "" : "required unit " + n + ": ";
            if (cycleFailures.containsKey(n)) out.add(prefix + cycleFailures.get(n));
            var lu = units.get(n);
            if (lu.isEmpty()) {
                out.add(prefix + "not found");
                continue;
            }
            if (lu.get() instanceof LoadedUnit.Failed f) {
                out.add(prefix + "load state " + f.loadState().word()
                        + (f.reasons().isEmpty() ? "" : " (" + String.join("; ", f.reasons()) + ")"));
                continue;
            }
            for (Dependency d : pullIns.getOrDefault(n, List.of()))
                if (d.type() != PullIn.WANTS) todo.add(d.to());
        }
        return out;
    }
}
