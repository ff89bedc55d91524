package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A unit's state at one moment, copied off the manager thread for status output.
 *
 * @param since         when ACTIVE last changed (null if it never did)
 * @param changedOnDisk the unit file changed since it was loaded; the change applies at the next start
 * @param timer         for a timer: the unit it activates and its next and last elapse; else null
 * @param listProcesses the unit's live processes (main first), read from /proc or cgroupfs when called:
 *                      call it on the asker's thread, never the manager's. The snapshot itself reads
 *                      nothing, so listing 1000 units costs the manager thread no file access.
 */
public record UnitSnapshot(String name, LoadState load, ActiveState active, String sub, int mainPid, int restarts,
                           Instant since, String description, String result, String statusText, int lastExitPid,
                           ExitStatus lastExit, String fragmentPath, String loadError, String execStart,
                           Instant activeEnter, Instant inactiveEnter, Supplier<List<Integer>> listProcesses,
                           List<String> warnings, boolean changedOnDisk, TimerInfo timer) {
    /** What {@code list-timers} shows of a timer; the times are null when there is none. */
    public record TimerInfo(String activates, Instant next, Instant last) {}

    public UnitSnapshot {
        Objects.requireNonNull(listProcesses, "listProcesses");
        warnings = List.copyOf(warnings);
    }

    public boolean isActive() {
        return active.isActiveOrReloading();
    }
}
