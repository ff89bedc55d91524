package dev.jinit.supervise;

import dev.jinit.unit.DependencyGraph;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The units the manager knows, by name, and the one dependency graph of their definitions (built
 * once per load or daemon-reload by {@link #rebuildGraph}). Owned by the manager thread.
 */
final class UnitTable {
    private final Map<String, UnitRuntime> units = new TreeMap<>();
    private DependencyGraph graph = DependencyGraph.of(List.of());

    UnitRuntime get(String name) {
        return units.get(name);
    }

    boolean contains(String name) {
        return units.containsKey(name);
    }

    Collection<UnitRuntime> all() {
        return units.values();
    }

    void put(UnitRuntime rt) {
        units.put(rt.name, rt);
    }

    void remove(String name) {
        units.remove(name);
    }

    DependencyGraph graph() {
        return graph;
    }

    /**
     * The graph of every unit's newest definition (a pending one included: like systemd, a reload
     * changes a unit's dependencies at once, even while it runs on its old definition).
     */
    void rebuildGraph() {
        graph = DependencyGraph.of(units.values().stream().map(rt -> rt.newest().graphNode()).toList());
    }

    /** The units of these names that are in the table, in the given order. */
    List<UnitRuntime> named(Collection<String> names) {
        List<UnitRuntime> out = new ArrayList<>(names.size());
        for (String n : names) {
            UnitRuntime u = units.get(n);
            if (u != null) out.add(u);
        }
        return out;
    }
}
