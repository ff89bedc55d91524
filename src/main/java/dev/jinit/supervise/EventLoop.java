package dev.jinit.supervise;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The manager's one thread: runs posted events in order and timers when due, and is the real
 * {@link Clock} of the state machines. Other threads (reaper, notify receiver, control socket,
 * signal handlers) only {@link #post} to it, so the state it runs needs no locks.
 *
 * <p>An exception from one event or timer is reported and contained: the loop never dies of it.
 */
public final class EventLoop implements Clock, AutoCloseable {
    private final BlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    /** Input read before due timers fire (see {@link #runDueTimers}). */
    private final List<Runnable> drains = new CopyOnWriteArrayList<>();
    // Owned by the loop thread.
    private final PriorityQueue<Task> timers = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.at).thenComparingLong(t -> t.seq));
    private long sequence;
    private final Thread thread;
    private final PrintStream err;
    private volatile boolean stopped;
    /** Monotonic milliseconds: the JVM's nanoTime, or a test's fake clock. */
    private final LongSupplier time;

    private final class Task implements Timer {
        final long at;
        final long seq;
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

    public EventLoop(String name, PrintStream err) {
        this(name, err, () -> System.nanoTime() / 1_000_000);
    }

    /**
     * A loop whose timers follow {@code time} (monotonic milliseconds). A test passes a fake clock
     * that moves only when it says so, and posts any event (or calls {@link #wake}) after moving it
     * so that timers now due run.
     */
    public EventLoop(String name, PrintStream err, LongSupplier time) {
        this.err = err;
        this.time = time;
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    /** Makes the loop look at its timers again (after a fake clock moved). */
    public void wake() {
        post(() -> { });
    }

    public EventLoop start() {
        thread.start();
        return this;
    }

    @Override
    public long millis() {
        return time.getAsLong();
    }

    /** Only from the loop thread (the machines' timers are armed there). */
    @Override
    public Timer schedule(long atMillis, Runnable task) {
        if (Thread.currentThread() != thread) throw new IllegalStateException("timers are armed on the manager thread only");
        Task t = new Task(atMillis, task);
        timers.add(t);
        return t;
    }

    /** Queues an event; never blocks. Events posted after {@link #close} are dropped. */
    public void post(Runnable event) {
        if (!stopped) events.add(event);
    }

    /** Runs {@code work} on the loop and returns its result as a future (completed exceptionally on failure). */
    public <T> CompletableFuture<T> call(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (stopped) {
            f.completeExceptionally(new IllegalStateException("the manager has stopped"));
            return f;
        }
        events.add(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        while (!stopped) {
            try {
                long wait = runDueTimers();
                Runnable event = wait < 0 ? events.take() : events.poll(wait, TimeUnit.MILLISECONDS);
                if (event != null) event.run();
            } catch (InterruptedException e) {
                if (stopped) return;
            } catch (Throwable t) {
                // Containment: one unit's bad event must not take the supervisor down.
                err.println("jinit: error in manager event (contained): " + t);
                t.printStackTrace(err);
            }
        }
    }

    /**
     * Reads input that is waiting outside the loop (the notify socket) and posts it, so that it is
     * handled before any timer that is due fires. See {@link #runDueTimers}.
     */
    public void beforeTimers(Runnable drain) {
        drains.add(drain);
    }

    /**
     * Runs every due timer; returns milliseconds until the next one, or -1 when none is armed.
     *
     * <p>Fairness: a timer that is due may have been overtaken by what the units said in time. When
     * jinit itself was stalled (SIGSTOP, a long GC, an overloaded machine), a unit's WATCHDOG=1 pings
     * and READY=1 sit unread in the notify socket or in the event queue while the deadline passes;
     * firing first would blame the unit for jinit's stall. So before the first due timer of a round,
     * the loop drains its inputs and runs every event already queued, and only then looks at the
     * timers again (an event may have re-armed or cancelled them).
     */
    private long runDueTimers() {
        boolean drained = false;
        while (!timers.isEmpty()) {
            Task t = timers.peek();
            if (t.cancelled) {
                timers.poll();
                continue;
            }
            long now = millis();
            if (t.at > now) return Math.max(1, t.at - now);
            if (!drained) {
                drained = true;
                drainInputs();
                continue;
            }
            timers.poll();
            try {
                t.run.run();
            } catch (Throwable e) {
                err.println("jinit: error in manager timer (contained): " + e);
                e.printStackTrace(err);
            }
        }
        return -1;
    }

    private void drainInputs() {
        for (Runnable d : drains) {
            try {
                d.run();
            } catch (Throwable e) {
                err.println("jinit: error draining input before timers (contained): " + e);
            }
        }
        // Only what is queued now: events posted meanwhile wait for the next round, so timers cannot starve.
        for (int n = events.size(); n > 0; n--) {
            Runnable e = events.poll();
            if (e == null) break;
            try {
                e.run();
            } catch (Throwable x) {
                err.println("jinit: error in manager event (contained): " + x);
                x.printStackTrace(err);
            }
        }
    }

    /** Stops the loop after the event it is running; waits for the thread to end. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
