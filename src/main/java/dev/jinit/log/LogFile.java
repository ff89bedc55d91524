package dev.jinit.log;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One unit's log file, rotated by size: {@code unit.log}, then {@code unit.log.1} (newest) …
 * {@code unit.log.N} (oldest, deleted on the next rotation). Owned by the pump thread.
 *
 * <p>Lines are staged in a buffer shared by all files of the pump and written with one write(2) per
 * read of a pipe, not one per line. A failed open or write (full disk, I/O error, read-only file
 * system) is reported once through {@code report}, with the call, errno name and path; the file is
 * then left alone for {@code retryAfter} while lines are counted as lost, and tried again with the
 * next line after that. The first successful write after a failure reports how many lines the file
 * misses. The file is opened lazily and closed when the unit has no pipes left.
 */
final class LogFile {
    /** A write buffer shared by the pump's files: at most one file has staged bytes at a time. */
    static final class Staging {
        final byte[] bytes;
        final MemorySegment nativeBuffer;
        int length;
        int lines;
        LogFile owner;

        Staging(Arena arena, int capacity) {
            bytes = new byte[capacity];
            nativeBuffer = arena.allocate(capacity);
        }

        /** Writes out the staged lines, if any, to the file that staged them. */
        void flush() {
            if (owner != null && length > 0) owner.writeOut(this);
            length = 0;
            lines = 0;
        }
    }

    private final Path path;
    private final LogConfig config;
    private final Staging staging;
    private final Consumer<String> report;
    private final LongSupplier nanoClock;

    private Fd fd;
    private long size = -1; // unknown until opened
    private boolean failed;
    private long retryAtNanos;
    private long lostLines;
    /** A failed write stopped inside a line: the next write starts on a fresh line. */
    private boolean midLine;
    /** Where the batch that a failed write cut began (-1: none), and in which file (its dev/inode key). */
    private long cutAt = -1;
    private Object cutKey;

    LogFile(Path path, LogConfig config, Staging staging, Consumer<String> report, LongSupplier nanoClock) {
        this.path = path;
        this.config = config;
        this.staging = staging;
        this.report = report;
        this.nanoClock = nanoClock;
    }

    Path path() {
        return path;
    }

    boolean failed() {
        return failed;
    }

    /**
     * Stages one line: {@code header} (timestamp and stream tag, with its trailing space), then the
     * line's bytes, then a newline. Rotates first when the line would push the file past its size.
     */
    void append(byte[] header, int headerLength, byte[] data, int off, int len) {
        if (failed) {
            if (nanoClock.getAsLong() - retryAtNanos < 0) {
                lostLines++;
                return;
            }
        }
        if (staging.owner != this) {
            staging.flush();
            staging.owner = this;
        }
        int need = headerLength + len + 1;
        if (size < 0 && !open()) {
            lostLines++;
            return;
        }
        if (size + staging.length + need > config.maxFileBytes() && size + staging.length > 0) {
            staging.flush();
            rotate();
            if (size < 0 && !open()) {
                lostLines++;
                return;
            }
        }
        if (staging.length + need > staging.bytes.length) staging.flush();
        // LogConfig bounds maxLineBytes so that a header, a whole line and its newline always fit.
        System.arraycopy(header, 0, staging.bytes, staging.length, headerLength);
        System.arraycopy(data, off, staging.bytes, staging.length + headerLength, len);
        staging.bytes[staging.length + headerLength + len] = '\n';
        staging.length += need;
        staging.lines++;
    }

    /** Writes any staged bytes of this file and closes it; the next line opens it again. */
    void close() {
        if (staging.owner == this) {
            staging.flush();
            staging.owner = null;
        }
        if (fd != null) fd.close();
        fd = null;
        size = -1;
    }

