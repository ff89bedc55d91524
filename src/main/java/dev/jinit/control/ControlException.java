package dev.jinit.control;

/** The client could not talk to jinit: the message names the socket and the cause (errno name when known). */
public final class ControlException extends RuntimeException {
    public ControlException(String message, Throwable cause) {
        super(message, cause);
    }

    public ControlException(String message) {
        super(message);
    }
}
