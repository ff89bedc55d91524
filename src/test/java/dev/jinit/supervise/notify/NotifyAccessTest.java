package dev.jinit.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.unit.NotifyAccess;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NotifyAccessTest {
    // main 100, control 200, and two more processes of the unit
    static final UnitProcesses UNIT = new UnitProcesses(100, 200, Set.of(300, 301));

    static String refusal(Verdict v) {
        return ((Verdict.Refuse) v).reason();
    }

    @Test
    void parseAcceptsSystemdWordsOnly() {
        assertEquals(NotifyAccess.MAIN, NotifyAccess.parse("main"));
        assertEquals(NotifyAccess.ALL, NotifyAccess.parse("all"));
        assertEquals("exec", NotifyAccess.EXEC.word());
        // The unit loader's words, as systemd spells them: the file and line are added by the loader.
        assertEquals("not a notify access (none, main, exec, all)",
                assertThrows(IllegalArgumentException.class, () -> NotifyAccess.parse("some")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NotifyAccess.parse("All"));
    }

    @Test
    void table() {
        int[] senders = {100, 200, 300, 999};
        boolean[][] expected = {
                /* none */ {false, false, false, false},
                /* main */ {true, false, false, false},
                /* exec */ {true, true, false, false},
                /* all  */ {true, true, true, false}};
        for (NotifyAccess a : NotifyAccess.values())
            for (int i = 0; i < senders.length; i++)
                assertEquals(expected[a.ordinal()][i], NotifyPolicy.check(a, senders[i], UNIT).accepted(), a + " from " + senders[i]);
    }

    @Test
    void reasonsNameThePids() {
        assertEquals("notification from pid 7 refused: NotifyAccess=none", refusal(NotifyPolicy.check(NotifyAccess.NONE, 7, UNIT)));
        assertEquals("notification from pid 7 refused: NotifyAccess=main allows only main pid 100",
                refusal(NotifyPolicy.check(NotifyAccess.MAIN, 7, UNIT)));
        assertEquals("notification from pid 7 refused: NotifyAccess=main and the main pid is not known yet",
                refusal(NotifyPolicy.check(NotifyAccess.MAIN, 7, new UnitProcesses(0, 0, Set.of(7)))));
        assertEquals("notification from pid 7 refused: NotifyAccess=exec allows only the main pid (100) and the control pid (200)",
                refusal(NotifyPolicy.check(NotifyAccess.EXEC, 7, UNIT)));
        assertEquals("notification from pid 7 refused: NotifyAccess=exec allows only the main pid (none) and the control pid (none)",
                refusal(NotifyPolicy.check(NotifyAccess.EXEC, 7, new UnitProcesses(0, 0, Set.of()))));
        assertEquals("notification from pid 7 refused: not one of the unit's processes", refusal(NotifyPolicy.check(NotifyAccess.ALL, 7, UNIT)));
    }

    @Test
    void mainPidMustBeOneOfTheUnitsProcesses() {
        assertTrue(NotifyPolicy.checkMainPid(301, UNIT, 1).accepted());
        assertTrue(NotifyPolicy.checkMainPid(200, UNIT, 1).accepted());
        assertEquals("MAINPID=999 refused: not one of the unit's processes", refusal(NotifyPolicy.checkMainPid(999, UNIT, 1)));
        assertEquals("MAINPID=300 refused: that is jinit itself", refusal(NotifyPolicy.checkMainPid(300, UNIT, 300)));
        assertEquals("MAINPID=0 refused: not a valid pid", refusal(NotifyPolicy.checkMainPid(0, UNIT, 1)));
        assertFalse(new UnitProcesses(0, 0, Set.of()).contains(0));
    }
}
