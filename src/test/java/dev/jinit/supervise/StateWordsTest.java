package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.control.UnitStatus;
import org.junit.jupiter.api.Test;

/**
 * The control protocol validates SUB against its own list of systemd's words (it must not depend on the
 * supervisor); this keeps the state machine's words inside that list, so a new sub-state cannot make
 * {@code jinit status} refuse a unit.
 */
class StateWordsTest {
    @Test
    void everyServiceSubStateIsAWordTheProtocolAccepts() {
        for (ServiceState s : ServiceState.values())
            assertTrue(UnitStatus.SUB_STATES.contains(s.word), s + " is shown as '" + s.word + "'");
    }
}
