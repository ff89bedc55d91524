package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Basic file and process calls that every mode needs. */
public final class Posix {
    private Posix() {}

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DIRECTORY = 0200000, O_CLOEXEC = 02000000, O_PATH = 010000000;

    private static final MethodHandle OPEN = Native.errnoCall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Native.errnoCall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PIPE2 = Native.errnoCall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = Native.errnoCall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = Native.errnoCall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = Native.errnoCall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle KILL = Native.errnoCall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPID = Native.call("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = Native.call("geteuid", FunctionDescriptor.of(JAVA_INT));

    /** open(2); the returned descriptor is owned by the caller. */
    public static Fd open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int fd = (int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode);
            return Fd.adopt(Native.check(fd, st, "open", path));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * open(2) for a caller that expects some failures and retries: the descriptor (owned by the
     * caller), or minus the error number, without an exception's cost.
     */
    public static int tryOpen(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int fd = (int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode);
            return fd >= 0 ? fd : -Native.errno(st);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void close(int fd) {
        try {
            MemorySegment st = Native.callState();
            int r = (int) CLOSE.invokeExact(st, fd);
            // EINTR on close still closed the descriptor on Linux: never retry.
            if (r == -1 && Native.errno(st) != Errno.EINTR) Native.check(r, st, "close", fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** pipe2(2): element 0 is the read end, 1 the write end. */
    public static Fd[] pipe(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment st = Native.callState();
            Native.check((int) PIPE2.invokeExact(st, fds, flags), st, "pipe2", "");
            return new Fd[] {Fd.adopt(fds.getAtIndex(JAVA_INT, 0)), Fd.adopt(fds.getAtIndex(JAVA_INT, 1))};
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** read(2) into a native buffer; returns bytes read, 0 at end of file, -1 on EAGAIN. */
    public static long read(int fd, MemorySegment buffer, long count) {
        try {
            MemorySegment st = Native.callState();
            while (true) {
                long n = (long) READ.invokeExact(st, fd, buffer, count);
                if (n >= 0) return n;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new LinuxException("read", "fd " + fd, errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** pread(2) into a native buffer at {@code offset}; returns bytes read, 0 at end of file, -1 on EAGAIN. */
    public static long pread(int fd, MemorySegment buffer, long count, long offset) {
        try {
            MemorySegment st = Native.callState();
            while (true) {
                long n = (long) PREAD.invokeExact(st, fd, buffer, count, offset);
                if (n >= 0) return n;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new LinuxException("pread", "fd " + fd, errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** write(2) from a native buffer; returns bytes written, -1 on EAGAIN. */
    public static long write(int fd, MemorySegment buffer, long count) {
        try {
            MemorySegment st = Native.callState();
            while (true) {
                long n = (long) WRITE.invokeExact(st, fd, buffer, count);
                if (n >= 0) return n;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new LinuxException("write", "fd " + fd, errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Writes all of {@code bytes} to a blocking descriptor. */
    public static void writeFully(int fd, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            long off = 0;
            while (off < bytes.length) {
                long n = write(fd, buf.asSlice(off), bytes.length - off);
                if (n < 0) throw new LinuxException("write", "fd " + fd, Errno.EAGAIN);
                off += n;
            }
        }
    }

    /** kill(2). Returns false when the process does not exist (ESRCH). */
    public static boolean kill(int pid, int signal) {
        try {
            MemorySegment st = Native.callState();
            int r = (int) KILL.invokeExact(st, pid, signal);
            if (r == -1 && Native.errno(st) == Errno.ESRCH) return false;
            Native.check(r, st, "kill", pid + " " + Signals.name(signal));
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
