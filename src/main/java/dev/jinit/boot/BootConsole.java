package dev.jinit.boot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The console as boot mode writes to it: every line starts with the time since boot, the way the
 * kernel's own lines do ({@code [    2.345678] }), so jinit's steps line up with the kernel's and a
 * slow step shows. Everything jinit prints in boot mode (its steps, the manager's lines, the units'
 * output) goes through one of these, so lines from different threads never interleave mid-line.
 *
 * <p>The clock is CLOCK_MONOTONIC (System.nanoTime on Linux), which starts at boot, as the kernel's
 * timestamps do; it needs no /proc, so it works before proc is mounted.
 */
public final class BootConsole {
    private final OutputStream sink;
    private final LongSupplier nanos;
    private boolean debug;

    /** @param nanos time since boot in nanoseconds (System::nanoTime; tests pass their own) */
    public BootConsole(OutputStream sink, LongSupplier nanos) {
        this.sink = sink;
        this.nanos = nanos;
    }

    /** A stream whose every line (when it ends) goes out with the timestamp in front. */
    public PrintStream stream() {
        return new PrintStream(new LineStamper(), true, StandardCharsets.UTF_8);
    }

    public void setDebug(boolean on) {
        debug = on;
    }

    public boolean debug() {
        return debug;
    }

    /** One line from jinit ("jinit: mounted proc on /proc"). */
    public void line(String text) {
        write(("jinit: " + text).getBytes(StandardCharsets.UTF_8));
    }

    /** A line only shown with jinit.debug. */
    public void debugLine(String text) {
        if (debug) line("debug: " + text);
    }

    /** {@code [    2.345678] } */
    String stamp() {
        long n = nanos.getAsLong();
        return String.format(Locale.ROOT, "[%5d.%06d] ", n / 1_000_000_000L, (n / 1000) % 1_000_000);
    }

    private synchronized void write(byte[] line) {
        try {
            sink.write(stamp().getBytes(StandardCharsets.US_ASCII));
            sink.write(line);
            sink.write('\n');
            sink.flush();
        } catch (IOException e) {
            // The console is gone (hung up serial line): there is nobody left to tell.
        }
    }

    /** Collects bytes until a newline, then writes the stamped line. */
    private final class LineStamper extends OutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') flushLine();
            else pending.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        private void flushLine() {
            byte[] line = pending.toByteArray();
            pending.reset();
            BootConsole.this.write(line);
        }
    }
}
