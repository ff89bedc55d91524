package dev.jinit.log;

import java.util.Arrays;

/**
 * Splits one stream's bytes into lines, whatever the read boundaries. A line longer than the maximum
 * is emitted in pieces marked as cut, each at most {@code maxLine} bytes and not splitting a UTF-8
 * sequence when one straddles the limit; what is left without a newline at the end of the stream is
 * emitted by {@link #finish}. Only the bytes of an unfinished line are kept between reads, so memory
 * per stream is bounded by {@code maxLine} (the buffer grows on demand, so quiet streams stay small).
 * Owned by one thread.
 */
final class LineSplitter {
    /** Receives lines; the array is only valid during the call. */
    interface Sink {
        void line(byte[] buf, int off, int len, boolean cut);
    }

    private final int maxLine;
    private byte[] pending = new byte[128];
    private int pendingLength;

    LineSplitter(int maxLine) {
        if (maxLine < 4) throw new IllegalArgumentException("maximum line length below 4: " + maxLine);
        this.maxLine = maxLine;
    }

    /** Bytes of an unfinished line held back. */
    int pending() {
        return pendingLength;
    }

    void feed(byte[] data, int off, int len, Sink sink) {
        int end = off + len;
        int start = off;
        while (start < end) {
            int nl = indexOf(data, start, end);
            int stop = nl < 0 ? end : nl;
            if (pendingLength == 0) {
                // Fast path: whole lines straight from the read buffer, no copy.
                while (stop - start > maxLine) {
                    int cut = LogFormat.utf8CutPoint(data, start, maxLine);
                    sink.line(data, start, cut, true);
                    start += cut;
                }
                if (nl >= 0) {
                    sink.line(data, start, stop - start, false);
                } else {
                    append(data, start, stop - start);
                }
            } else {
                appendCutting(data, start, stop - start, sink);
                if (nl >= 0) {
                    sink.line(pending, 0, pendingLength, false);
                    pendingLength = 0;
                }
            }
            start = nl < 0 ? end : nl + 1;
        }
    }

    /** End of stream: emits the unfinished line, if any. */
    void finish(Sink sink) {
        if (pendingLength > 0) sink.line(pending, 0, pendingLength, false);
        pendingLength = 0;
        pending = new byte[128];
    }

    /** Appends to the pending line, emitting cut pieces whenever it reaches the maximum. */
    private void appendCutting(byte[] data, int off, int len, Sink sink) {
        while (len > 0) {
            // A full buffer is cut only once more bytes of the line arrive: a line of exactly maxLine
            // bytes followed by its newline is a whole line, whichever read the newline comes in.
            if (pendingLength == maxLine) emitCut(sink);
            int take = Math.min(len, maxLine - pendingLength);
            append(data, off, take);
            off += take;
            len -= take;
        }
    }

    /** Emits the pending bytes as a cut piece, keeping back the start of an unfinished UTF-8 sequence. */
    private void emitCut(Sink sink) {
        int cut = LogFormat.utf8CutPoint(pending, 0, pendingLength);
        sink.line(pending, 0, cut, true);
        System.arraycopy(pending, cut, pending, 0, pendingLength - cut);
        pendingLength -= cut;
    }

    private void append(byte[] data, int off, int len) {
        if (pendingLength + len > pending.length)
            pending = Arrays.copyOf(pending, Math.min(maxLine, Math.max(pendingLength + len, pending.length * 2)));
        System.arraycopy(data, off, pending, pendingLength, len);
        pendingLength += len;
    }

    private static int indexOf(byte[] data, int from, int to) {
        for (int i = from; i < to; i++) if (data[i] == '\n') return i;
        return -1;
    }
}
