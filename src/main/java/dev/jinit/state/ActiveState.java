package dev.jinit.state;

import java.util.Arrays;

/** systemd's ACTIVE column: the high-level state every unit type shares. */
public enum ActiveState {
    ACTIVE("active"), RELOADING("reloading"), INACTIVE("inactive"), FAILED("failed"), ACTIVATING("activating"),
    DEACTIVATING("deactivating");

    private final String word;

    ActiveState(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** What {@code systemctl status} treats as running (exit code 0 rather than 3). */
    public boolean isActiveOrReloading() {
        return this == ACTIVE || this == RELOADING;
    }

    /** @throws IllegalArgumentException naming the word */
    public static ActiveState of(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown active state '" + word + "'"));
    }
}
