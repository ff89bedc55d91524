package dev.jinit.supervise;

import dev.jinit.linux.Epoll;
import dev.jinit.linux.Fd;
import dev.jinit.linux.FdReserve;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells when a stopping unit's processes may all be gone, from the kernel's own events instead of a
 * scan of /proc every 100 ms: a cgroup's {@code cgroup.events} file (kernfs wakes its pollers with
 * EPOLLPRI when "populated" changes, the same change systemd follows through inotify), or the
 * pidfds of a process-group unit's processes (readable once the process has exited).
 *
 * <p>One platform thread, started on first use, waits on one epoll set for every registration
 * (epoll_ctl from the manager thread is safe while it waits). A registration fires once, when any
 * of its descriptors is ready: its callback runs on the watcher thread (it posts to the manager)
 * and its descriptors are closed.
 */
final class ScopeWatcher {
    private final PrintStream err;
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Fd epoll;
    /**
     * Descriptors held back for reading the scopes when jinit is at its descriptor limit: stopping a
     * unit lists its cgroup (a directory walk, cgroup.procs) or /proc, and kills through cgroup.kill,
     * each needing a descriptor for a moment. Without them a jinit out of descriptors could not stop
     * its units, nor exit.
     */
    private final FdReserve reserve = new FdReserve(4);

    ScopeWatcher(PrintStream err) {
        this.err = err;
    }

    /** Runs a read or write of the scopes, with the reserve of descriptors when jinit is out of them. */
    <T> T withReserve(java.util.function.Supplier<T> work) {
        return reserve.retryOutOfDescriptors(work);
    }

    void withReserve(Runnable work) {
        reserve.retryOutOfDescriptors(() -> {
            work.run();
            return null;
        });
    }

    /** One registration; closing it before it fired forgets it and closes its descriptors. */
    final class Registration implements AutoCloseable {
        private final long id;
        private final List<Fd> fds;
        private final Runnable onReady;
        private final AtomicBoolean done = new AtomicBoolean();

        private Registration(long id, List<Fd> fds, Runnable onReady) {
            this.id = id;
            this.fds = fds;
            this.onReady = onReady;
        }

        /** Ends the registration; true when this call ended it (it had not fired or been closed). */
        private boolean end() {
            if (!done.compareAndSet(false, true)) return false;
            registrations.remove(id);
            Fd ep = epoll;
            for (Fd fd : fds) {
                try {
                    if (ep != null && fd.isOpen()) Epoll.remove(ep.get(), fd.get());
                } catch (RuntimeException ignored) {
                    // closing it below removes it from the set anyway
                }
                fd.close();
            }
            return true;
        }

        @Override
        public void close() {
            end();
        }
    }

    /**
     * Calls {@code onReady} once, when any of {@code fds} reports one of {@code events}; takes
     * ownership of {@code fds}. With no descriptor at all it fires at once, on the calling thread.
     */
    Registration watch(List<Fd> fds, int events, Runnable onReady) {
        Registration r = new Registration(ids.incrementAndGet(), List.copyOf(fds), onReady);
        if (fds.isEmpty()) {
            r.end();
            onReady.run();
            return r;
        }
        Fd ep = epoll();
        registrations.put(r.id, r);
        try {
            for (Fd fd : r.fds) Epoll.add(ep.get(), fd.get(), events, r.id);
        } catch (RuntimeException e) {
            r.end();
            throw e;
        }
        return r;
    }

    private Fd epoll() {
        Fd ep = epoll;
        if (ep != null) return ep;
        synchronized (this) {
            if (epoll == null) {
                epoll = Epoll.create();
                Thread.ofPlatform().name("jinit-scope-watch").daemon(true).start(this::loop);
            }
            return epoll;
        }
    }

    /**
     * Runs, on the calling thread, the registrations whose descriptors are ready now, without
     * waiting: the manager calls it before it fires a timer (see {@link EventLoop#beforeTimers}), so
     * a unit that emptied its cgroup while jinit was stalled is seen stopped before its stop timeout
     * is judged, whether or not the watcher thread has run since. Each registration still fires once.
     */
    void drain() {
        Fd ep = epoll;
        if (ep == null || registrations.isEmpty()) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = Epoll.events(arena, 64);
            for (int round = 0; round < 16; round++) {
                int n = Epoll.await(ep.get(), events, 0);
                for (int i = 0; i < n; i++) {
                    Registration r = registrations.get(Epoll.eventData(events, i));
                    if (r != null && r.end()) run(r.onReady);
                }
                if (n < 64) return;
            }
        }
    }

    /** The watcher thread: it must outlive any failure, or stopping units would wait for their timeouts. */
    private void loop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = Epoll.events(arena, 64);
            while (true) {
                try {
                    int n = Epoll.await(epoll.get(), events, -1);
                    for (int i = 0; i < n; i++) {
                        Registration r = registrations.get(Epoll.eventData(events, i));
                        if (r != null && r.end()) run(r.onReady);
                    }
                } catch (RuntimeException | Error e) {
                    err.println("jinit: scope watcher: " + e);
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000); // a failure that repeats must not spin
                }
            }
        }
    }

    private void run(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            err.println("jinit: scope watcher callback failed: " + e);
        }
    }
}
