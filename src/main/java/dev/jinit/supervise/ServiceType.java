package dev.jinit.supervise;

import java.util.Locale;

/** {@code Type=}: when a started service counts as up. */
public enum ServiceType {
    /** Up as soon as the main process is spawned. */
    SIMPLE,
    /** Up once the main process has exec'd; posix_spawn returns only after that, so like SIMPLE here. */
    EXEC,
    /** Up once the ExecStart process exited 0 and the PIDFile (if any) names the main process. */
    FORKING,
    /** Up (or exited, with RemainAfterExit) once every ExecStart process exited successfully. */
    ONESHOT,
    /** Up when the main process sends READY=1 on the notify socket. */
    NOTIFY;

    /** Parses a {@code Type=} value; {@code idle} is treated as simple (there is no job queue to idle on). */
    public static ServiceType parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "simple", "idle" -> SIMPLE;
            case "exec" -> EXEC;
            case "forking" -> FORKING;
            case "oneshot" -> ONESHOT;
            case "notify" -> NOTIFY;
            default -> throw new IllegalArgumentException("Type=" + value + ": expected simple, exec, forking, oneshot, notify or idle");
        };
    }
}
