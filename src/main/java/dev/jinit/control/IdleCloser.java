package dev.jinit.control;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that stays silent past its deadline. A blocking read on a Unix socket channel
 * has no timeout of its own; closing the channel from another thread ends the read at once (with
 * AsynchronousCloseException), which ends the client's thread and frees its descriptor. One timer
 * thread serves every connection, so thousands of idle clients cost no thread each beyond their own.
 */
final class IdleCloser implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    IdleCloser() {
        timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("jinit-control-idle").daemon(true).unstarted(r));
        // A cancelled deadline (the usual case: the client answered in time) leaves the queue at once,
        // rather than sitting there for the whole timeout: the queue stays as small as the open connections.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** A deadline for one connection; cancel it when the client did what it had to in time. */
    interface Deadline {
        void cancel();

        /** No deadline (a job is running, or a log is followed). */
        Deadline NONE = () -> { };
    }

    Deadline closeAfter(Duration timeout, Closeable connection) {
        ScheduledFuture<?> f = timer.schedule(() -> {
            try {
                connection.close();
            } catch (IOException ignored) {
                // it is being closed for being idle: nothing else to do with it
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
