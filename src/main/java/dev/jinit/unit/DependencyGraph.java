package dev.jinit.unit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one dependency model of a unit set: who pulls in whom (Requires=, Wants=, BindsTo=, Requisite=,
 * PartOf= and the [Install]/{@code .wants/}/{@code .requires/} reverse forms), who conflicts with whom,
 * and the start order (After=/Before= plus the implicit ordering systemd adds). Built once per load
 * or daemon-reload and immutable: the loader checks it for ordering cycles and the manager runs its
 * transactions and jobs against it, so both see the same rules.
 *
 * <p>The implicit ordering is systemd's default dependency of targets (systemd.target(5)): a target
 * with DefaultDependencies=yes is ordered After= every unit it Wants=, Requires=, Requisite=s or
 * BindsTo=, unless either side has DefaultDependencies=no or the unit is already ordered after the
 * target (adding it then would make a loop: "t.target wants x, x After=t.target" must not make t
 * wait for x while x waits for t).
 *
 * <p>Names are full unit names; a name may be of no node (a Wants= of a missing unit), and the
 * queries answer for any name. Lists keep declaration order: a unit's own directives first, then
 * the other units naming it, in name order, so job order is deterministic.
 */
public final class DependencyGraph {
    /**
     * One unit as the graph sees it.
     *
     * @param loaded              whether the unit loaded; one that did not pulls nothing in and orders
     *                            nothing (only its [Install] lines, read backwards, still place it)
     * @param target              a .target unit (gets the implicit ordering after what it pulls in)
     * @param defaultDependencies DefaultDependencies= (yes unless the unit says no)
     */
    public record Node(String name, boolean loaded, boolean target, boolean defaultDependencies,
                       List<String> requires, List<String> wants, List<String> bindsTo, List<String> requisite,
                       List<String> partOf, List<String> conflicts, List<String> after, List<String> before,
                       List<String> wantedBy, List<String> requiredBy) {
        public Node {
            requires = List.copyOf(requires);
            wants = List.copyOf(wants);
            bindsTo = List.copyOf(bindsTo);
            requisite = List.copyOf(requisite);
            partOf = List.copyOf(partOf);
            conflicts = List.copyOf(conflicts);
            after = List.copyOf(after);
            before = List.copyOf(before);
            wantedBy = List.copyOf(wantedBy);
            requiredBy = List.copyOf(requiredBy);
        }
    }

    /** Why {@code then} is ordered after {@code first}: a line of some unit, or the target rule. */
    public sealed interface Why {
        /** {@code unit} says {@code directive=other} (After= or Before=). */
        record Declared(String unit, String directive, String other) implements Why {
            @Override
            public String toString() {
                return unit + " " + directive + "=" + other;
            }
        }

        /** {@code target} is a target, ordered after {@code unit} which it pulls in. */
        record TargetDefault(String target, String unit) implements Why {
            @Override
            public String toString() {
                return target + " is a target, ordered after " + unit + " which it pulls in";
            }
        }
    }

    private final Map<String, Node> nodes;
    private final Map<String, List<String>> requires = new HashMap<>(), wants = new HashMap<>(), bindsTo = new HashMap<>();
    private final Map<String, List<String>> requisite = new HashMap<>();
    private final Map<String, Set<String>> conflicts = new HashMap<>();
    /** key is ordered after each value: the values' jobs go first when starting */
    private final Map<String, Set<String>> after = new HashMap<>();
    /** key is ordered before each value: the inverse of {@link #after} */
    private final Map<String, Set<String>> before = new HashMap<>();
    private final Map<String, Set<String>> stopsWith = new HashMap<>(), boundBy = new HashMap<>();
    private final Map<List<String>, Why> why = new HashMap<>();
    private final List<String> notes = new ArrayList<>();

    private DependencyGraph(Collection<Node> all) {
        Map<String, Node> byName = new TreeMap<>();
        for (Node n : all) byName.put(n.name(), n);
        this.nodes = Collections.unmodifiableMap(byName);
        // Pull-ins, forward then backward ([Install] WantedBy=/RequiredBy= and .wants/.requires links).
        for (Node n : nodes.values()) {
            if (!n.loaded()) continue;
            for (String r : n.requires()) add(requires, n.name(), r);
            for (String w : n.wants()) add(wants, n.name(), w);
            for (String b : n.bindsTo()) add(bindsTo, n.name(), b);
            for (String q : n.requisite()) add(requisite, n.name(), q);
        }
        for (Node n : nodes.values()) {
            for (String t : n.requiredBy()) add(requires, t, n.name());
            for (String t : n.wantedBy()) add(wants, t, n.name());
        }
        for (Node n : nodes.values()) {
            if (!n.loaded()) continue;
            for (String c : n.conflicts()) {
                if (c.equals(n.name())) continue;
                addSet(conflicts, n.name(), c);
                addSet(conflicts, c, n.name());
            }
            // Stopping (or restarting) a unit takes down what Requires=, BindsTo=, Requisite= it or is
            // PartOf= it: systemd's UNIT_ATOM_PROPAGATE_STOP.
            for (String r : n.requires()) addSet(stopsWith, r, n.name());
            for (String b : n.bindsTo()) {
                addSet(stopsWith, b, n.name());
                addSet(boundBy, b, n.name());
            }
            for (String q : n.requisite()) addSet(stopsWith, q, n.name());
            for (String p : n.partOf()) addSet(stopsWith, p, n.name());
        }
        for (Node n : nodes.values())
            for (String t : n.requiredBy()) if (nodes.get(t) instanceof Node tn && tn.loaded()) addSet(stopsWith, n.name(), t);
        // Explicit ordering, from a loaded unit's own lines.
        for (Node n : nodes.values()) {
            if (!n.loaded()) continue;
            for (String a : n.after()) order(a, n.name(), new Why.Declared(n.name(), "After", a));
            for (String b : n.before()) order(n.name(), b, new Why.Declared(n.name(), "Before", b));
        }
        // The target rule, after every explicit edge is known (systemd adds default dependencies last).
        for (Node t : nodes.values()) {
            if (!t.loaded() || !t.target() || !t.defaultDependencies()) continue;
            Set<String> pulled = new LinkedHashSet<>();
            pulled.addAll(requiresOf(t.name()));
            pulled.addAll(wantsOf(t.name()));
            pulled.addAll(bindsToOf(t.name()));
            pulled.addAll(requisiteOf(t.name()));
            for (String u : pulled) {
                Node un = nodes.get(u);
                if (un == null || !un.loaded() || !un.defaultDependencies()) continue;
                if (isOrderedAfter(u, t.name())) continue; // the unit is ordered after the target: no loop
                order(u, t.name(), new Why.TargetDefault(t.name(), u));
            }
        }
    }

