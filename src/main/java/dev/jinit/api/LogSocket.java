package dev.jinit.api;

import dev.jinit.control.Protocol;
import dev.jinit.log.LogLine;
import dev.jinit.log.LogPump;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A WebSocket that follows the log of one unit ({@code /api/v1/units/NAME/logs/follow}) or of every
 * unit ({@code /api/v1/logs/follow}): first up to {@code ?lines=N} recent lines, then each new line,
 * one JSON object per text message (the objects of {@code GET .../logs}). The log pump's subscription
 * carries the lines: bounded, with a marker line where a slow reader lost some; a stalled reader is
 * closed by {@link SocketSender}. Incoming messages are ignored. Public only because Jetty finds the
 * listener methods through a public lookup.
 */
public final class LogSocket implements Session.Listener.AutoDemanding {
    /** Lines held while the backlog is read, at most. */
    static final int MAX_HELD = 4096;
    private final LogPump logs;
    private final List<String> knownUnits; // for the all-units backlog
    private final String unit; // null: every unit
    private final int backlog;
    private final Duration stallLimit;
    private final SocketCounters counters;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean opened;
    private volatile AutoCloseable subscription;
    private volatile boolean closed;

    LogSocket(LogPump logs, List<String> knownUnits, String unit, int backlog, Duration stallLimit, SocketCounters counters) {
        this.counters = counters;
        this.logs = logs;
        this.knownUnits = knownUnits;
        this.unit = unit;
        this.backlog = backlog;
        this.stallLimit = stallLimit;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        counters.open.incrementAndGet();
        opened = true;
        SocketSender sender = new SocketSender(session, stallLimit, counters);
        try {
            if (unit != null) {
                subscription = logs.follow(unit, backlog, line -> sender.send(Protocol.encode(line)));
            } else {
                subscription = followAll(sender);
            }
        } catch (RuntimeException e) {
            session.close();
            return;
        }
        if (closed) closeSubscription(); // the client left while we subscribed
    }

    /**
     * Every unit: the pump keeps backlogs per unit, so the backlog is the newest N lines of all rings
     * merged by time. To lose nothing between backlog and live lines, the subscription starts first and
     * holds what arrives while the rings are read; held lines that the rings already had are dropped.
     */
    private AutoCloseable followAll(SocketSender sender) {
        Object gate = new Object();
        List<LogLine> held = new ArrayList<>();
        boolean[] live = {false};
        AutoCloseable sub = logs.follow(null, 0, line -> {
            synchronized (gate) {
                if (!live[0]) {
                    if (held.size() < MAX_HELD) held.add(line); // beyond: lost, as a slow reader's lines are
                    return;
                }
            }
            sender.send(Protocol.encode(line));
        });
        try {
            // Read from memory: the rings hold the held lines too, so they can be recognized below.
            List<LogLine> recent = new ArrayList<>();
            for (String u : knownUnits) recent.addAll(logs.tail(u, backlog + MAX_HELD));
            java.util.Map<LogLine, Integer> inRings = new java.util.HashMap<>();
            for (LogLine l : recent) inRings.merge(l, 1, Integer::sum);
            recent.sort(Comparator.comparing(LogLine::time));
            if (recent.size() > backlog) recent = recent.subList(recent.size() - backlog, recent.size());
            for (LogLine l : recent) sender.send(Protocol.encode(l));
            synchronized (gate) {
                for (LogLine l : held) {
                    Integer n = inRings.get(l);
                    if (n != null) { // already in a ring: sent with the backlog, or older than it
                        if (n == 1) inRings.remove(l);
                        else inRings.put(l, n - 1);
                        continue;
                    }
                    sender.send(Protocol.encode(l));
                }
                held.clear();
                live[0] = true;
            }
        } catch (RuntimeException e) {
            try {
                sub.close();
            } catch (Exception ignored) {
                // closing a subscription does not fail
            }
            throw e;
        }
        return sub;
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        ended();
        closed = true;
        closeSubscription();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ended();
        closed = true;
        closeSubscription();
    }

    /** Jetty may report both an error and the close: the open count goes down once. */
    private void ended() {
        if (opened && ended.compareAndSet(false, true)) counters.open.decrementAndGet();
    }

    private void closeSubscription() {
        AutoCloseable s = subscription;
        if (s == null) return;
        try {
            s.close();
        } catch (Exception e) {
            // ending a subscription does not fail in a way the client could act on
        }
    }
}
