package dev.jinit.supervise;

import java.util.Locale;

/** {@code NotifyAccess=}: whose notify messages a unit accepts. */
public enum NotifyAccess {
    NONE, MAIN, EXEC, ALL;

    public static NotifyAccess parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "main" -> MAIN;
            case "exec" -> EXEC;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("NotifyAccess=" + value + ": expected none, main, exec or all");
        };
    }
}
