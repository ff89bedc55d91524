package dev.jinit.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A qemu guest's serial console driven from a test: every byte qemu prints is kept (and copied to a
 * transcript file for the CI log), lines can be awaited with a deadline, and text typed into the
 * console shell. Waits end on a condition or a deadline, never after a fixed sleep.
 */
final class SerialConsole implements AutoCloseable {
    private final Process qemu;
    private final OutputStream keyboard;
    private final StringBuilder text = new StringBuilder();
    private final Path transcript;
    private final Thread reader;

    SerialConsole(Vm vm, Path transcript) throws IOException {
        this.transcript = transcript;
        this.qemu = vm.start(ProcessBuilder.Redirect.PIPE, ProcessBuilder.Redirect.PIPE);
        this.keyboard = qemu.getOutputStream();
        InputStream screen = qemu.getInputStream();
        reader = Thread.ofPlatform().daemon().name("serial-console").start(() -> {
            byte[] buf = new byte[8192];
            try (OutputStream copy = Files.newOutputStream(transcript)) {
                for (int n; (n = screen.read(buf)) > 0; ) {
                    copy.write(buf, 0, n);
                    copy.flush();
                    synchronized (text) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        text.notifyAll();
                    }
                }
            } catch (IOException e) {
                // qemu closed the console: the waits below see it as the end of the text
            }
            synchronized (text) {
                text.notifyAll();
            }
        });
    }

    /** The first line from {@code from} on that matches {@code regex} (find, not full match), and where it ends. */
    record Match(String line, int end) {}

    /** Waits for a line matching {@code regex} that starts at or after {@code from}; fails with the transcript. */
    Match await(String regex, int from, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (text) {
            while (true) {
                int start = from;
                while (true) {
                    int nl = text.indexOf("\n", start);
                    if (nl < 0) break;
                    String line = text.substring(start, nl);
                    if (p.matcher(line).find()) return new Match(line.strip(), nl + 1);
                    start = nl + 1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!qemu.isAlive() && !reader.isAlive()))
                    throw new AssertionError("console never showed /" + regex + "/ within " + timeout.toSeconds()
                            + " s" + (qemu.isAlive() ? "" : " (qemu exited " + qemu.exitValue() + ")") + "; transcript "
                            + transcript + ", last lines:\n" + tail(40));
                text.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    Match await(String regex, Duration timeout) throws InterruptedException {
        return await(regex, 0, timeout);
    }

    /** Everything printed so far. */
    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    int length() {
        synchronized (text) {
            return text.length();
        }
    }

    /** Types a line into the console (the shell on ttyS0 reads it). */
    void type(String line) throws IOException {
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** qemu's exit status once the guest is gone, failing with the transcript if it is not gone by then. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!qemu.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
            throw new AssertionError("qemu still running " + timeout.toSeconds() + " s after the request; last lines:\n"
                    + tail(40));
        reader.join(10_000);
        return qemu.exitValue();
    }

    String tail(int lines) {
        List<String> all = new ArrayList<>(text().lines().toList());
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() {
        if (qemu.isAlive()) {
            qemu.destroyForcibly();
            try {
                qemu.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
