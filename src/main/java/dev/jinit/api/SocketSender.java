package dev.jinit.api;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * Sends one WebSocket message at a time and waits for it to leave, on the caller's own (virtual)
 * thread: the caller is a subscription's delivery thread, so while it waits, new lines pile up in the
 * subscription's bounded queue (and are dropped with a marker there), never in Jetty's send queue. A
 * client that takes no data for {@link #STALL_LIMIT} is closed: it is stalled, not slow.
 */
final class SocketSender {
    static final Duration STALL_LIMIT = Duration.ofSeconds(10);

    /** The client is gone or stalled; the subscription feeding it must end. */
    static final class Gone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Gone(String message) {
            super(message, null, false, false);
        }
    }

    private final Session session;
    private final Duration stallLimit;
    private final SocketCounters counters;

    SocketSender(Session session, Duration stallLimit, SocketCounters counters) {
        this.session = session;
        this.stallLimit = stallLimit;
        this.counters = counters;
    }

    void send(String text) {
        if (!session.isOpen()) throw new Gone("closed");
        Callback.Completable done = new Callback.Completable();
        session.sendText(text, done);
        try {
            done.get(stallLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // 1008 policy violation, as a server does for a client that breaks its rules; then the
            // connection is cut, since a close frame cannot pass a full send buffer either.
            session.close(StatusCode.POLICY_VIOLATION, "client too slow: nothing read for " + stallLimit.toSeconds() + " s",
                    Callback.NOOP);
            session.disconnect();
            counters.dropped.incrementAndGet();
            throw new Gone("stalled");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gone("interrupted");
        } catch (ExecutionException e) {
            throw new Gone("send failed: " + e.getCause());
        }
    }
}
