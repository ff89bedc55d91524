package dev.jinit.supervise;

import java.util.Locale;

/** {@code KillMode=}: which of a unit's processes get KillSignal and SIGKILL when it stops. */
public enum KillMode {
    /** Every process of the unit gets both signals. */
    CONTROL_GROUP,
    /** The main process gets KillSignal, then every process gets SIGKILL. */
    MIXED,
    /** Only the main process (and a running control process). */
    PROCESS,
    /** Nobody is signalled; the unit is just considered stopped. */
    NONE;

    public static KillMode parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "control-group" -> CONTROL_GROUP;
            case "mixed" -> MIXED;
            case "process" -> PROCESS;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("KillMode=" + value + ": expected control-group, mixed, process or none");
        };
    }
}
