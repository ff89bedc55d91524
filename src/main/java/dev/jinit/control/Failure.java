package dev.jinit.control;

import java.util.Objects;

/**
 * Why a command failed for one unit.
 *
 * @param unit    the unit, or the empty string when the failure is not about one unit
 * @param reason  the kind of failure, which decides the client's exit code
 * @param message a sentence for the user
 */
public record Failure(String unit, Reason reason, String message) {
    public enum Reason {
        /** No unit of that name: exit code 4, as systemctl's "unit unknown". */
        NOT_FOUND,
        /** The command ran and the unit failed (start failed, bad setting, timeout...): exit code 1. */
        FAILED,
        /** The request itself was wrong (unknown command, missing unit names): exit code 1. */
        INVALID;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Reason of(String word) {
            for (Reason r : values()) if (r.word().equals(word)) return r;
            throw new IllegalArgumentException("unknown failure reason '" + word + "'");
        }
    }

    public Failure {
        unit = unit == null ? "" : unit;
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    public static Failure notFound(String unit) {
        return new Failure(unit, Reason.NOT_FOUND, "Unit " + unit + " not found.");
    }
}
