package dev.jinit.control;

import java.util.Arrays;

/** systemd's LOAD column: whether the unit's file was found and understood. */
public enum LoadState {
    LOADED("loaded"), NOT_FOUND("not-found"), BAD_SETTING("bad-setting"), ERROR("error"), MASKED("masked");

    private final String word;

    LoadState(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** @throws IllegalArgumentException naming the word */
    public static LoadState of(String word) {
        return Arrays.stream(values()).filter(s -> s.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown load state '" + word + "'"));
    }
}
