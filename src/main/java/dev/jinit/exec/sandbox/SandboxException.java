package dev.jinit.exec.sandbox;

/** A sandbox that cannot be set up as asked: the message names the path and the reason (with errno). */
public final class SandboxException extends RuntimeException {
    public SandboxException(String message) {
        super(message);
    }
}
