package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The Spawner's two-pass dup2 plan, run against a model of a descriptor table. */
class FdPlanProperties {
    @Property
    void everyTargetGetsItsSource(@ForAll @Size(max = 12) List<@IntRange(min = 0, max = 20) Integer> sourceList) {
        int[] sources = sourceList.stream().mapToInt(Integer::intValue).toArray();
        // jinit's table: descriptor n holds "file n" for every n a source names (and more)
        Map<Integer, Integer> table = new HashMap<>();
        for (int fd = 0; fd <= 21; fd++) table.put(fd, fd);
        for (int[] dup : Spawner.dupPlan(sources)) {
            assertTrue(table.containsKey(dup[0]), "dup2 from a closed descriptor " + dup[0]);
            table.put(dup[1], table.get(dup[0]));
        }
        for (int i = 0; i < sources.length; i++)
            assertEquals(sources[i], table.get(i), "child fd " + i + " of sources " + sourceList);
    }

    @Property
    void scratchSlotsAreLowDistinctAndNeitherSourceNorTarget(
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 5000) Integer> sourceList) {
        int[] sources = sourceList.stream().mapToInt(Integer::intValue).toArray();
        int[] slots = Spawner.scratchSlots(sources);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int slot : slots) {
            assertTrue(slot >= sources.length, "slot " + slot + " is a target");
            assertTrue(sourceList.stream().noneMatch(s -> s == slot), "slot " + slot + " is a source");
            assertTrue(seen.add(slot), "slot " + slot + " twice");
            // Below any soft RLIMIT_NOFILE the exec gate may give the child, however high the sources.
            assertTrue(slot < 3 * sources.length + 1, "slot " + slot + " is not low");
        }
    }
}
