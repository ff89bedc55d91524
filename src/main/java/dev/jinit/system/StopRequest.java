package dev.jinit.system;

/**
 * Why the supervisor is asked to stop, and what follows the orderly stop of the units: {@code jinit run}
 * exits; PID 1 ends in reboot(2) with the matching command.
 */
public enum StopRequest {
    /** Stop every unit and return (jinit run: SIGTERM or SIGINT). */
    EXIT("exit"),
    POWEROFF("poweroff"),
    REBOOT("reboot"),
    HALT("halt");

    private final String word;

    StopRequest(String word) {
        this.word = word;
    }

    /** As on the command line ({@code jinit poweroff}). */
    public String word() {
        return word;
    }
}
