package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.unit.ExitStatusSet;
import dev.jinit.unit.RestartPolicy;

/** The pure decisions of systemd's restart logic, kept apart so they can be tested exhaustively. */
public final class RestartRules {
    private RestartRules() {}

    /** Whether a main process ended cleanly: {@link ExitStatusSet#isClean}, the unit model's one rule. */
    public static boolean isClean(ExitStatus status, boolean daemon, ExitStatusSet success) {
        return success.isClean(status, daemon);
    }

    /** The result an unclean exit stands for. */
    public static ServiceResult failureOf(ExitStatus status) {
        if (!status.isSignal()) return ServiceResult.EXIT_CODE;
        return status.coreDumped() ? ServiceResult.CORE_DUMP : ServiceResult.SIGNAL;
    }

    /**
     * systemd's {@code service_shall_restart}: RestartPreventExitStatus wins, then
     * RestartForceExitStatus, then the Restart= table, which the unit model owns
     * ({@link RestartPolicy#restartsOn}); this method only names the table's cause for a result.
     * A start-limit hit never restarts; neither does a manual stop (the caller checks that).
     *
     * @param mainExit the main process's last exit, or null when it never exited (a timeout)
     */
    public static boolean shallRestart(RestartPolicy mode, ServiceResult result, ExitStatus mainExit,
                                       ExitStatusSet prevent, ExitStatusSet force) {
        if (result == ServiceResult.START_LIMIT_HIT) return false;
        if (mainExit != null && prevent.contains(mainExit)) return false;
        if (mainExit != null && force.contains(mainExit)) return true;
        return mode.restartsOn(causeOf(result));
    }

    /**
     * The restart table's row for a result. Resources and protocol failures are not rows of the manual's
     * table; systemd restarts them exactly as it does a timeout (on-failure and on-abnormal, not on-abort),
     * so they take that row.
     */
    static RestartPolicy.Cause causeOf(ServiceResult result) {
        return switch (result) {
            case SUCCESS -> RestartPolicy.Cause.CLEAN_EXIT;
            case EXIT_CODE -> RestartPolicy.Cause.UNCLEAN_EXIT_CODE;
            case SIGNAL, CORE_DUMP -> RestartPolicy.Cause.UNCLEAN_SIGNAL;
            case WATCHDOG -> RestartPolicy.Cause.WATCHDOG;
            case TIMEOUT, RESOURCES, PROTOCOL -> RestartPolicy.Cause.TIMEOUT;
            // shallRestart answers this one before asking the table
            case START_LIMIT_HIT -> throw new IllegalArgumentException("start-limit-hit has no row in the restart table");
        };
    }

    /**
     * The delay before restart number {@code restartNumber} (1 for the first), as systemd's
     * {@code service_restart_usec_next} computes it: RestartSec for the first restart, then a
     * geometric climb {@code r_i = r_0 · (r_max / r_0)^(i / steps)} with {@code i = restartNumber − 1},
     * and RestartMaxDelaySec once the restarts outnumber RestartSteps. Without steps, or without a
     * maximum larger than RestartSec, the delay is always RestartSec.
     *
     * @param maxDelayMillis 0 for no maximum
     */
    public static long restartDelay(long restartMillis, int steps, long maxDelayMillis, int restartNumber) {
        if (restartNumber <= 1 || steps <= 0 || restartMillis <= 0 || maxDelayMillis <= 0
                || restartMillis >= maxDelayMillis)
            return restartMillis;
        if (restartNumber > steps) return maxDelayMillis;
        double ratio = (double) maxDelayMillis / restartMillis;
        long value = (long) (restartMillis * Math.pow(ratio, (double) (restartNumber - 1) / steps));
        return Math.max(restartMillis, Math.min(maxDelayMillis, value));
    }
}
