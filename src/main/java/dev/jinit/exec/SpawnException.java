package dev.jinit.exec;

/**
 * A process could not be started. The message names the program, file or attribute at fault;
 * {@link #shellCode()} is what a shell would exit with: 127 for a program that does not exist,
 * 126 for one that cannot be executed, 1 otherwise.
 */
public final class SpawnException extends RuntimeException {
    private final int shellCode;

    public SpawnException(String message, int shellCode, Throwable cause) {
        super(message, cause);
        this.shellCode = shellCode;
    }

    public SpawnException(String message, int shellCode) {
        this(message, shellCode, null);
    }

    public int shellCode() {
        return shellCode;
    }
}