    /** The graph of these units. */
    public static DependencyGraph of(Collection<Node> nodes) {
        return new DependencyGraph(nodes);
    }

    private void order(String first, String then, Why reason) {
        if (first.equals(then)) {
            // systemd drops a unit's ordering against itself rather than failing it.
            notes.add(first + ": ordered against itself, ignoring");
            return;
        }
        why.putIfAbsent(List.of(first, then), reason);
        addSet(after, then, first);
        addSet(before, first, then);
    }

    private static void add(Map<String, List<String>> index, String key, String value) {
        if (key.equals(value)) return;
        List<String> l = index.computeIfAbsent(key, k -> new ArrayList<>());
        if (!l.contains(value)) l.add(value);
    }

    private static void addSet(Map<String, Set<String>> index, String key, String value) {
        if (key.equals(value)) return;
        index.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(value);
    }

    private static <T> T get(Map<String, T> index, String key, T none) {
        T v = index.get(key);
        return v == null ? none : v;
    }

    // ---- queries --------------------------------------------------------------------------------

    /** Every unit of the graph, by name. */
    public Map<String, Node> nodes() {
        return nodes;
    }

    /** Requires= of {@code unit} and the units whose RequiredBy= (or .requires/ link) names it. */
    public List<String> requiresOf(String unit) {
        return Collections.unmodifiableList(get(requires, unit, List.of()));
    }

    /** Wants= of {@code unit} and the units whose WantedBy= (or .wants/ link) names it. */
    public List<String> wantsOf(String unit) {
        return Collections.unmodifiableList(get(wants, unit, List.of()));
    }

    public List<String> bindsToOf(String unit) {
        return Collections.unmodifiableList(get(bindsTo, unit, List.of()));
    }

    /** Requisite=: must already be up; never started by this unit's start. */
    public List<String> requisiteOf(String unit) {
        return Collections.unmodifiableList(get(requisite, unit, List.of()));
    }

    /** Conflicts=, in either direction of declaration. */
    public Set<String> conflictsOf(String unit) {
        return Collections.unmodifiableSet(get(conflicts, unit, Set.of()));
    }

    /** The units {@code unit} is ordered after: their jobs run before its start (and after its stop). */
    public Set<String> after(String unit) {
        return Collections.unmodifiableSet(get(after, unit, Set.of()));
    }

    /** The units ordered after {@code unit}. */
    public Set<String> before(String unit) {
        return Collections.unmodifiableSet(get(before, unit, Set.of()));
    }

    /** Whether {@code a} is ordered after {@code b} (directly). */
    public boolean isOrderedAfter(String a, String b) {
        return get(after, a, Set.of()).contains(b);
    }

    /** The units that go down when {@code unit} is stopped: it is their Requires=, BindsTo=, Requisite= or PartOf=. */
    public Set<String> stopsWith(String unit) {
        return Collections.unmodifiableSet(get(stopsWith, unit, Set.of()));
    }

    /** The units whose BindsTo= names {@code unit}: they also go down when it stops by itself. */
    public Set<String> boundBy(String unit) {
        return Collections.unmodifiableSet(get(boundBy, unit, Set.of()));
    }

    /** Why {@code then} is ordered after {@code first}, or null when it is not (directly). */
    public Why why(String first, String then) {
        return why.get(List.of(first, then));
    }

    /** Harmless oddities, e.g. a unit ordered against itself. */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    /** Every ordering edge {@code first → then} between units of the graph, in name order. */
    public Map<String, Set<String>> orderingAmongNodes() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String n : nodes.keySet()) {
            Set<String> succ = new java.util.TreeSet<>();
            for (String s : get(before, n, Set.of())) if (nodes.containsKey(s)) succ.add(s);
            out.put(n, succ);
        }
        return out;
    }
}
