package dev.jinit.supervise.notify;

/** Whether a notification (or one of its fields) is taken, and if not, why. */
public sealed interface Verdict {
    record Accept() implements Verdict {}

    /** @param reason a sentence for the log, naming the pids involved */
    record Refuse(String reason) implements Verdict {}

    Verdict ACCEPT = new Accept();

    default boolean accepted() {
        return this instanceof Accept;
    }
}
