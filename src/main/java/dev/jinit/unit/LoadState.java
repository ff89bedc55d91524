package dev.jinit.unit;

/** The LOAD column of {@code systemctl list-units}, with systemd's words. */
public enum LoadState {
    LOADED("loaded"),
    /** no file for this name (a dependency on a unit that does not exist) */
    NOT_FOUND("not-found"),
    /** the file was read but a setting in it is invalid */
    BAD_SETTING("bad-setting"),
    /** the file could not be read, or its name is not a valid unit name */
    ERROR("error"),
    /** the file is a symlink to /dev/null (or empty file), as systemctl mask makes it */
    MASKED("masked");

    private final String word;

    LoadState(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /**
     * The state for its word, as the control protocol carries it.
     *
     * @throws IllegalArgumentException naming the word
     */
    public static LoadState of(String word) {
        for (LoadState s : values()) if (s.word.equals(word)) return s;
        throw new IllegalArgumentException("unknown load state '" + word + "'");
    }
}
