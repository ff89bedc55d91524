package dev.jinit.supervise;

/** How a start, stop, restart or reload request for one unit ended. */
public record JobOutcome(String unit, Kind kind, String message) {
    public enum Kind {
        DONE,
        /** No unit of that name. */
        NOT_FOUND,
        /** The unit failed (or a dependency did, or it cannot be loaded); the message says why. */
        FAILED,
        /** Another request replaced this one before it ran (a stop cancelling a start). */
        CANCELED
    }

    public boolean ok() {
        return kind == Kind.DONE;
    }

    static JobOutcome done(String unit) {
        return new JobOutcome(unit, Kind.DONE, "");
    }

    static JobOutcome failed(String unit, String message) {
        return new JobOutcome(unit, Kind.FAILED, message);
    }
}
