package dev.jinit.log;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The newest lines of one unit, bounded both by count and by an estimate of their heap size, so a
 * unit with huge lines cannot hold more memory than one with short ones. The pump adds; any thread
 * reads. The newest line is always kept, even when it alone exceeds the byte bound.
 *
 * <p><b>Storage.</b> The lines are not kept as objects but copied into one circular {@code char[]}
 * per unit (a small header and the text's chars per line), and made into {@link LogLine}s again only
 * when read. A ring of objects is what the collector promotes: every young collection (a 2 MiB young
 * generation: one every ~50 ms under a flood) found the ring's current lines alive and copied them
 * toward the old generation, where they died a moment later. One array is promoted once and then
 * written in place; under issue 12's soak this cut what reached the old generation from ~1.0 to
 * ~0.65 MB/s (two runs at different load; the rest was not traced), see BENCHMARKS.md. The
 * array grows by doubling as the unit logs
 * more and shrinks again when a quarter of it holds everything, so a quiet unit costs a few hundred
 * bytes. What it holds is at most the byte bound's estimate: 18 + 2 bytes per char per line, against
 * an estimate of {@value #LINE_OVERHEAD} + 2 per char.
 */
final class Ring {
    /** Per-line overhead estimate: the LogLine, its String and array headers, the deque slot. */
    static final int LINE_OVERHEAD = 96;

    /** Chars before each line's text: its length (2), epoch second (4), nanosecond (2), flags (1). */
    static final int HEADER = 9;
    /** Smallest array (chars): a handful of short lines. */
    static final int MIN_CAPACITY = 128;
    private static final Stream[] STREAMS = Stream.values();
    private static final int CUT = 0x100;

    private final String unit;
    private final int maxLines;
    private final long maxBytes;
    private char[] buf = new char[0];
    /** Index of the oldest line's header; chars in use from there (wrapping); lines held. */
    private int head, used, count;
    /** Sum of {@link #cost} of the lines held. */
    private long bytes;

    /** A ring for the lines of {@code unit}: every line added must name it. */
    Ring(String unit, int maxLines, long maxBytes) {
        this.unit = Objects.requireNonNull(unit, "unit");
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /** Heap estimate of one line: two bytes per char, as if nothing were Latin-1. */
    static long cost(LogLine line) {
        return cost(line.text().length());
    }

    private static long cost(int chars) {
        return LINE_OVERHEAD + 2L * chars;
    }

    synchronized void add(LogLine line) {
        append(line);
    }

    /** Adds lines in order under one lock acquisition (the pump adds a read's worth at a time). */
    synchronized void addAll(List<LogLine> batch) {
        for (LogLine line : batch) append(line);
    }

    private void append(LogLine line) {
        if (!line.unit().equals(unit))
            throw new IllegalArgumentException("line of " + line.unit() + " in the ring of " + unit);
        String text = line.text();
        int len = text.length();
        long c = cost(len);
        // Drop the oldest while the new line would break a bound (the new one is always kept).
        while (count > 0 && (count + 1 > maxLines || bytes + c > maxBytes)) removeFirst();
        int need = used + HEADER + len;
        if (need > buf.length || (buf.length > MIN_CAPACITY && need <= buf.length / 4)) resize(need);
        int at = (head + used) % buf.length;
        at = putInt(at, len);
        Instant t = line.time();
        long second = t.getEpochSecond();
        at = putInt(at, (int) (second >>> 32));
        at = putInt(at, (int) second);
        at = putInt(at, t.getNano());
        buf[at] = (char) (line.stream().ordinal() | (line.cut() ? CUT : 0));
        at = next(at);
        int first = Math.min(len, buf.length - at);
        text.getChars(0, first, buf, at);
        text.getChars(first, len, buf, 0);
        used = need;
        count++;
        bytes += c;
    }

    private void removeFirst() {
        int len = getInt(head);
        head = (head + HEADER + len) % buf.length;
        used -= HEADER + len;
        count--;
        bytes -= cost(len);
        if (count == 0) head = used = 0;
    }

    /** A new array of twice the chars needed (at least {@link #MIN_CAPACITY}), the lines from index 0. */
    private void resize(int need) {
        int cap = MIN_CAPACITY;
        while (cap < need * 2L && cap < Integer.MAX_VALUE / 2) cap *= 2;
        if (cap < need) throw new IllegalStateException("log ring of " + unit + " cannot hold " + need + " chars");
        char[] fresh = new char[cap];
        copyOut(head, used, fresh, 0);
        buf = fresh;
        head = 0;
    }

    /** Copies {@code n} chars from index {@code from} of the ring (wrapping) into {@code dst}. */
    private void copyOut(int from, int n, char[] dst, int at) {
        if (n == 0) return;
        int first = Math.min(n, buf.length - from);
        System.arraycopy(buf, from, dst, at, first);
        System.arraycopy(buf, 0, dst, at + first, n - first);
    }

    private int next(int i) {
        return i + 1 == buf.length ? 0 : i + 1;
    }

    private int putInt(int at, int v) {
        buf[at] = (char) (v >>> 16);
        at = next(at);
        buf[at] = (char) v;
        return next(at);
    }

    private int getInt(int at) {
        int hi = buf[at];
        return hi << 16 | buf[next(at)];
    }

    /** The line whose header is at {@code at}. */
    private LogLine lineAt(int at) {
        int len = getInt(at);
        long second = (long) getInt((at + 2) % buf.length) << 32 | getInt((at + 4) % buf.length) & 0xFFFF_FFFFL;
        int nano = getInt((at + 6) % buf.length);
        int flags = buf[(at + 8) % buf.length];
        int text = (at + HEADER) % buf.length;
        String s;
        if (text + len <= buf.length) {
            s = new String(buf, text, len);
        } else {
            char[] joined = new char[len];
            copyOut(text, len, joined, 0);
            s = new String(joined);
        }
        return new LogLine(Instant.ofEpochSecond(second, nano), unit, STREAMS[flags & 0xFF], s, (flags & CUT) != 0);
    }

    /** The last {@code n} lines, oldest first. */
    synchronized List<LogLine> tail(int n) {
        if (n < 0) throw new IllegalArgumentException("negative line count: " + n);
        int take = Math.min(n, count);
        List<LogLine> out = new ArrayList<>(take);
        int at = head;
        for (int i = 0; i < count; i++) {
            int len = getInt(at);
            if (i >= count - take) out.add(lineAt(at));
            at = (at + HEADER + len) % buf.length;
        }
        return out;
    }

    synchronized int size() {
        return count;
    }

    synchronized long bytes() {
        return bytes;
    }

    /** Chars of the array behind the ring (what it costs: twice this in bytes). */
    synchronized int capacity() {
        return buf.length;
    }
}
