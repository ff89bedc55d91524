package dev.jinit.control;

import java.util.Arrays;

/** The commands of the control protocol, spelled as on the command line. */
public enum Command {
    STATUS("status"), START("start"), STOP("stop"), RESTART("restart"), RELOAD("reload"),
    RESET_FAILED("reset-failed"), LOGS("logs"), DAEMON_RELOAD("daemon-reload"),
    /** jinit executes itself anew, keeping every unit running (systemctl daemon-reexec). */
    DAEMON_REEXEC("daemon-reexec"),
    /** Shutdown requests; only jinit as PID 1 (boot mode) carries them out. */
    POWEROFF("poweroff"), REBOOT("reboot"), HALT("halt");

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

    /** Commands that act on jinit as a whole and take no unit names. */
    public boolean takesNoUnits() {
        return this == DAEMON_RELOAD || this == DAEMON_REEXEC || isShutdown();
    }

    /** poweroff, reboot, halt. */
    public boolean isShutdown() {
        return this == POWEROFF || this == REBOOT || this == HALT;
    }

    /** @throws IllegalArgumentException naming the word */
    public static Command of(String word) {
        return Arrays.stream(values()).filter(c -> c.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown command '" + word + "'"));
    }
}
