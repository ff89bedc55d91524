package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** A spec is immutable: nothing handed in or out can change it afterwards. */
class ProcessSpecTest {
    @Test
    void cpuAffinityCannotBeChangedThroughTheBuilderOrTheAccessor() {
        BitSet cpus = new BitSet();
        cpus.set(0);
        ProcessSpec spec = ProcessSpec.builder("/bin/true").cpuAffinity(cpus).build();
        cpus.set(1);
        spec.cpuAffinity().clear();
        BitSet only0 = new BitSet();
        only0.set(0);
        assertEquals(only0, spec.cpuAffinity());
        assertEquals(only0, spec.toBuilder().build().cpuAffinity());
    }

    @Test
    void collectionsAreUnmodifiable() {
        ProcessSpec spec = ProcessSpec.builder("/bin/true", "a").putEnv("K", "v").build();
        assertThrows(UnsupportedOperationException.class, () -> spec.argv().add("b"));
        assertThrows(UnsupportedOperationException.class, () -> spec.env().put("K", "w"));
        assertThrows(UnsupportedOperationException.class, () -> spec.fds().add(FdSource.NULL));
    }
}
