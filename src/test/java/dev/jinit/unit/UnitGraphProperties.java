package dev.jinit.unit;

import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The graph against brute force on random unit sets. */
class UnitGraphProperties {
    /** A random ordering graph: edges (i, j) meaning unit i After= unit j; kind says Before= or After=. */
    record Spec(int n, List<int[]> edges) {
        @Override
        public String toString() {
            return n + " units, " + edges.stream().map(e -> "u" + e[0] + (e[2] == 0 ? " After= u" : " (Before=) u") + e[1]).toList();
        }
    }

    private static Arbitrary<int[]> edge(int n) {
        Arbitrary<Integer> node = Arbitraries.integers().between(0, n - 1);
        return Combinators.combine(node, node, Arbitraries.integers().between(0, 1)).as((a, b, k) -> new int[]{a, b, k});
    }

    @Provide
    Arbitrary<Spec> dags() {
        return Arbitraries.integers().between(1, 12).flatMap(n -> edge(n).list().ofMaxSize(3 * n).map(raw -> {
            List<int[]> edges = new ArrayList<>();
            for (int[] t : raw) {
                int a = Math.max(t[0], t[1]), b = Math.min(t[0], t[1]);
                if (a != b) edges.add(new int[]{a, b, t[2]}); // higher After= lower: acyclic
            }
            return new Spec(n, edges);
        }));
    }

    @Provide
    Arbitrary<Spec> anyGraphs() {
        return Arbitraries.integers().between(1, 10).flatMap(n -> edge(n).list().ofMaxSize(2 * n)
                .map(raw -> new Spec(n, raw.stream().filter(t -> t[0] != t[1]).toList())));
    }

    private static String name(int i) {
        return "u" + i + ".service";
    }

    /** Writes edge (a, b, kind) as "a After= b" (kind 0) or "b Before= a" (kind 1): the same ordering. */
    private static UnitGraph graph(Spec s) {
        Map<Integer, StringBuilder> unitSection = new HashMap<>();
        for (int i = 0; i < s.n(); i++) unitSection.put(i, new StringBuilder("[Unit]\n"));
        for (int[] e : s.edges()) {
            if (e[2] == 0) unitSection.get(e[0]).append("After=").append(name(e[1])).append('\n');
            else unitSection.get(e[1]).append("Before=").append(name(e[0])).append('\n');
        }
        Map<String, String> texts = new HashMap<>();
        for (int i = 0; i < s.n(); i++)
            texts.put(name(i), unitSection.get(i) + "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        return new UnitGraph(UnitLoader.loadTexts(Path.of("/mem"), texts, Fixtures.CTX));
    }

    @Property
    void startOrderRespectsEveryOrderingEdgeOfADag(@ForAll("dags") Spec s) {
        UnitGraph g = graph(s);
        assertTrue(g.cycles().isEmpty());
        List<String> order = Fixtures.own(g.units(), g.startupSet());
        assertEquals(s.n(), order.size());
        for (int[] e : s.edges())
            assertTrue(order.indexOf(name(e[1])) < order.indexOf(name(e[0])), name(e[0]) + " after " + name(e[1]) + " in " + order);
        List<String> stop = g.stopOrder(order);
        for (int[] e : s.edges())
            assertTrue(stop.indexOf(name(e[0])) < stop.indexOf(name(e[1])));
    }

    @Property
    void subsetOrderRespectsTransitiveOrdering(@ForAll("dags") Spec s, @ForAll @IntRange(min = 0, max = 4095) int mask) {
        UnitGraph g = graph(s);
        boolean[][] reach = reach(s);
        List<String> subset = new ArrayList<>();
        for (int i = 0; i < s.n(); i++) if ((mask & (1 << i)) != 0) subset.add(name(i));
        List<String> order = g.startOrder(subset);
        assertEquals(Set.copyOf(subset), Set.copyOf(order));
        for (int i = 0; i < s.n(); i++)
            for (int j = 0; j < s.n(); j++)
                if (reach[j][i] && order.contains(name(i)) && order.contains(name(j)))
                    assertTrue(order.indexOf(name(i)) < order.indexOf(name(j)), name(j) + " after " + name(i) + " in " + order);
    }

    @Property
    void cyclesAreAlwaysDetectedAndOnlyThem(@ForAll("anyGraphs") Spec s) {
        UnitGraph g = graph(s);
        boolean[][] reach = reach(s);
        Set<String> onCycle = new HashSet<>();
        for (int i = 0; i < s.n(); i++) if (reach[i][i]) onCycle.add(name(i));
        for (int i = 0; i < s.n(); i++) {
            String f = g.failure(name(i));
            assertEquals(onCycle.contains(name(i)), f != null, name(i) + ": " + f);
            if (f != null) {
                // The named cycle starts and ends at the unit, and each step is a real After= relation.
                assertTrue(f.startsWith("ordering cycle: "), f);
                String[] path = f.substring("ordering cycle: ".length(), f.indexOf(" [")).split(" -> ");
                assertEquals(name(i), path[0]);
                assertEquals(name(i), path[path.length - 1]);
                for (int k = 0; k + 1 < path.length; k++) {
                    int a = Integer.parseInt(path[k].substring(1, path[k].indexOf('.')));
                    int b = Integer.parseInt(path[k + 1].substring(1, path[k + 1].indexOf('.')));
                    final int fa = a, fb = b;
                    assertTrue(s.edges().stream().anyMatch(e -> e[0] == fa && e[1] == fb), path[k] + " -> " + path[k + 1]);
                }
            }
        }
        List<String> order = Fixtures.own(g.units(), g.startupSet());
        assertEquals(s.n(), order.size(), "every unit is in the startup set, failing ones last");
        for (int[] e : s.edges())
            if (!onCycle.contains(name(e[0])) && !onCycle.contains(name(e[1])))
                assertTrue(order.indexOf(name(e[1])) < order.indexOf(name(e[0])));
    }

    /** reach[a][b]: a is (transitively) ordered after b, following edges a After= b. */
    private static boolean[][] reach(Spec s) {
        boolean[][] r = new boolean[s.n()][s.n()];
        for (int[] e : s.edges()) r[e[0]][e[1]] = true;
        for (int k = 0; k < s.n(); k++)
            for (int i = 0; i < s.n(); i++)
                for (int j = 0; j < s.n(); j++)
                    if (r[i][k] && r[k][j]) r[i][j] = true;
        return r;
    }
}
