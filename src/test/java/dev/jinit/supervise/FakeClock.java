package dev.jinit.supervise;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** A clock that only moves when told to, running due timers in deadline order (ties in scheduling order). */
final class FakeClock implements Clock {
    private long now = 1_000_000;
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.at).thenComparingLong(t -> t.seq));

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
            tasks.remove(this);
        }
    }

    @Override
    public long millis() {
        return now;
    }

    @Override
    public Timer schedule(long atMillis, Runnable task) {
        Task t = new Task(atMillis, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code ms}, running every timer that falls due on the way. */
    void advance(long ms) {
        long target = now + ms;
        while (!tasks.isEmpty() && tasks.peek().at <= target) {
            Task t = tasks.poll();
            now = Math.max(now, t.at);
            if (!t.cancelled) t.run.run();
        }
        now = target;
    }

    /** Deadline of the next pending timer, or -1. */
    long nextDeadline() {
        return tasks.isEmpty() ? -1 : tasks.peek().at;
    }

    /** Runs the next pending timer (moving time to it); false when there is none. */
    boolean fireNext() {
        if (tasks.isEmpty()) return false;
        advance(Math.max(0, tasks.peek().at - now));
        return true;
    }

    List<Long> pending() {
        List<Long> out = new ArrayList<>();
        for (Task t : tasks) out.add(t.at);
        return out;
    }
}
