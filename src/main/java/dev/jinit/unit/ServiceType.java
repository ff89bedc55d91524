package dev.jinit.unit;

/**
 * {@code Type=} of a service (systemd.service(5)): when a started service counts as up. dbus, notify-reload and
 * idle are not supported and fail the unit (there is no bus, and no job queue to idle on).
 */
public enum ServiceType {
    /** Up as soon as the main process is spawned. */
    SIMPLE("simple"),
    /** Up once the main process has exec'd; posix_spawn returns only after that, so like SIMPLE here. */
    EXEC("exec"),
    /** Up (or exited, with RemainAfterExit) once every ExecStart process exited successfully. */
    ONESHOT("oneshot"),
    /** Up when the main process sends READY=1 on the notify socket. */
    NOTIFY("notify"),
    /** Up once the ExecStart process exited 0 and the PIDFile (if any) names the main process. */
    FORKING("forking");

    private final String word;

    ServiceType(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static ServiceType parse(String s) {
        for (ServiceType t : values()) if (t.word.equals(s)) return t;
        if (s.equals("notify-reload") || s.equals("dbus") || s.equals("idle"))
            throw new BadValueException("Type=" + s + " is not supported by jinit (use simple, exec, oneshot, notify or forking)");
        throw new BadValueException("not a service type (simple, exec, oneshot, notify, forking)");
    }
}
