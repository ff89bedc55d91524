package dev.jinit.supervise;

/**
 * Monotonic time and timers for the supervisor. Every timer runs its task on the thread that owns
 * the supervisor's state (the manager thread, or the test itself with a fake clock), so a task
 * never races the state it touches and {@link Timer#cancel()} takes effect at once.
 */
public interface Clock {
    /** Monotonic milliseconds; only differences are meaningful. */
    long millis();

    /** Runs {@code task} on the owning thread once {@link #millis()} reaches {@code atMillis}. */
    Timer schedule(long atMillis, Runnable task);

    /** A scheduled task; cancelling one that already ran or was cancelled does nothing. */
    interface Timer {
        void cancel();
    }
}
