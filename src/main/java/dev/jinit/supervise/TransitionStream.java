package dev.jinit.supervise;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stream of unit state changes that clients (control socket, HTTP, WebSocket) subscribe to
 * instead of polling snapshots. The manager thread publishes; it never waits for a subscriber: each
 * subscriber has its own bounded queue drained by its own virtual thread, and a subscriber that falls
 * more than its capacity behind loses the newest changes and is told how many with
 * {@link Listener#gap} before the next change it gets (then it should re-read a snapshot).
 */
public final class TransitionStream {
    /** Changes kept for a subscriber that has not taken them yet. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** What a subscriber is given, on its own thread, in order; a lambda takes the changes only. */
    @FunctionalInterface
    public interface Listener {
        void transition(UnitTransition t);

        /** {@code missed} changes were dropped here because this subscriber was too slow. */
        default void gap(long missed) {}
    }

    /** A subscription; closing it stops delivery (what is queued is dropped). */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private long sequence;

    /** Subscribes; {@code listener} runs on a virtual thread of this subscription, never the manager's. */
    public Subscription subscribe(Listener listener) {
        return subscribe(DEFAULT_CAPACITY, listener);
    }

    public Subscription subscribe(int capacity, Listener listener) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        Subscriber s = new Subscriber(capacity, listener);
        subscribers.add(s);
        s.thread = Thread.ofVirtual().name("jinit-transitions").start(s::deliver);
        return () -> {
            subscribers.remove(s);
            s.close();
        };
    }

    /** Numbers and hands out one change; called on the manager thread only. */
    UnitTransition publish(UnitTransition unnumbered) {
        UnitTransition t = new UnitTransition(++sequence, unnumbered.unit(), unnumbered.oldActive(),
                unnumbered.newActive(), unnumbered.oldSub(), unnumbered.newSub(), unnumbered.result(), unnumbered.at());
        for (Subscriber s : subscribers) s.offer(t);
        return t;
    }

    /** Subscribers currently attached (for tests and status). */
    int subscriberCount() {
        return subscribers.size();
    }

    private static final class Subscriber {
        final int capacity;
        final Listener listener;
        final ReentrantLock lock = new ReentrantLock();
        final Condition ready = lock.newCondition();
        final ArrayDeque<UnitTransition> queue = new ArrayDeque<>();
        long missed;
        boolean closed;
        Thread thread;

        Subscriber(int capacity, Listener listener) {
            this.capacity = capacity;
            this.listener = listener;
        }

        /** Never blocks for long: the lock is held only to touch the queue, never while delivering. */
        void offer(UnitTransition t) {
            lock.lock();
            try {
                if (closed) return;
                // Once one change is missed, later ones are too until the gap is told: so the gap
                // lands where it happened, never after changes newer than it.
                if (missed > 0 || queue.size() >= capacity) missed++;
                else queue.add(t);
                ready.signal();
            } finally {
                lock.unlock();
            }
        }

        void deliver() {
            while (true) {
                UnitTransition next;
                long gap;
                lock.lock();
                try {
                    while (!closed && queue.isEmpty() && missed == 0) ready.awaitUninterruptibly();
                    if (closed) return;
                    // A gap is told where it happened: after what was queued before it.
                    next = queue.poll();
                    gap = next == null ? missed : 0;
                    if (next == null) missed = 0;
                } finally {
                    lock.unlock();
                }
                try {
                    if (next != null) listener.transition(next);
                    else listener.gap(gap);
                } catch (RuntimeException e) {
                    // A broken subscriber ends its own subscription, nobody else's.
                    close();
                    return;
                }
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                queue.clear();
                ready.signal();
            } finally {
                lock.unlock();
            }
        }
    }
}
