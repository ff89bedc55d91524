package dev.jinit.net;

import dev.jinit.linux.Epoll;
import dev.jinit.linux.EventFd;
import dev.jinit.linux.Fd;
import dev.jinit.supervise.Clock;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The network's one thread: an epoll loop over every network socket (link events, each DHCP
 * client's sockets) with timers and posted tasks, so the network costs one thread however many links
 * there are. Everything network state is touched on this thread only; other threads {@link #post}.
 * An exception in a handler is reported and contained, as in the manager's loop.
 */
public final class NetLoop implements Clock, AutoCloseable {
    private static final long WAKE = 0;

    private final Fd epoll = Epoll.create();
    private final EventFd wake = EventFd.create();
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    // Owned by the loop thread.
    private final Map<Long, Runnable> handlers = new HashMap<>();
    private final PriorityQueue<Task> timers = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.at).thenComparingLong(t -> t.seq));
    private long nextId = 1, sequence;
    private final Thread thread;
    private final PrintStream err;
    private volatile boolean stopped;

    /** A registered descriptor; {@link #close()} stops watching it (the descriptor itself stays open). */
    public final class Registration implements AutoCloseable {
        private final Fd fd;
        private final long id;

        private Registration(Fd fd, long id) {
            this.fd = fd;
            this.id = id;
        }

        @Override
        public void close() {
            requireLoop();
            if (handlers.remove(id) != null && fd.isOpen()) Epoll.remove(epoll.get(), fd.get());
        }
    }

    private final class Task implements Timer {
        final long at, seq;
        final Runnable run;
        boolean cancelled;

        Task(long at, Runnable run) {
            this.at = at;
            this.seq = sequence++;
            this.run = run;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    /**
     * @param setup runs first on the new thread: where a caller moves the thread into another network
     *              namespace (tests do), so every socket the loop opens belongs to that namespace
     */
    public NetLoop(String name, PrintStream err, Runnable setup) {
        this.err = err;
        Epoll.add(epoll.get(), wake.fd(), Epoll.EPOLLIN, WAKE);
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
            setup.run();
            run();
        });
    }

    public NetLoop start() {
        thread.start();
        return this;
    }

    @Override
    public long millis() {
        return System.nanoTime() / 1_000_000;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Queues a task for the loop thread; never blocks. Dropped after {@link #close}. */
    public void post(Runnable task) {
        if (stopped) return;
        posted.add(task);
        wake.signal();
    }

    /** Loop thread only. */
    @Override
    public Timer schedule(long atMillis, Runnable task) {
        requireLoop();
        Task t = new Task(atMillis, task);
        timers.add(t);
        return t;
    }

    /** Loop thread only: calls {@code onReadable} on the loop each time {@code fd} has input (level-triggered). */
    public Registration watch(Fd fd, Runnable onReadable) {
        requireLoop();
        long id = nextId++;
        handlers.put(id, onReadable);
        Epoll.add(epoll.get(), fd.get(), Epoll.EPOLLIN, id);
        return new Registration(fd, id);
    }

    private void requireLoop() {
        if (!inLoop()) throw new IllegalStateException("network state is touched on the network thread only");
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = Epoll.events(arena, 16);
            while (!stopped) {
                try {
                    long wait = runDueTimers();
                    int n = Epoll.await(epoll.get(), events, (int) Math.min(wait, Integer.MAX_VALUE));
                    for (int i = 0; i < n; i++) {
                        long id = Epoll.eventData(events, i);
                        if (id == WAKE) {
                            wake.drain();
                            continue;
                        }
                        Runnable h = handlers.get(id);
                        if (h != null) contained(h, "socket handler");
                    }
                    for (Runnable r; (r = posted.poll()) != null; ) contained(r, "task");
                } catch (Throwable t) {
                    err.println("jinit: network loop error (contained): " + t);
                }
            }
        } finally {
            epoll.close();
            wake.close();
        }
    }

    private void contained(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable t) {
            err.println("jinit: network " + what + " failed (contained): " + t);
            t.printStackTrace(err);
        }
    }

    /** Runs due timers; returns milliseconds to the next (-1: none, wait for input). */
    private long runDueTimers() {
        while (!timers.isEmpty()) {
            Task t = timers.peek();
            if (t.cancelled) {
                timers.poll();
                continue;
            }
            long now = millis();
            if (t.at > now) return Math.max(1, t.at - now);
            timers.poll();
            contained(t.run, "timer");
        }
        return -1;
    }

    /** Stops the loop after its current handler and waits for the thread. */
    @Override
    public void close() {
        stopped = true;
        wake.signal();
        if (!inLoop()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
