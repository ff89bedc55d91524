package dev.jinit.supervise;

import java.util.Locale;

/** {@code Restart=}; the decision itself is {@link RestartPolicy#shallRestart}. */
public enum RestartMode {
    NO, ON_SUCCESS, ON_FAILURE, ON_ABNORMAL, ON_WATCHDOG, ON_ABORT, ALWAYS;

    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RestartMode parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (RestartMode m : values()) if (m.word().equals(v)) return m;
        throw new IllegalArgumentException("Restart=" + value
                + ": expected no, on-success, on-failure, on-abnormal, on-watchdog, on-abort or always");
    }
}
