package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The on-disk record of a unit that is up: what is written is read back; a damaged one is refused naming file and line. */
class UnitRecordTest {
    @Test
    void aRecordReadsBackAsWritten() {
        UnitRecord r = new UnitRecord("web.service", "running", 4242, "987654", "/sys/fs/cgroup/jinit/1/web.service",
                "0123456789abcdef0123456789abcdef", 3, "pipe:[11]", "pipe:[12]");
        assertEquals(r, UnitRecord.parse("x", r.format()));
        UnitRecord exited = new UnitRecord("once.service", "exited", 0, "", "", "ab", 0, "", "");
        assertEquals(exited, UnitRecord.parse("x", exited.format()));
    }

    @Test
    void damagedRecordsAreRefusedNamingFileLineAndValue() {
        String good = new UnitRecord("web.service", "running", 4242, "9", "", "ab", 0, "", "").format();
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.parse("/s/units/web.service", good.substring(0, good.indexOf("invocation="))));
        assertTrue(cut.getMessage().startsWith("/s/units/web.service: no invocation= line"), cut.getMessage());
        IllegalArgumentException line = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.parse("/s/units/web.service", "unit=web.service\ngarbage\n"));
        assertEquals("/s/units/web.service:2: not KEY=value: 'garbage'", line.getMessage());
        IllegalArgumentException pid = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.parse("f", good.replace("pid=4242", "pid=12x")));
        assertTrue(pid.getMessage().contains("pid=12x is not a number"), pid.getMessage());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.parse("f", good.replace("state=running", "state=stopping")));
        assertTrue(state.getMessage().startsWith("f: ") && state.getMessage().contains("'stopping'"), state.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> UnitRecord.parse("f", good.replace("pid=4242", "pid=1")));
        assertTrue(one.getMessage().contains("running needs a main pid"), one.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnitRecord.parse("f", good.replace("unit=web.service", "unit=../x")));
    }
}
