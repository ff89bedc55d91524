package dev.jinit.api;

import com.google.gson.JsonObject;
import dev.jinit.supervise.TransitionStream;
import dev.jinit.supervise.UnitTransition;
import java.time.Duration;
import java.util.function.Function;
import org.eclipse.jetty.websocket.api.Session;

/**
 * {@code /api/v1/events}: every unit state change as it happens, one JSON object per message
 * ({@code {"type":"transition","unit":..,"active":..,"sub":..,...}}), from the manager's stream of
 * changes; the status page updates from it instead of polling. A subscriber that fell behind is told
 * {@code {"type":"gap","missed":N}} and should re-read {@code GET /api/v1/units}. Public only because
 * Jetty finds the listener methods through a public lookup.
 */
public final class EventSocket implements Session.Listener.AutoDemanding {
    private final Function<TransitionStream.Listener, TransitionStream.Subscription> subscribe;
    private final Duration stallLimit;
    private final SocketCounters counters;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean opened;
    private volatile TransitionStream.Subscription subscription;
    private volatile boolean closed;

    EventSocket(Function<TransitionStream.Listener, TransitionStream.Subscription> subscribe, Duration stallLimit, SocketCounters counters) {
        this.counters = counters;
        this.subscribe = subscribe;
        this.stallLimit = stallLimit;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        counters.open.incrementAndGet();
        opened = true;
        SocketSender sender = new SocketSender(session, stallLimit, counters);
        subscription = subscribe.apply(new TransitionStream.Listener() {
            @Override
            public void transition(UnitTransition t) {
                try {
                    sender.send(json(t).toString());
                } catch (SocketSender.Gone e) {
                    close();
                }
            }

            @Override
            public void gap(long missed) {
                JsonObject o = new JsonObject();
                o.addProperty("type", "gap");
                o.addProperty("missed", missed);
                try {
                    sender.send(o.toString());
                } catch (SocketSender.Gone e) {
                    close();
                }
            }
        });
        if (closed) close();
    }

    static JsonObject json(UnitTransition t) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "transition");
        o.addProperty("sequence", t.sequence());
        o.addProperty("unit", t.unit());
        o.addProperty("active", t.newActive().word());
        o.addProperty("sub", t.newSub());
        o.addProperty("old_active", t.oldActive().word());
        o.addProperty("old_sub", t.oldSub());
        o.addProperty("result", t.result());
        o.addProperty("time", t.at().toString());
        return o;
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        ended();
        close();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ended();
        close();
    }

    /** Jetty may report both an error and the close: the open count goes down once. */
    private void ended() {
        if (opened && ended.compareAndSet(false, true)) counters.open.decrementAndGet();
    }

    private void close() {
        closed = true;
        TransitionStream.Subscription s = subscription;
        if (s != null) s.close();
    }
}
