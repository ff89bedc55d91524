package dev.jinit.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reading a unit's log files as the pump writes them ({@link LogFormat}): the last lines across
 * rotation (for {@code jinit logs -n N} when memory does not reach back far enough, e.g. after jinit
 * restarted), and following the current file through rotations.
 */
public final class LogFiles {
    private LogFiles() {}

    private static final int FIRST_BLOCK = 64 << 10;
    /** A follower reads at most this much of a file per step. */
    static final int READ_CHUNK = 1 << 20;
    /** Rotated files are numbered 1..99 at most ({@link LogConfig#rotatedFiles()}). */
    private static final int MAX_ROTATED = 99;

    /**
     * The last {@code n} lines of a unit's files under {@code logsDir}, oldest first: {@code unit.log},
     * then {@code unit.log.1}, {@code unit.log.2}… as far as needed. An unfinished last line of the
     * current file (being written right now) is not returned. Missing files mean no lines; a file that
     * cannot be read throws an UncheckedIOException naming it.
     */
    public static List<LogLine> tail(Path logsDir, String unit, int n) {
        if (n < 0) throw new IllegalArgumentException("negative line count: " + n);
        LogFormat.checkUnitName(unit);
        ArrayDeque<LogLine> out = new ArrayDeque<>();
        for (int i = 0; i <= MAX_ROTATED && out.size() < n; i++) {
            Path file = i == 0 ? logsDir.resolve(unit + ".log") : logsDir.resolve(unit + ".log." + i);
            List<LogLine> lines;
            try {
                lines = lastLines(file, unit, n - out.size(), i > 0);
            } catch (NoSuchFileException e) {
                if (i == 0) continue; // between a rotation and the next line, only unit.log.1 exists
                break;
            } catch (IOException e) {
                throw new UncheckedIOException("reading log file " + file + ": " + e.getMessage(), e);
            }
            for (int k = lines.size() - 1; k >= 0; k--) out.addFirst(lines.get(k));
        }
        return new ArrayList<>(out);
    }

