package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a configuration file that somebody else controls (a unit file, a drop-in, an
 * EnvironmentFile=) without letting it stall the reader. {@code Files.readString} opens whatever the
 * name points to with a blocking open(2): a FIFO blocks until a writer appears (forever), a tty or a
 * device may block or never end. Here the file is opened with {@code O_NONBLOCK} (open of a FIFO
 * returns at once), checked with fstat(2) on the open descriptor (no race with a rename) to be a
 * regular file, and only then read, up to a size limit.
 *
 * <p>{@code O_NOFOLLOW}: a symlink is legitimate for unit files (systemd follows them), so callers
 * resolve the link deliberately first ({@link Path#toRealPath}) and open the resolved path; a link
 * that appears in between is refused rather than followed blindly.
 */
public final class RegularFile {
    private RegularFile() {}

    static final int O_NOFOLLOW = 0400000;
    /** struct stat on x86_64: st_mode at 24, st_size at 48, 144 bytes in all. */
    private static final long STAT_SIZE = 144, ST_MODE = 24, ST_SIZE = 48;
    static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFIFO = 0010000,
            S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFSOCK = 0140000, S_IFLNK = 0120000;

    private static final MethodHandle FSTAT = Native.errnoCall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** The file is not one a configuration can come from (a FIFO, a device, a socket, a directory, too big). */
    public static final class NotRegularException extends IOException {
        public NotRegularException(String message) {
            super(message);
        }
    }

    /**
     * The whole content of {@code path}, which must be a regular file of at most {@code maxBytes}.
     *
     * @throws NotRegularException when it is anything else (the message names the path and what it is)
     * @throws IOException for a failed open or read, naming the call, the path and the errno
     */
    public static byte[] read(Path path, long maxBytes) throws IOException {
        // Look before opening: opening some devices has effects of its own (a watchdog device arms).
        // The fstat below is what counts; this only spares such files the open.
        BasicFileAttributes seen = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!seen.isRegularFile() && !seen.isSymbolicLink())
            throw new NotRegularException(path + " is " + describe(path) + ", not a regular file");
        Fd fd;
        try {
            fd = Posix.open(path.toString(), Posix.O_RDONLY | Posix.O_NONBLOCK | O_NOFOLLOW | Posix.O_CLOEXEC | Posix.O_NOCTTY, 0);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ELOOP) throw new NotRegularException(path + " is a symbolic link that was not resolved");
            throw new IOException(e.getMessage(), e);
        }
        try (fd; Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(STAT_SIZE, 8);
            fstat(fd.get(), st, path);
            int mode = st.get(JAVA_INT, ST_MODE);
            if ((mode & S_IFMT) != S_IFREG) throw new NotRegularException(path + " is " + kind(mode) + ", not a regular file");
            long size = st.get(JAVA_LONG, ST_SIZE);
            if (size > maxBytes) throw new NotRegularException(path + " is larger than " + maxBytes + " bytes (" + size + ")");
            // Read to the end rather than trusting st_size (the file may grow while read), but never past the limit.
            int cap = (int) Math.min(maxBytes + 1, Math.max(size + 1, 4096));
            MemorySegment buf = arena.allocate(cap);
            long total = 0;
            while (total < cap) {
                long n;
                try {
                    n = Posix.read(fd.get(), buf.asSlice(total), cap - total);
                } catch (LinuxException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (n == 0) break;
                if (n < 0) throw new IOException("read " + path + ": EAGAIN on a regular file");
                total += n;
            }
            if (total > maxBytes) throw new NotRegularException(path + " is larger than " + maxBytes + " bytes");
            return buf.asSlice(0, total).toArray(JAVA_BYTE);
        }
    }

    private static void fstat(int fd, MemorySegment st, Path path) throws IOException {
        try {
            MemorySegment cs = Native.callState();
            int r = (int) FSTAT.invokeExact(cs, fd, st);
            if (r == -1) throw new IOException(new LinuxException("fstat", path.toString(), Native.errno(cs)).getMessage());
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** What a non-regular file is ("a FIFO"), from lstat's mode; for messages. */
    private static String describe(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m ? kind(m) : "unknown type";
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown type";
        }
    }

    /** "a FIFO", "a character device", ...: for messages. */
    static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFREG -> "a regular file";
            case S_IFDIR -> "a directory";
            case S_IFIFO -> "a FIFO";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFSOCK -> "a socket";
            case S_IFLNK -> "a symbolic link";
            default -> "a file of unknown type " + Integer.toOctalString(mode & S_IFMT);
        };
    }
}
