package dev.jinit.supervise;

import dev.jinit.linux.Epoll;
import dev.jinit.linux.EventFd;
import dev.jinit.linux.Fd;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Waits for traffic on the listening sockets of every socket unit with one epoll set and one thread, however
 * many sockets there are; the thread only hands each readiness to the manager's loop. A socket is watched
 * one-shot (EPOLLONESHOT): after it fired it stays quiet until the manager re-arms it, so a socket whose
 * service is running, or whose connection is being accepted, wakes nobody. Made on the first socket unit's
 * start, so a jinit without socket units pays no thread.
 */
final class SocketWatch implements AutoCloseable {
    private static final int EPOLLONESHOT = 1 << 30;
    private static final long WAKE = 0;

    private final PrintStream err;
    private final Fd epoll = Epoll.create();
    private final EventFd wake = EventFd.create();
    private final Map<Long, Runnable> handlers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    SocketWatch(PrintStream err) {
        this.err = err;
        Epoll.add(epoll.get(), wake.fd(), Epoll.EPOLLIN, WAKE);
        this.thread = Thread.ofPlatform().name("jinit-sockets").daemon(true).start(this::run);
    }

    /** Watches {@code fd} for input (a connection, a datagram, data in a FIFO); {@code ready} runs once. */
    long watch(Fd fd, Runnable ready) {
        long id = ids.incrementAndGet();
        handlers.put(id, ready);
        Epoll.add(epoll.get(), fd.get(), Epoll.EPOLLIN | EPOLLONESHOT, id);
        return id;
    }

    /** Watches a socket that fired once more. */
    void rearm(Fd fd, long id) {
        if (handlers.containsKey(id)) Epoll.modify(epoll.get(), fd.get(), Epoll.EPOLLIN | EPOLLONESHOT, id);
    }

    /** Stops watching; call before the descriptor is closed. A readiness already taken is dropped. */
    void unwatch(Fd fd, long id) {
        handlers.remove(id);
        if (fd.isOpen()) Epoll.remove(epoll.get(), fd.get());
    }

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = Epoll.events(arena, 32);
            while (!stopped) {
                int n = Epoll.await(epoll.get(), events, -1);
                for (int i = 0; i < n; i++) {
                    long id = Epoll.eventData(events, i);
                    if (id == WAKE) {
                        wake.drain();
                        continue;
                    }
                    Runnable r = handlers.get(id);
                    if (r != null) r.run();
                }
            }
        } catch (Throwable t) {
            if (!stopped) err.println("jinit: socket watch failed (socket units no longer see traffic): " + t);
        }
    }

    @Override
    public void close() {
        stopped = true;
        wake.signal();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            epoll.close();
            wake.close();
        }
    }
}
