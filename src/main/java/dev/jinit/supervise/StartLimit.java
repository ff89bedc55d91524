package dev.jinit.supervise;

/**
 * StartLimitIntervalSec/StartLimitBurst, as systemd's ratelimit: the first start opens a window
 * of {@code interval}; within it {@code burst} starts pass and the next one is refused. A start
 * after the window opens a new one. A zero interval or burst disables the limit.
 * Owned by one service machine, on the manager thread.
 */
final class StartLimit {
    private final long intervalMillis;
    private final int burst;
    private long windowStart;
    private int count;
    private boolean open;

    StartLimit(long intervalMillis, int burst) {
        this.intervalMillis = intervalMillis;
        this.burst = burst;
    }

    /** Records a start at {@code now}; false when it exceeds the burst. */
    boolean tryStart(long now) {
        if (intervalMillis <= 0 || burst <= 0) return true;
        if (!open || now - windowStart > intervalMillis) {
            open = true;
            windowStart = now;
            count = 0;
        }
        if (count < burst) {
            count++;
            return true;
        }
        count++;
        return false;
    }

    void reset() {
        open = false;
        count = 0;
    }
}
