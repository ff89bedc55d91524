package dev.jinit.unit;

/**
 * {@code NotifyAccess=}: whose messages on the notify socket are believed. The supervisor decides each message
 * with {@code dev.jinit.supervise.notify.NotifyPolicy}, which needs the unit's live processes.
 */
public enum NotifyAccess {
    NONE("none"), MAIN("main"), EXEC("exec"), ALL("all");

    private final String word;

    NotifyAccess(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static NotifyAccess parse(String s) {
        for (NotifyAccess m : values()) if (m.word.equals(s)) return m;
        throw new BadValueException("not a notify access (none, main, exec, all)");
    }
}
