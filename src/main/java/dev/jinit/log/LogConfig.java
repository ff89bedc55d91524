package dev.jinit.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the log pipeline keeps lines.
 *
 * @param stateDir        jinit's state directory; files go to {@code <stateDir>/logs/<unit>.log}
 * @param maxFileBytes    a unit's log file is rotated before it would grow past this size
 * @param rotatedFiles    rotated files kept ({@code unit.log.1} newest … {@code unit.log.N} oldest); 0 keeps none
 * @param ringLines       lines kept in memory per unit
 * @param ringBytes       memory per unit's ring (estimated Java heap bytes; the newest line is always kept)
 * @param maxLineBytes    longer lines are cut into pieces of at most this many bytes, marked as cut
 * @param subscriberQueue lines queued per subscriber before further lines are dropped (and counted)
 * @param retryAfter      how long a log file that failed to write (full disk, I/O error) is left alone
 *                        before jinit tries it again; its lines still reach the ring and subscribers
 */
public record LogConfig(Path stateDir, long maxFileBytes, int rotatedFiles, int ringLines, long ringBytes,
                        int maxLineBytes, int subscriberQueue, Duration retryAfter) {

    /** Largest supported line cut length: a whole line must fit the pump's staging buffer. */
    public static final int MAX_LINE_LIMIT = 1 << 20;

    public LogConfig {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (maxFileBytes < 4096) throw new IllegalArgumentException("log file size limit below 4096 bytes: " + maxFileBytes);
        if (rotatedFiles < 0 || rotatedFiles > 99) throw new IllegalArgumentException("rotated log files out of range 0..99: " + rotatedFiles);
        if (ringLines < 1) throw new IllegalArgumentException("log ring must hold at least one line: " + ringLines);
        if (ringBytes < 1024) throw new IllegalArgumentException("log ring size below 1024 bytes: " + ringBytes);
        if (maxLineBytes < 64 || maxLineBytes > MAX_LINE_LIMIT)
            throw new IllegalArgumentException("maximum log line length out of range 64.." + MAX_LINE_LIMIT + ": " + maxLineBytes);
        if (subscriberQueue < 16) throw new IllegalArgumentException("subscriber queue below 16 lines: " + subscriberQueue);
        if (retryAfter.isNegative()) throw new IllegalArgumentException("negative log file retry delay: " + retryAfter);
    }

    /**
     * 8 MiB files with 4 rotated ones (40 MiB per unit on disk at most), 1000 lines or 256 KiB in
     * memory per unit, lines cut at 16 KiB, 4096 queued lines per live reader, file retried after 10 s.
     */
    public static LogConfig defaults(Path stateDir) {
        return new LogConfig(stateDir, 8L << 20, 4, 1000, 256L << 10, 16 << 10, 4096, Duration.ofSeconds(10));
    }

    public Path logsDir() {
        return stateDir.resolve("logs");
    }

    public LogConfig withMaxFileBytes(long v) {
        return new LogConfig(stateDir, v, rotatedFiles, ringLines, ringBytes, maxLineBytes, subscriberQueue, retryAfter);
    }

    public LogConfig withRotatedFiles(int v) {
        return new LogConfig(stateDir, maxFileBytes, v, ringLines, ringBytes, maxLineBytes, subscriberQueue, retryAfter);
    }

    public LogConfig withRing(int lines, long bytes) {
        return new LogConfig(stateDir, maxFileBytes, rotatedFiles, lines, bytes, maxLineBytes, subscriberQueue, retryAfter);
    }

    public LogConfig withMaxLineBytes(int v) {
        return new LogConfig(stateDir, maxFileBytes, rotatedFiles, ringLines, ringBytes, v, subscriberQueue, retryAfter);
    }

    public LogConfig withSubscriberQueue(int v) {
        return new LogConfig(stateDir, maxFileBytes, rotatedFiles, ringLines, ringBytes, maxLineBytes, v, retryAfter);
    }

    public LogConfig withRetryAfter(Duration v) {
        return new LogConfig(stateDir, maxFileBytes, rotatedFiles, ringLines, ringBytes, maxLineBytes, subscriberQueue, v);
    }
}
