package dev.jinit.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jinit.unit.NotifyAccess;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class NotifyAccessProperties {
    @Property
    void eachPolicyAcceptsExactlyItsSenders(@ForAll NotifyAccess access, @ForAll @IntRange(min = 0, max = 20) int main,
            @ForAll @IntRange(min = 0, max = 20) int control, @ForAll @Size(max = 6) Set<@IntRange(min = 1, max = 20) Integer> others,
            @ForAll @IntRange(min = 1, max = 25) int sender) {
        UnitProcesses unit = new UnitProcesses(main, control, others);
        boolean expected = switch (access) {
            case NONE -> false;
            case MAIN -> main != 0 && sender == main;
            case EXEC -> (main != 0 && sender == main) || (control != 0 && sender == control);
            case ALL -> sender == main || sender == control || others.contains(sender);
        };
        assertEquals(expected, NotifyPolicy.check(access, sender, unit).accepted());
    }

    @Property
    void acceptedMainPidIsAlwaysAUnitProcessAndNeverTheManager(@ForAll @IntRange(min = -3, max = 20) int newMain,
            @ForAll @Size(max = 6) Set<@IntRange(min = 1, max = 20) Integer> procs, @ForAll @IntRange(min = 1, max = 20) int manager) {
        UnitProcesses unit = new UnitProcesses(0, 0, procs);
        boolean accepted = NotifyPolicy.checkMainPid(newMain, unit, manager).accepted();
        assertEquals(newMain > 0 && newMain != manager && procs.contains(newMain), accepted);
    }
}
