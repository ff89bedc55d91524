package dev.jinit.api;

import java.util.concurrent.atomic.AtomicLong;

/** How many WebSockets are open and how many were cut off for stalling: shown in /metrics. */
final class SocketCounters {
    final AtomicLong open = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
}
