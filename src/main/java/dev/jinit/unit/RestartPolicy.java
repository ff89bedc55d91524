package dev.jinit.unit;

/**
 * {@code Restart=} with systemd's table (systemd.service(5), "Table 2. Exit causes and the effect of the
 * Restart= settings") of which exit causes restart the service. The table lives here, next to the words, so the
 * supervisor and its tests cannot disagree on it.
 */
public enum RestartPolicy {
    NO("no"), ON_SUCCESS("on-success"), ON_FAILURE("on-failure"), ON_ABNORMAL("on-abnormal"),
    ON_WATCHDOG("on-watchdog"), ON_ABORT("on-abort"), ALWAYS("always");

    /** Why the main process (or the start) ended, in the table's terms. */
    public enum Cause {
        /** exit code 0 or one of SuccessExitStatus=, or a clean signal (HUP, INT, TERM, PIPE) */
        CLEAN_EXIT,
        /** any other exit code */
        UNCLEAN_EXIT_CODE,
        /** any other signal */
        UNCLEAN_SIGNAL,
        /**
         * a start, stop or runtime timeout; the supervisor also files resources and protocol failures here, as
         * systemd restarts them alike
         */
        TIMEOUT,
        /** the watchdog was not fed in time */
        WATCHDOG
    }

    private final String word;

    RestartPolicy(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static RestartPolicy parse(String s) {
        for (RestartPolicy p : values()) if (p.word.equals(s)) return p;
        throw new BadValueException("not a restart policy (no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always)");
    }

    /**
     * The table itself. {@code RestartPreventExitStatus=}/{@code RestartForceExitStatus=} and explicit stop
     * requests come on top of it: see the supervisor's
     * {@code RestartRules.shallRestart}.
     */
    public boolean restartsOn(Cause cause) {
        return switch (this) {
            case NO -> false;
            case ALWAYS -> true;
            case ON_SUCCESS -> cause == Cause.CLEAN_EXIT;
            case ON_FAILURE -> cause != Cause.CLEAN_EXIT;
            case ON_ABNORMAL -> cause == Cause.UNCLEAN_SIGNAL || cause == Cause.TIMEOUT || cause == Cause.WATCHDOG;
            case ON_ABORT -> cause == Cause.UNCLEAN_SIGNAL;
            case ON_WATCHDOG -> cause == Cause.WATCHDOG;
        };
    }
}
