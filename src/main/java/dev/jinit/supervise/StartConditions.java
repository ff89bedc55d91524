package dev.jinit.supervise;

/**
 * A unit's Condition…= and Assert…= checks, run each time a start job for it begins (systemd checks
 * them then, not at load: the files they test may come and go). Kept as a function so the manager
 * does not depend on how the unit file spelled them.
 */
@FunctionalInterface
public interface StartConditions {
    /** A unit without checks. */
    StartConditions NONE = () -> null;

    /** Null when the unit may start; else why not. */
    Unmet check();

    /**
     * Why a start does not happen.
     *
     * @param failure true for an unmet Assert…= (the start job fails), false for an unmet Condition…=
     *                (the start is skipped; nothing failed, and units that need this one still start)
     * @param reason  the check that was not met, with its file:line
     */
    record Unmet(boolean failure, String reason) {}
}
