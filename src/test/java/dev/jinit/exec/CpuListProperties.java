package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class CpuListProperties {
    @Property
    void formatThenParseIsIdentity(@ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 300) Integer> cpus) {
        BitSet set = new BitSet();
        cpus.forEach(set::set);
        assertEquals(set, CpuList.parse(CpuList.format(set)));
    }

    @Property
    void formatIsCanonical(@ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 300) Integer> cpus) {
        // the same set written as single numbers, in any spacing, formats the same way
        StringBuilder loose = new StringBuilder();
        for (int cpu : cpus) loose.append(cpu).append(cpu % 2 == 0 ? " , " : ",");
        BitSet set = new BitSet();
        cpus.forEach(set::set);
        assertEquals(CpuList.format(set), CpuList.format(CpuList.parse(loose.toString())));
    }

    @Example
    void kernelFormat() {
        assertEquals("0-3,8,10-11", CpuList.format(CpuList.parse("0-3,8,10-11")));
        assertEquals("0-2", CpuList.format(CpuList.parse("2 1 0")));
        assertEquals("", CpuList.format(CpuList.parse("\n")));
    }

    @Example
    void badLists() {
        for (String bad : new String[] {"a", "1-", "-1", "3-1", "1--2", "99999"})
            assertThrows(IllegalArgumentException.class, () -> CpuList.parse(bad), bad);
    }
}
