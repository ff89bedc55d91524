package dev.jinit.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Random acyclic module graphs written as modules.dep: resolution must be a valid load order. */
class ModuleIndexProperties {
    record Graph(String dep, Map<String, Set<String>> closure) {}

    /** Module i may depend only on modules with a lower number: acyclic by construction. */
    static Graph graph(int size, long seed) {
        Random random = new Random(seed);
        Map<String, Set<String>> direct = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Set<String> deps = new HashSet<>();
            for (int j = 0; j < i; j++) if (random.nextInt(4) == 0) deps.add("m" + j);
            direct.put("m" + i, deps);
        }
        Map<String, Set<String>> closure = new HashMap<>();
        for (int i = 0; i < size; i++) {
            Set<String> all = new HashSet<>();
            for (String d : direct.get("m" + i)) {
                all.add(d);
                all.addAll(closure.get(d));
            }
            closure.put("m" + i, all);
        }
        // depmod writes the whole transitive set; shuffle it so the order of the list does not matter.
        StringBuilder dep = new StringBuilder();
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < size; i++) lines.add(i);
        java.util.Collections.shuffle(lines, random);
        for (int i : lines) {
            List<String> deps = new ArrayList<>(closure.get("m" + i));
            java.util.Collections.shuffle(deps, random);
            dep.append("kernel/m").append(i).append(random.nextBoolean() ? ".ko" : ".ko.zst").append(':');
            for (String d : deps) dep.append(" kernel/").append(d).append(".ko");
            dep.append('\n');
        }
        return new Graph(dep.toString(), closure);
    }

    @Property
    void dependenciesLoadBeforeDependentsOnceEach(@ForAll @IntRange(min = 1, max = 30) int size,
            @ForAll long seed, @ForAll List<@IntRange(min = 0, max = 29) Integer> requests) {
        Graph g = graph(size, seed);
        List<String> wanted = requests.stream().filter(r -> r < size).map(r -> "m" + r).toList();
        List<KernelModule> load = ModuleIndex.parse(g.dep(), "", "", "").resolve(wanted).load();

        List<String> names = load.stream().map(KernelModule::name).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "a module twice: " + names);
        Set<String> expected = new HashSet<>(wanted);
        for (String w : wanted) expected.addAll(g.closure().get(w));
        assertEquals(expected, new HashSet<>(names));
        for (int i = 0; i < names.size(); i++)
            for (String dep : g.closure().get(names.get(i)))
                assertTrue(names.indexOf(dep) < i, dep + " after its dependent " + names.get(i) + " in " + names);
    }

    @Property
    void spellingDoesNotChangeTheResult(@ForAll @IntRange(min = 1, max = 20) int size, @ForAll long seed) {
        Graph g = graph(size, seed);
        String renamed = g.dep().replace("kernel/m", "kernel/mod-");
        ModuleIndex index = ModuleIndex.parse(renamed, "", "", "");
        String last = "mod_" + (size - 1);
        assertEquals(index.resolve(List.of(last)), index.resolve(List.of(last.replace('_', '-'))));
    }
}
