package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.List;

/**
 * A unit's state at one moment, copied off the manager thread for status output.
 *
 * @param since         when ACTIVE last changed (null if it never did)
 * @param changedOnDisk the unit file changed since it was loaded; the change applies at the next start
 * @param timer         for a timer: the unit it activates and its next and last elapse; else null
 */
public record UnitSnapshot(String name, LoadState load, ActiveState active, String sub, int mainPid, int restarts,
                           Instant since, String description, String result, String statusText, int lastExitPid,
                           ExitStatus lastExit, String fragmentPath, String loadError, String execStart,
                           Instant activeEnter, Instant inactiveEnter, List<Integer> processes,
                           List<String> warnings, boolean changedOnDisk, TimerInfo timer) {
    /** What {@code list-timers} shows of a timer; the times are null when there is none. */
    public record TimerInfo(String activates, Instant next, Instant last) {}

    public UnitSnapshot {
        processes = List.copyOf(processes);
        warnings = List.copyOf(warnings);
    }

    public boolean isActive() {
        return active.isActiveOrReloading();
    }
}
