package dev.jinit.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatusTest {
    private static final String TEXT = "Name:\tjava\nUid:\t1000\t0\t0\t0\nGid:\t7\t8\t9\t10\n"
            + "CapEff:\t000001ffffffffff\nnonsense\n";

    @Test
    void idsByPosition() {
        ProcStatus s = ProcStatus.parse("/x/status", TEXT);
        assertEquals(1000, s.id("Uid", ProcStatus.REAL));
        assertEquals(0, s.id("Uid", ProcStatus.EFFECTIVE));
        assertEquals(8, s.id("Gid", ProcStatus.EFFECTIVE));
        assertEquals(10, s.id("Gid", ProcStatus.FILESYSTEM));
        assertEquals("java", s.fields().get("Name"));
    }

    @Test
    void capabilitySetsAreHexAndMissingOnesZero() {
        ProcStatus s = ProcStatus.parse("/x/status", TEXT);
        assertEquals(0x1ffffffffffL, s.hex("CapEff"));
        assertEquals(0, s.hex("CapBnd"));
        assertTrue(assertThrows(IllegalStateException.class, () -> s.hex("Name")).getMessage()
                .startsWith("/x/status: Name: 'java'"));
    }

    @Test
    void badOrMissingLinesNameTheFileAndKey() {
        ProcStatus s = ProcStatus.parse("/x/status", "Uid:\t5\n");
        assertEquals("/x/status: no id 1 on a Uid: line ('5')",
                assertThrows(IllegalStateException.class, () -> s.id("Uid", ProcStatus.EFFECTIVE)).getMessage());
        assertEquals("/x/status: no id 0 on a Gid: line (no such line)",
                assertThrows(IllegalStateException.class, () -> s.id("Gid", ProcStatus.REAL)).getMessage());
        assertTrue(assertThrows(UncheckedIOException.class, () -> ProcStatus.read(Path.of("/nonexistent/status")))
                .getMessage().startsWith("cannot read /nonexistent/status"));
    }

    @Test
    void ownStatusAgreesWithTheKernel() {
        ProcStatus s = ProcStatus.read(Path.of("/proc/self/status"));
        assertEquals(Posix.geteuid(), s.id("Uid", ProcStatus.EFFECTIVE));
        assertEquals(Posix.getpid(), Integer.parseInt(s.fields().get("Pid")));
    }
}