    /**
     * The last {@code want} lines of one file. Reads backwards in doubling blocks until it has seen
     * enough newlines, so a short tail of a large file reads little.
     */
    static List<LogLine> lastLines(Path file, String unit, int want, boolean complete) throws IOException {
        if (want == 0) return List.of();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Instant fallback = Files.getLastModifiedTime(file).toInstant();
            long block = FIRST_BLOCK;
            while (true) {
                long start = Math.max(0, size - block);
                byte[] region = readRange(ch, start, size);
                int newlines = 0;
                for (byte b : region) if (b == '\n') newlines++;
                if (newlines > want || start == 0) {
                    List<LogLine> lines = parseLines(region, start > 0, complete, unit, fallback);
                    return lines.size() <= want ? lines : lines.subList(lines.size() - want, lines.size());
                }
                block *= 2;
            }
        }
    }

    private static byte[] readRange(FileChannel ch, long start, long end) throws IOException {
        byte[] out = new byte[Math.toIntExact(end - start)];
        ByteBuffer buf = ByteBuffer.wrap(out);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, start + buf.position());
            if (n < 0) return Arrays.copyOf(out, buf.position()); // shrank under us (rotated away)
        }
        return out;
    }

    /**
     * The lines of a region: when {@code skipFirst}, the bytes before the first newline belong to a line
     * that started before the region and are skipped; bytes after the last newline are a line only when
     * the file is {@code complete} (a rotated file, no longer written).
     */
    static List<LogLine> parseLines(byte[] region, boolean skipFirst, boolean complete, String unit, Instant fallback) {
        List<LogLine> lines = new ArrayList<>();
        int start = 0;
        if (skipFirst) {
            while (start < region.length && region[start] != '\n') start++;
            start++;
        }
        for (int i = start; i < region.length; i++) {
            if (region[i] == '\n') {
                lines.add(LogFormat.parse(unit, region, start, i - start, fallback));
                start = i + 1;
            }
        }
        if (complete && start < region.length) lines.add(LogFormat.parse(unit, region, start, region.length - start, fallback));
        return lines;
    }

    /**
     * Follows a unit's current log file from its end (or from its start with {@code fromStart}), handing
     * each new complete line to {@code consumer} on a virtual thread that polls every {@code interval}.
     * When the file is rotated (a new file at the path, or the file shrank), the rest of the old file
     * is read first, then the new one from its start. A missing file is waited for.
     */
    public static Follower follow(Path logsDir, String unit, boolean fromStart, Duration interval, Consumer<LogLine> consumer) {
        Follower f = new Follower(logsDir.resolve(LogFormat.checkUnitName(unit) + ".log"), unit, fromStart, interval, consumer);
        // The first look happens here, on the caller's thread: whether the file exists *now* decides
        // whether it is read from its end or whole, so a file written right after this call is never
        // mistaken for old content because the follower thread ran late.
        f.firstPoll();
        f.thread.start();
        return f;
    }

    /** A running {@link #follow}; {@link #close()} stops it. */
    public static final class Follower implements AutoCloseable {
        private final Path path;
        private final String unit;
        private final Duration interval;
        private final Consumer<LogLine> consumer;
        private final CountDownLatch stop = new CountDownLatch(1);
        private final Thread thread;
        private FileChannel channel;
        private Object fileKey;
        private long position;
        private boolean fromStart;
        private byte[] partial = new byte[0];
        private volatile IOException failure;
        private volatile boolean opened;

        private Follower(Path path, String unit, boolean fromStart, Duration interval, Consumer<LogLine> consumer) {
            this.path = path;
            this.unit = unit;
            this.fromStart = fromStart;
            this.interval = interval;
            this.consumer = consumer;
            this.thread = Thread.ofVirtual().name("jinit-log-follow-" + unit).unstarted(this::loop);
        }

        /** Whether the followed file has been opened (its position taken); false while it does not exist. */
        public boolean isOpen() {
            return opened;
        }

        /** The error that ended following, if one did (a file that exists but cannot be read). */
        public IOException failure() {
            return failure;
        }

        private void firstPoll() {
            try {
                poll();
            } catch (IOException e) {
                failure = e;
                stop.countDown();
            }
        }

        private void loop() {
            try {
                while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) poll();
            } catch (InterruptedException e) {
                // closed
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                // the consumer failed (its reader went away): stop following
            } finally {
                closeChannel();
            }
        }

        private void poll() throws IOException {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                attrs = null;
            }
            if (channel != null) {
                readNew();
                boolean replaced = attrs == null || !attrs.fileKey().equals(fileKey) || attrs.size() < position;
                if (!replaced) return;
                flushPartial();
                closeChannel();
                readRotatedSince();
                fromStart = true; // everything in a file that replaced the followed one is new
            }
            if (attrs == null) {
                fromStart = true; // a file that appears later is read whole
                return;
            }
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                fromStart = true;
                return;
            }
            fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            position = fromStart ? 0 : channel.size();
            opened = true;
            readNew();
        }

        /**
         * After a rotation: when the followed file is now {@code unit.log.K}, the files rotated after it
         * ({@code .K-1} … {@code .1}) were written and rotated away between two polls; read them whole,
         * oldest first, so a burst of output is not skipped.
         */
        private void readRotatedSince() throws IOException {
            int index = 0;
            for (int i = 1; i <= MAX_ROTATED; i++) {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(rotated(i), BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    break;
                }
                if (a.fileKey().equals(fileKey)) {
                    index = i;
                    break;
                }
            }
            for (int i = index - 1; i >= 1; i--) {
                try (FileChannel ch = FileChannel.open(rotated(i), StandardOpenOption.READ)) {
                    byte[] all = readRange(ch, 0, ch.size());
                    for (LogLine line : parseLines(all, false, true, unit, Instant.now())) consumer.accept(line);
                } catch (NoSuchFileException e) {
                    // rotated out of existence meanwhile: nothing left to read
                }
            }
        }

        private Path rotated(int i) {
            return path.resolveSibling(path.getFileName() + "." + i);
        }

        /**
         * What was added since the last poll, read a bounded chunk at a time: a follower that starts
         * at the beginning of a large file (or that fell far behind) must not hold all of it at once.
         */
        private void readNew() throws IOException {
            long size = channel.size();
            while (position < size) {
                byte[] fresh = readRange(channel, position, Math.min(size, position + READ_CHUNK));
                if (fresh.length == 0) return; // truncated under us: the next poll sees the rotation
                position += fresh.length;
                byte[] data = partial.length == 0 ? fresh : concat(partial, fresh);
                int start = 0;
                for (int i = 0; i < data.length; i++) {
                    if (data[i] == '\n') {
                        consumer.accept(LogFormat.parse(unit, data, start, i - start, Instant.now()));
                        start = i + 1;
                    }
                }
                partial = Arrays.copyOfRange(data, start, data.length);
                // jinit's own files never hold a line this long; someone else's file must not grow memory.
                if (partial.length > LogConfig.MAX_LINE_LIMIT + 64) flushPartial();
            }
        }

        private void flushPartial() {
            if (partial.length > 0) consumer.accept(LogFormat.parse(unit, partial, 0, partial.length, Instant.now()));
            partial = new byte[0];
        }

        private void closeChannel() {
            if (channel == null) return;
            try {
                channel.close();
            } catch (IOException e) {
                // a read-only channel has nothing to lose on close
            }
            channel = null;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        /** Stops following; returns once the follower thread has ended. */
        @Override
        public void close() {
            stop.countDown();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
