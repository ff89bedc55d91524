package dev.jinit.control;

import java.util.Arrays;

/** The commands of the control protocol, spelled as on the command line. */
public enum Command {
    STATUS("status"), START("start"), STOP("stop"), RESTART("restart"), RELOAD("reload"),
    RESET_FAILED("reset-failed"), LOGS("logs"), DAEMON_RELOAD("daemon-reload");

    private final String word;

    Command(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Commands that act on the named units and need at least one. */
    public boolean needsUnits() {
        return this == START || this == STOP || this == RESTART || this == RELOAD;
    }

    /** @throws IllegalArgumentException naming the word */
    public static Command of(String word) {
        return Arrays.stream(values()).filter(c -> c.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown command '" + word + "'"));
    }
}
