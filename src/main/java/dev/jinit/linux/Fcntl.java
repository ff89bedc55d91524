package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** fcntl(2) for descriptor status flags and pipe sizes. fcntl is variadic: the third argument is one int. */
public final class Fcntl {
    private Fcntl() {}

    public static final int F_DUPFD_CLOEXEC = 1030, F_GETFL = 3, F_SETFL = 4, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

    private static final MethodHandle FCNTL_INT = Native.errnoCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    private static int fcntl(int fd, int cmd, int arg, String call) {
        try {
            MemorySegment st = Native.callState();
            return Native.check((int) FCNTL_INT.invokeExact(st, fd, cmd, arg), st, call, "fd " + fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getFlags(int fd) {
        return fcntl(fd, F_GETFL, 0, "fcntl F_GETFL");
    }

    public static void setFlags(int fd, int flags) {
        fcntl(fd, F_SETFL, flags, "fcntl F_SETFL");
    }

    /** Sets O_NONBLOCK on this open file description (for a pipe: only this end). */
    public static void setNonBlocking(int fd) {
        int flags = getFlags(fd);
        if ((flags & Posix.O_NONBLOCK) == 0) setFlags(fd, flags | Posix.O_NONBLOCK);
    }

    /**
     * F_SETPIPE_SZ: asks for a pipe buffer of {@code bytes}; returns the size the kernel granted (a page
     * multiple, at most /proc/sys/fs/pipe-max-size for unprivileged callers).
     */
    public static int setPipeSize(int fd, int bytes) {
        return fcntl(fd, F_SETPIPE_SZ, bytes, "fcntl F_SETPIPE_SZ " + bytes);
    }

    /** A close-on-exec duplicate of {@code fd} (same open file description), numbered 3 or above. */
    public static Fd dupCloexec(int fd) {
        return Fd.adopt(fcntl(fd, F_DUPFD_CLOEXEC, 3, "fcntl F_DUPFD_CLOEXEC"));
    }

    /** Clears O_NONBLOCK on this open file description. */
    public static void setBlocking(int fd) {
        int flags = getFlags(fd);
        if ((flags & Posix.O_NONBLOCK) != 0) setFlags(fd, flags & ~Posix.O_NONBLOCK);
    }

    public static final int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;

    /**
     * Sets or clears FD_CLOEXEC on descriptor {@code fd} (the descriptor, not its open file description):
     * a descriptor without it survives execve, as the ones {@code jinit daemon-reexec} hands to its new self.
     */
    public static void setCloexec(int fd, boolean cloexec) {
        int flags = fcntl(fd, F_GETFD, 0, "fcntl F_GETFD");
        int want = cloexec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (want != flags) fcntl(fd, F_SETFD, want, "fcntl F_SETFD");
    }

    /** Whether FD_CLOEXEC is set on {@code fd}; throws (EBADF) when it is not open. */
    public static boolean isCloexec(int fd) {
        return (fcntl(fd, F_GETFD, 0, "fcntl F_GETFD") & FD_CLOEXEC) != 0;
    }

    public static int pipeSize(int fd) {
        return fcntl(fd, F_GETPIPE_SZ, 0, "fcntl F_GETPIPE_SZ");
    }
}
