package dev.jinit.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: an address that presented {@link #MAX_FAILURES} wrong tokens within
 * {@link #WINDOW} is answered 429 until the window has passed (as OpenSSH's MaxStartups/PerSourcePenalties
 * and fail2ban do, per source address). The table is bounded: past {@link #MAX_ADDRESSES} the oldest
 * entry goes, so a flood of spoofed sources cannot grow jinit's memory.
 */
final class BadTokenLimiter {
    static final int MAX_FAILURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 4096;

    private record Failures(long windowStart, int failures) {}

    private final LongSupplier nanoClock;
    private final Map<String, Failures> byAddress = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    BadTokenLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    BadTokenLimiter() {
        this(System::nanoTime);
    }

    /** Whether this address is refused now; the seconds until it is not, or 0. */
    synchronized long retryAfterSeconds(String address) {
        Failures e = current(address);
        if (e == null || e.failures() < MAX_FAILURES) return 0;
        long left = WINDOW.toNanos() - (nanoClock.getAsLong() - e.windowStart());
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    /** Counts one wrong token from the address. */
    synchronized void failed(String address) {
        Failures e = current(address);
        byAddress.put(address, e == null ? new Failures(nanoClock.getAsLong(), 1) : new Failures(e.windowStart(), e.failures() + 1));
    }

    private Failures current(String address) {
        Failures e = byAddress.get(address);
        if (e != null && nanoClock.getAsLong() - e.windowStart() >= WINDOW.toNanos()) {
            byAddress.remove(address);
            return null;
        }
        return e;
    }
}
