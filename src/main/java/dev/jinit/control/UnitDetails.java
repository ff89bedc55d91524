package dev.jinit.control;

import dev.jinit.exec.ExitStatus;
import dev.jinit.log.LogLine;
import java.time.Instant;
import java.util.List;

/**
 * What {@code jinit status UNIT} shows beyond the list columns. Absent values are null (or empty).
 *
 * @param fragmentPath      the unit file, or null
 * @param loadError         why the unit is not loaded ("file:line: reason"), or null
 * @param result            systemd's Result: success, exit-code, signal, core-dump, timeout,
 *                          watchdog, start-limit-hit, resources, protocol, ...
 * @param execStart         the ExecStart= command line(s) as written, joined with "; "; or null
 * @param lastExitPid       pid of the last main process that ended, or 0
 * @param lastExit          how it ended, or null
 * @param statusText        the last STATUS= the service sent, or null
 * @param activeEnter       when the unit last became active, or null
 * @param inactiveEnter     when the unit last became inactive or failed, or null
 * @param processes         every process of the unit now, main first
 * @param warnings          notes about the unit file (unsupported directives with file:line)
 * @param recentLogs        the last lines of the unit's output
 * @param triggers          for a timer: the unit it activates; else null
 * @param nextElapse        for a timer: when it elapses next, or null
 * @param lastTrigger       for a timer: when it last elapsed, or null
 */
public record UnitDetails(
        String fragmentPath,
        String loadError,
        String result,
        String execStart,
        int lastExitPid,
        ExitStatus lastExit,
        String statusText,
        Instant activeEnter,
        Instant inactiveEnter,
        List<Integer> processes,
        List<String> warnings,
        List<LogLine> recentLogs,
        String triggers,
        Instant nextElapse,
        Instant lastTrigger) {
    /** A unit that is no timer. */
    public UnitDetails(String fragmentPath, String loadError, String result, String execStart, int lastExitPid,
                       ExitStatus lastExit, String statusText, Instant activeEnter, Instant inactiveEnter,
                       List<Integer> processes, List<String> warnings, List<LogLine> recentLogs) {
        this(fragmentPath, loadError, result, execStart, lastExitPid, lastExit, statusText, activeEnter, inactiveEnter,
                processes, warnings, recentLogs, null, null, null);
    }

    public UnitDetails {
        if (lastExitPid < 0) throw new IllegalArgumentException("negative pid " + lastExitPid);
        processes = List.copyOf(processes);
        warnings = List.copyOf(warnings);
        recentLogs = List.copyOf(recentLogs);
    }
}
