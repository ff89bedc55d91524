package dev.jinit.log;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A live reader of log lines ({@code jinit logs -f}, a WebSocket). Lines wait in a bounded queue and
 * reach the consumer on the subscription's own virtual thread, so a slow or stuck consumer never slows
 * the pump: when the queue is full, lines are dropped and counted, and the consumer later gets a jinit
 * line saying how many, in the place where they were dropped. {@link #close()} stops delivery at once;
 * when the pump closes, queued lines are delivered first and then the subscription ends.
 */
public final class Subscription implements AutoCloseable {
    /** The unit name used on marker lines of an all-units subscription. */
    public static final String ALL_UNITS_NAME = "jinit";
    private static final long IDLE_POLL_MILLIS = 200;

    private final String unit; // null: every unit
    private final ArrayBlockingQueue<LogLine> queue;
    private final Consumer<LogLine> consumer;
    private final Consumer<Subscription> onClose;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean ending;
    /** Guarded by this: lines dropped since the last marker made it into the queue. */
    private long pendingDrops;
    private long totalDropped;

    Subscription(String unit, int capacity, Consumer<LogLine> consumer, Consumer<Subscription> onClose) {
        this.unit = unit;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.consumer = consumer;
        this.onClose = onClose;
        this.thread = Thread.ofVirtual().name("jinit-log-reader-" + (unit == null ? "all" : unit)).unstarted(this::deliver);
    }

    void start() {
        thread.start();
    }

    /** The unit followed, or null for all units. */
    public String unit() {
        return unit;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Lines dropped so far because the consumer was too slow. */
    public synchronized long dropped() {
        return totalDropped;
    }

    /**
     * Queues a line without ever blocking. A pending drop count is queued first as a marker line so the
     * consumer learns of the gap where it happened; if even the marker does not fit, the line is
     * dropped too and counted.
     */
    synchronized boolean offer(LogLine line) {
        if (closed || ending) return false;
        if (pendingDrops > 0) {
            if (!queue.offer(marker(line.time()))) {
                pendingDrops++;
                totalDropped++;
                return false;
            }
            pendingDrops = 0;
        }
        if (queue.offer(line)) return true;
        pendingDrops++;
        totalDropped++;
        return false;
    }

    private LogLine marker(Instant time) {
        return new LogLine(time, unit == null ? ALL_UNITS_NAME : unit, Stream.JINIT,
                pendingDrops + " lines dropped here: this reader fell behind", false);
    }

    /** The pump is closing: deliver what is queued (and a last drop marker), then end. */
    void end() {
        ending = true;
    }

    /**
     * Once the reader has caught up (queue empty), a drop count still pending becomes a marker right
     * away rather than waiting for the next line, which may never come.
     */
    private synchronized LogLine idleMarker() {
        if (pendingDrops == 0 || !queue.isEmpty()) return null;
        LogLine m = marker(Instant.now());
        pendingDrops = 0;
        return m;
    }

    private void deliver() {
        try {
            while (!closed) {
                LogLine line = queue.poll();
                if (line == null) line = idleMarker();
                if (line == null) line = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (ending) break;
                    continue;
                }
                if (closed) break;
                try {
                    consumer.accept(line);
                } catch (RuntimeException e) {
                    // The reader went away (a closed socket, typically): stop following for it.
                    System.err.println("jinit: log reader for " + (unit == null ? "all units" : unit)
                            + " failed and was closed: " + e);
                    break;
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a reader blocked in poll
        } finally {
            closed = true;
            queue.clear();
            onClose.accept(this);
        }
    }

    /** Waits until delivery has ended (after {@link #close()}, or after the pump closed and the queue drained). */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** Stops delivery now; lines still queued are discarded. Safe to call more than once, from any thread. */
    @Override
    public void close() {
        closed = true;
        if (Thread.currentThread() != thread) thread.interrupt();
    }
}
