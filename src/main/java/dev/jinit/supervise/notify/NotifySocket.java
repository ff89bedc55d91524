package dev.jinit.supervise.notify;

import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.UnixSocket;
import dev.jinit.unit.NotifyAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * The {@code NOTIFY_SOCKET} every unit is given: one AF_UNIX datagram socket for all units, with
 * SO_PASSCRED so each datagram carries the sender's pid, uid and gid as the kernel knows them. The
 * supervisor maps the pid to a unit and applies {@link NotifyAccess}.
 *
 * <p>Two ways to use it. {@link #start} runs a receiver thread ("jinit-notify") that delivers each
 * parsed message to a consumer (the supervisor's event queue) and each dropped datagram to another;
 * or a caller with its own poll/epoll loop waits on {@link #fd()} and calls {@link #receive()}.
 * The receiver thread only parses and hands over: it touches no supervisor state.
 */
public final class NotifySocket implements AutoCloseable {
    /** A datagram that was not delivered, and why: reported by the supervisor, never fatal. */
    public record Dropped(int pid, int uid, String reason) {
        @Override
        public String toString() {
            return "notify: dropped datagram from pid " + pid + " (uid " + uid + "): " + reason;
        }
    }

    /** What one {@link #receive()} produced. */
    public sealed interface Received {
        record Message(NotifyMessage message) implements Received {}

        record Rejected(Dropped dropped) implements Received {}
    }

    private final String address;
    private final Fd fd;
    private final Object lifecycle = new Object();
    private Thread thread;
    private Fd[] wake;
    private boolean closed;

    private NotifySocket(String address, Fd fd) {
        this.address = address;
        this.fd = fd;
    }

    /**
     * Binds the socket. A filesystem path is made writable by everyone (0666, like systemd's
     * /run/systemd/notify) because services running as other users must be able to send; the
     * credentials check, not the file mode, decides what is accepted. A stale socket file left by
     * an earlier run is replaced; any other existing file is an error.
     */
    public static NotifySocket bind(String address) {
        boolean abstractName = address.startsWith("@");
        if (!abstractName) removeStaleSocket(Path.of(address));
        Fd fd = UnixSocket.socket(UnixSocket.SOCK_DGRAM);
        try {
            UnixSocket.setIntOption(fd, UnixSocket.SO_PASSCRED, 1, "SO_PASSCRED");
            UnixSocket.bind(fd, address);
            if (!abstractName)
                Files.setPosixFilePermissions(Path.of(address), PosixFilePermissions.fromString("rw-rw-rw-"));
            return new NotifySocket(address, fd);
        } catch (IOException e) {
            fd.close();
            throw new UncheckedIOException("chmod " + address + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static void removeStaleSocket(Path path) {
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!isSocket(path))
                    throw new IllegalArgumentException("notify socket " + path + ": exists and is not a socket");
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("notify socket " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        return Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer mode
                && (mode & 0170000) == 0140000;
    }

    /** The value for a unit's NOTIFY_SOCKET variable. */
    public String address() {
        return address;
    }

    /** The socket, for callers that poll it themselves. */
    public int fd() {
        return fd.get();
    }

    /**
     * Takes one queued datagram without blocking; null when none is queued. Passed descriptors are
     * closed, oversized and malformed datagrams come back as {@link Received.Rejected}.
     */
    public Received receive() {
        // One byte more than the limit so that a datagram of exactly MAX_BYTES is not seen as truncated.
        UnixSocket.Datagram d = UnixSocket.receive(fd, NotifyMessage.MAX_BYTES + 1);
        if (d == null) return null;
        if (d.sender() == null) return new Received.Rejected(new Dropped(0, -1, "no sender credentials"));
        int pid = d.sender().pid(), uid = d.sender().uid();
        if (d.length() > NotifyMessage.MAX_BYTES)
            return new Received.Rejected(new Dropped(pid, uid,
                    "too large (" + d.length() + " bytes, limit " + NotifyMessage.MAX_BYTES + ")"));
        try {
            return new Received.Message(NotifyMessage.parse(pid, uid, d.sender().gid(), d.data()));
        } catch (IllegalArgumentException e) {
            return new Received.Rejected(new Dropped(pid, uid, e.getMessage()));
        }
    }

    /**
     * Starts the receiver thread. Consumers run on that thread and must only hand the value over
     * (queue it); an exception they throw is reported to {@code dropped} and the thread goes on.
     */
    public void start(Consumer<NotifyMessage> messages, Consumer<Dropped> dropped) {
        synchronized (lifecycle) {
            if (closed) throw new IllegalStateException("notify socket " + address + " is closed");
            if (thread != null) throw new IllegalStateException("notify receiver already started");
            wake = Posix.pipe(Posix.O_CLOEXEC | Posix.O_NONBLOCK);
            int wakeFd = wake[0].get();
            thread = Thread.ofPlatform().name("jinit-notify").daemon(true).unstarted(() -> loop(wakeFd, messages, dropped));
            thread.start();
        }
    }

    private void loop(int wakeFd, Consumer<NotifyMessage> messages, Consumer<Dropped> dropped) {
        int[] fds = {fd.get(), wakeFd};
        while (true) {
            int ready;
            try {
                ready = UnixSocket.pollIn(fds, -1);
            } catch (LinuxException e) {
                dropped.accept(new Dropped(0, -1, "receiver stopped: " + e.getMessage()));
                return;
            }
            if (ready == 1) return; // close() wrote to the wake pipe
            Received r;
            // Drain everything queued: one wakeup may stand for many datagrams.
            while (true) {
                try {
                    r = receive();
                } catch (LinuxException e) {
                    // recvmsg fails only when the socket itself is broken: polling again would spin.
                    deliver(dropped, new Dropped(0, -1, "receiver stopped: " + e.getMessage()));
                    return;
                }
                if (r == null) break;
                switch (r) {
                    case Received.Message m -> {
                        try {
                            messages.accept(m.message());
                        } catch (RuntimeException | Error e) {
                            // Not even an Error (memory, stack) may end the receiver: readiness and
                            // watchdog pings of every unit depend on it.
                            deliver(dropped, new Dropped(m.message().pid(), m.message().uid(), "consumer failed: " + e));
                        }
                    }
                    case Received.Rejected x -> deliver(dropped, x.dropped());
                }
            }
        }
    }

    private static void deliver(Consumer<Dropped> dropped, Dropped d) {
        try {
            dropped.accept(d);
        } catch (RuntimeException | Error ignored) {
            // A failing reporter must not end the receiver: notifications still have to flow.
        }
    }

    /** Stops the receiver (waiting for it), closes the socket and removes its file. */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
            t = thread;
            if (wake != null) Posix.writeFully(wake[1].get(), new byte[] {1});
        }
        if (t != null) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (wake != null) {
            wake[0].close();
            wake[1].close();
        }
        fd.close();
        if (!address.startsWith("@")) {
            try {
                Files.deleteIfExists(Path.of(address));
            } catch (IOException ignored) {
                // The file is only a name; a leftover is replaced by the next bind.
            }
        }
    }
}
