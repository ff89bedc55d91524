package dev.jinit.unit;

/** {@code Type=} of a service (systemd.service(5)); dbus and idle are not supported and fail the unit. */
public enum ServiceType {
    SIMPLE("simple"), EXEC("exec"), ONESHOT("oneshot"), NOTIFY("notify"), FORKING("forking");

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
