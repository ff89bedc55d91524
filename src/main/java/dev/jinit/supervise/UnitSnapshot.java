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
 */
public record UnitSnapshot(String name, LoadState load, ActiveState active, String sub, int mainPid, int restarts,
                           Instant since, String description, String result, String statusText, int lastExitPid,
                           ExitStatus lastExit, String fragmentPath, String loadError, String execStart,
                           Instant activeEnter, Instant inactiveEnter, List<Integer> processes,
                           List<String> warnings, boolean changedOnDisk) {
    public UnitSnapshot {
        processes = List.copyOf(processes);
        warnings = List.copyOf(warnings);
    }

    public boolean isActive() {
        return active.isActiveOrReloading();
    }
}
