package dev.jinit.linux;

/**
 * The one exception type for failed Linux calls. Its message names the call, what it was called
 * on, and the errno by name: {@code open /var/log/x: EACCES (Permission denied)}.
 */
public final class LinuxException extends RuntimeException {
    private final String call;
    private final String argument;
    private final int errno;

    public LinuxException(String call, String argument, int errno) {
        super(call + (argument == null || argument.isEmpty() ? "" : " " + argument) + ": "
                + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.argument = argument;
        this.errno = errno;
    }

    public String call() { return call; }
    public String argument() { return argument; }
    public int errno() { return errno; }
    public String errnoName() { return Errno.name(errno); }
}
