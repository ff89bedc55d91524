package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcTableTest {
    @Test
    void statParsingSurvivesOddCommandNames() {
        ProcTable.Entry e = ProcTable.parseStat("4242 (evil) S 1 2 (name) R 7 99 99 0 -1 4194560 0 0 0 0");
        assertEquals(new ProcTable.Entry(4242, 7, 99, 'R'), e);
        assertEquals(new ProcTable.Entry(5, 1, 5, 'Z'), ProcTable.parseStat("5 (sh) Z 1 5 5 0 -1"));
    }

    @Test
    void membersAreGroupsAndDescendantsButNotZombies() {
        ProcTable t = new ProcTable(java.util.Map.of(
                10, new ProcTable.Entry(10, 1, 10, 'S'),
                11, new ProcTable.Entry(11, 10, 10, 'S'),
                12, new ProcTable.Entry(12, 11, 12, 'S'),   // own group, but a descendant of 10
                13, new ProcTable.Entry(13, 1, 10, 'Z'),    // zombie: not counted
                20, new ProcTable.Entry(20, 1, 20, 'S')));  // unrelated
        assertEquals(Set.of(10, 11, 12), Set.copyOf(t.members(Set.of(10), Set.of(10))));
    }

    @Test
    void thisProcessIsReadable() {
        int self = (int) ProcessHandle.current().pid();
        assertEquals(self, ProcTable.readStat(self).pid());
        assertTrue(ProcTable.cgroupOf(self) == null || ProcTable.cgroupOf(self).startsWith("/"));
        assertNull(ProcTable.readStat(Integer.MAX_VALUE));
    }
}
