package dev.jinit.control;

import dev.jinit.linux.Errno;
import dev.jinit.log.LogLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One connection to a running jinit: send a request, read the response, and for {@code logs -f}
 * read log lines until jinit closes. Uses Java's own Unix socket channel, so a client command
 * starts without the native linker.
 */
public final class ControlClient implements AutoCloseable {
    private final Path socket;
    private SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private ControlClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        in.flip();
    }

    /** How long a connect is retried while the server's listen queue is full. */
    static final long BUSY_RETRY_NANOS = 10_000_000_000L;
    private static final long BUSY_RETRY_MILLIS = 5;

    /** Connects to the jinit whose state directory is {@code stateDir}. */
    public static ControlClient connect(Path stateDir) {
        return new ControlClient(StateDir.controlSocket(stateDir), open(stateDir, StateDir.controlSocket(stateDir)));
    }

    private static SocketChannel open(Path stateDir, Path socket) {
        long deadline = System.nanoTime() + BUSY_RETRY_NANOS;
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
                // On a virtual thread the JDK connects without blocking, and a full listen queue
                // then fails with EAGAIN instead of waiting: jinit is there, just busy. Retry.
                boolean busy = Errno.describe(Errno.EAGAIN).equals(e.getMessage());
                if (busy && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(BUSY_RETRY_MILLIS * 1_000_000L);
                    continue;
                }
                throw new ControlException((busy ? "jinit at " + stateDir + " is not accepting connections"
                        : "no jinit running at " + stateDir) + ": connect " + socket + ": " + errnoText(e.getMessage()), e);
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // the connect error is the one to report
        }
    }

    /**
     * The JDK reports socket errors with strerror's text only; the matching errno name makes the
     * message say exactly what failed ({@code ENOENT}, {@code ECONNREFUSED}, {@code EACCES}).
     */
    static String errnoText(String message) {
        if (message == null) return "unknown error";
        for (int e = 1; e < 134; e++) {
            String d = Errno.describe(e);
            if (message.equals(d)) return Errno.name(e) + " (" + d + ")";
        }
        return message;
    }

    /**
     * Sends the request and returns the response line. When jinit is full and turned this connection
     * away before reading the request ({@link ControlServer#BUSY}), nothing was done: the request is
     * sent again on a new connection, with a growing pause, for up to {@link #BUSY_RETRY_NANOS}.
     */
    public Response call(Request request) {
        long deadline = System.nanoTime() + BUSY_RETRY_NANOS;
        long pauseMillis = 10;
        while (true) {
            Response r = callOnce(request);
            if (r.error() == null || !r.error().startsWith(ControlServer.BUSY) || System.nanoTime() - deadline > 0) return r;
            LockSupport.parkNanos(pauseMillis * 1_000_000L);
            pauseMillis = Math.min(pauseMillis * 2, 500);
            try {
                channel.close();
            } catch (IOException ignored) {
                // the server closed it already
            }
            in.clear().flip();
            pending.reset();
            channel = open(socket.getParent(), socket);
        }
    }

    private Response callOnce(Request request) {
        try {
            ByteBuffer out = ByteBuffer.wrap((Protocol.encode(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) channel.write(out);
            String line = readLine();
            if (line == null) throw new ControlException("jinit at " + socket + " closed the connection without an answer");
            return Protocol.decodeResponse(line);
        } catch (IOException e) {
            throw new ControlException("talking to jinit at " + socket + ": " + errnoText(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new ControlException("jinit at " + socket + " sent a bad answer: " + e.getMessage(), e);
        }
    }

    /** After a follow request: hands each log line to {@code sink} until jinit closes the stream. */
    public void stream(Consumer<LogLine> sink) {
        try {
            String line;
            while ((line = readLine()) != null) sink.accept(Protocol.decodeLogLine(line));
        } catch (IOException e) {
            throw new ControlException("reading logs from jinit at " + socket + ": " + errnoText(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw new ControlException("jinit at " + socket + " sent a bad log line: " + e.getMessage(), e);
        }
    }

    /** One line without its newline; null at end of stream. Lines may be of any length. */
    private String readLine() throws IOException {
        while (true) {
            // A line that is whole in the buffer (the usual case in logs -f) becomes a String straight
            // from it; only a line split across reads is assembled in {@code pending}.
            int start = in.position(), end = in.limit();
            for (int i = start; i < end; i++) {
                if (in.get(i) != '\n') continue;
                in.position(i + 1);
                if (pending.size() == 0) return new String(in.array(), start, i - start, StandardCharsets.UTF_8);
                pending.write(in.array(), start, i - start);
                String s = pending.toString(StandardCharsets.UTF_8);
                pending.reset();
                return s;
            }
            pending.write(in.array(), start, end - start);
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                if (pending.size() == 0) return null;
                String s = pending.toString(StandardCharsets.UTF_8);
                pending.reset();
                return s;
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that fails to close
        }
    }
}
