package dev.jinit.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The newest lines of one unit, bounded both by count and by an estimate of their heap size, so a
 * unit with huge lines cannot hold more memory than one with short ones. The pump adds; any thread
 * reads. The newest line is always kept, even when it alone exceeds the byte bound.
 */
final class Ring {
    /** Per-line overhead estimate: the LogLine, its String and array headers, the deque slot. */
    static final int LINE_OVERHEAD = 96;

    private final int maxLines;
    private final long maxBytes;
    private final ArrayDeque<LogLine> lines = new ArrayDeque<>();
    private long bytes;

    Ring(int maxLines, long maxBytes) {
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /** Heap estimate of one line: two bytes per char, as if nothing were Latin-1. */
    static long cost(LogLine line) {
        return LINE_OVERHEAD + 2L * line.text().length();
    }

    synchronized void add(LogLine line) {
        append(line);
    }

    /** Adds lines in order under one lock acquisition (the pump adds a read's worth at a time). */
    synchronized void addAll(List<LogLine> batch) {
        for (LogLine line : batch) append(line);
    }

    private void append(LogLine line) {
        lines.addLast(line);
        bytes += cost(line);
        while (lines.size() > 1 && (lines.size() > maxLines || bytes > maxBytes))
            bytes -= cost(lines.removeFirst());
    }

    /** The last {@code n} lines, oldest first. */
    synchronized List<LogLine> tail(int n) {
        if (n < 0) throw new IllegalArgumentException("negative line count: " + n);
        int take = Math.min(n, lines.size());
        List<LogLine> out = new ArrayList<>(take);
        Iterator<LogLine> it = lines.descendingIterator();
        for (int i = 0; i < take; i++) out.add(it.next());
        Collections.reverse(out);
        return out;
    }

    synchronized int size() {
        return lines.size();
    }

    synchronized long bytes() {
        return bytes;
    }
}
