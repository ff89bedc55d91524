package dev.jinit.supervise;

import java.util.Locale;

/** systemd's high-level unit states, as {@code systemctl} prints them. */
public enum ActiveState {
    ACTIVE, RELOADING, INACTIVE, FAILED, ACTIVATING, DEACTIVATING;

    /** The word systemd uses: {@code active}, {@code deactivating}, … */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
