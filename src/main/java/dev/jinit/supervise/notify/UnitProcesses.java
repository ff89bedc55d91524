package dev.jinit.supervise.notify;

import java.util.Set;
import java.util.TreeSet;

/**
 * A unit's processes at the moment a notification arrives, as the supervisor knows them.
 *
 * @param mainPid    the main process, or 0 when none is known (yet)
 * @param controlPid the running ExecStartPre/ExecStartPost/ExecReload/ExecStop/ExecStopPost
 *                   process, or 0
 * @param all        every process of the unit (its cgroup, or its process group and the
 *                   descendants jinit found); always includes the main and control pids
 */
public record UnitProcesses(int mainPid, int controlPid, Set<Integer> all) {
    public UnitProcesses {
        if (mainPid < 0 || controlPid < 0) throw new IllegalArgumentException("negative pid");
        TreeSet<Integer> set = new TreeSet<>(all);
        if (mainPid > 0) set.add(mainPid);
        if (controlPid > 0) set.add(controlPid);
        all = Set.copyOf(set);
    }

    public boolean contains(int pid) {
        return pid > 0 && all.contains(pid);
    }
}
