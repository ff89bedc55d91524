package dev.jinit.log;

/** Where a log line came from: the unit's stdout or stderr pipe, or jinit itself writing about the unit. */
public enum Stream {
    STDOUT("stdout"), STDERR("stderr"), JINIT("jinit");

    private final String tag;

    Stream(String tag) {
        this.tag = tag;
    }

    /** The word written in log files and shown by {@code jinit logs}. */
    public String tag() {
        return tag;
    }

    /** The stream for a tag as written by {@link #tag()}; null when the word is not one. */
    public static Stream ofTag(String tag) {
        for (Stream s : values()) if (s.tag.equals(tag)) return s;
        return null;
    }
}