    private boolean open() {
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            fail("mkdir " + path.getParent() + ": " + describe(e));
            return false;
        }
        try {
            fd = Posix.open(path.toString(), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_APPEND | Posix.O_CLOEXEC, 0640);
            size = Files.size(path);
            return true;
        } catch (LinuxException e) {
            fail(e.call() + " " + path + ": " + e.errnoName() + " (" + Errno.describe(e.errno()) + ")");
            return false;
        } catch (IOException e) {
            fail("stat " + path + ": " + describe(e));
            return false;
        }
    }

    private void writeOut(Staging s) {
        if (fd == null && !open()) {
            lostLines += s.lines;
            return;
        }
        MemorySegment.copy(s.bytes, 0, s.nativeBuffer, JAVA_BYTE, 0, s.length);
        if (cutAt >= 0) removeCutRecord();
        long done = 0;
        long start = size;
        try {
            if (midLine) {
                Posix.writeFully(fd.get(), new byte[] {'\n'});
                size++;
                midLine = false;
            }
            while (done < s.length) {
                long n = Posix.write(fd.get(), s.nativeBuffer.asSlice(done), s.length - done);
                if (n < 0) throw new LinuxException("write", "fd " + fd.get(), Errno.EAGAIN);
                done += n;
                size += n;
            }
        } catch (LinuxException e) {
            if (done > 0 && cutAt < 0) {
                // Part of the batch reached the file, ending inside a record: remembered, so that it is
                // removed when the file can be written again (its lines are counted as missing).
                cutAt = start;
                cutKey = fileKey();
            }
            midLine = done > 0 || midLine;
            lostLines += s.lines;
            fail(e.call() + " " + path + ": " + e.errnoName() + " (" + Errno.describe(e.errno()) + ")");
            return;
        }
        if (failed) {
            failed = false;
            report.accept("log file " + path + " is written again; " + lostLines + " lines are missing from it");
            lostLines = 0;
        }
    }

    /**
     * A write cut by a full disk left a partial record at the end of the file. When space returns and
     * the file is still the same one (not rotated, removed or replaced), the file is cut back to where
     * that batch began, so it holds whole records only; the "N lines are missing" report says what is
     * gone. When it is another file, the newline written after it (midLine) at least ends the cut line.
     */
    private void removeCutRecord() {
        long at = cutAt;
        Object key = cutKey;
        cutAt = -1;
        cutKey = null;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (key == null || !key.equals(a.fileKey()) || a.size() < at) return;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(at);
            }
            size = at;
            midLine = false;
        } catch (IOException e) {
            // cannot cut it: the newline that follows ends the partial record instead
        }
    }

    private Object fileKey() {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Shifts unit.log → unit.log.1 → … → unit.log.N, dropping the oldest; with N = 0 starts over. */
    private void rotate() {
        if (fd != null) fd.close();
        fd = null;
        size = -1;
        try {
            int n = config.rotatedFiles();
            if (n == 0) {
                Files.deleteIfExists(path);
                return;
            }
            Files.deleteIfExists(rotated(n));
            for (int i = n - 1; i >= 1; i--) moveIfExists(rotated(i), rotated(i + 1));
            moveIfExists(path, rotated(1));
        } catch (IOException e) {
            fail("rotate " + path + ": " + describe(e));
        }
    }

    Path rotated(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    private static void moveIfExists(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException gone) {
            // nothing to shift at this position yet
        }
    }

    /** Marks the file as failing; only the first failure of a run is reported. */
    private void fail(String what) {
        if (fd != null) fd.close(); // reopened on retry: the file may have been removed or remounted
        fd = null;
        size = -1;
        retryAtNanos = nanoClock.getAsLong() + config.retryAfter().toNanos();
        if (!failed) {
            failed = true;
            report.accept("cannot write log file: " + what + "; lines stay in memory and reach live readers;"
                    + " retrying every " + config.retryAfter().toMillis() + " ms");
        }
    }

    /** NIO's message names the file and the reason ("/x: No space left on device"), or at least the type. */
    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
