package dev.jinit.unit;

/**
 * {@code Type=} of a service (systemd.service(5)): when a started service counts as up. idle is not
 * supported and fails the unit (there is no console output to keep clean of job messages).
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
    /**
     * As NOTIFY; a reload sends ReloadSignal= (SIGHUP) to the main process and lasts until it answers
     * RELOADING=1 and then READY=1.
     */
    NOTIFY_RELOAD("notify-reload"),
    /** Up once the ExecStart process exited 0 and the PIDFile (if any) names the main process. */
    FORKING("forking"),
    /** Up once BusName= is acquired on the system bus; stopped when the name is released. */
    DBUS("dbus");

    private final String word;

    ServiceType(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Whether READY=1 on the notify socket is what makes the service up (notify, notify-reload). */
    public boolean isNotify() {
        return this == NOTIFY || this == NOTIFY_RELOAD;
    }

    public static ServiceType parse(String s) {
        for (ServiceType t : values()) if (t.word.equals(s)) return t;
        if (s.equals("idle"))
            throw new BadValueException("Type=" + s + " is not supported by jinit (use simple, exec, oneshot, notify, notify-reload, forking or dbus)");
        throw new BadValueException("not a service type (simple, exec, oneshot, notify, notify-reload, forking, dbus)");
    }
}
