package dev.jinit.control;

import dev.jinit.linux.FdReserve;

import dev.jinit.linux.Errno;
import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The control socket, {@code <state>/control.sock}: one request line per connection, answered by
 * one response line (or, for {@code logs -f}, a response line and then log lines until the client
 * closes). Only the user jinit runs as may command it (root when jinit is root): the socket file
 * is 0600 and every connection's peer credentials (SO_PEERCRED) are checked before anything is
 * read, so a mode changed by somebody else still lets no other user in.
 *
 * <p>Threads: one platform thread accepts; each connection gets a virtual thread, and a second one
 * to write a followed log stream while the first waits for the client to hang up. All unit state
 * stays with the supervisor behind {@link ControlHandler}.
 */
public final class ControlServer implements AutoCloseable {
    /**
     * How the answer to a connection turned away for lack of room begins. The request was not read, so
     * the client may send it again (ControlClient does, for a few seconds).
     */
    public static final String BUSY = "too many connections";

    /** Lines queued for one slow {@code logs -f} client before new ones are dropped (and counted). */
    static final int FOLLOW_QUEUE = 10_000;

    /** Connections the kernel queues before accept: enough for a burst of clients (capped by somaxconn). */
    private static final int LISTEN_BACKLOG = 512;

    private static final long ACCEPT_RETRY_NANOS = 100_000_000L;

    /** What is read and discarded from a client after its answer, at most. */
    private static final long DRAIN_LIMIT = 1 << 20;

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlHandler handler;
    private final UserPrincipal allowed;
    private final Consumer<String> report;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    /** Connections that have not sent their request yet, oldest first: the first to go when the server is full. */
    private final java.util.Queue<Silent> silent = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** One per connection being served; {@link ClientLimits#maxConnections} in all. */
    private final Semaphore slots;

    private record Silent(SocketChannel ch, long since) {}

    /** How long a newcomer waits for a slot when every client is busy with real work, before it is refused. */
    private static final long REFUSE_AFTER_NANOS = 2_000_000_000L;
    private final ClientLimits limits;
    private final IdleCloser idle = new IdleCloser();
    /** Descriptors kept back for answering when jinit is out of them. */
    private final FdReserve reserve = new FdReserve(4);
    private final Thread acceptor;
    private volatile boolean closed;
    /** Refusals since the last report, and when that was: a flood is reported, not logged line by line. */
    private long refusedSinceReport, lastRefusalReport;

    private ControlServer(Path path, ServerSocketChannel server, ControlHandler handler, UserPrincipal allowed,
            Consumer<String> report, ClientLimits limits) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.allowed = allowed;
        this.report = report;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxConnections());
        this.acceptor = Thread.ofPlatform().name("jinit-control").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Creates the state directory if needed, binds {@code <stateDir>/control.sock} and starts
     * serving. Only the socket file's owner (this process's effective user) may command.
     *
     * @param report where connection-level problems are reported (jinit's own log)
     * @throws IllegalStateException when another jinit already answers on that socket
     */
    public static ControlServer start(Path stateDir, ControlHandler handler, Consumer<String> report) {
        return start(stateDir, handler, report, ClientLimits.DEFAULTS);
    }

    /** As {@link #start(Path, ControlHandler, Consumer)}, with other bounds on the clients. */
    public static ControlServer start(Path stateDir, ControlHandler handler, Consumer<String> report, ClientLimits limits) {
        return start(stateDir, handler, report, null, limits);
    }

    /** As {@link #start(Path, ControlHandler, Consumer)}, commanded by {@code allowed} (tests), or the owner when null. */
    static ControlServer start(Path stateDir, ControlHandler handler, Consumer<String> report, UserPrincipal allowed) {
        return start(stateDir, handler, report, allowed, ClientLimits.DEFAULTS);
    }

    static ControlServer start(Path stateDir, ControlHandler handler, Consumer<String> report, UserPrincipal allowed,
            ClientLimits limits) {
        Path path = StateDir.controlSocket(stateDir);
        ServerSocketChannel server = null;
        try {
            Files.createDirectories(stateDir);
            removeStale(path);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path), LISTEN_BACKLOG);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            // The file was just created by this process, so its owner is exactly our effective uid:
            // no name lookup that a user named like a number could confuse.
            UserPrincipal owner = allowed != null ? allowed : Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
            ControlServer s = new ControlServer(path, server, handler, owner, report, limits);
            s.acceptor.start();
            return s;
        } catch (IOException e) {
            closeQuietly(server);
            throw new UncheckedIOException("control socket " + path + ": " + e.getMessage(), e);
        }
    }

    /** A socket file with nobody listening is left over from a jinit that was killed: replace it. */
    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!(mode instanceof Integer m) || (m & 0170000) != 0140000)
            throw new IllegalStateException("control socket " + path + ": exists and is not a socket");
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IllegalStateException("control socket " + path + ": another jinit is running there");
        } catch (IOException refused) {
            Files.deleteIfExists(path);
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                // Out of descriptors: free the reserve and accept with it, so that status still answers.
                if (Errno.describe(Errno.EMFILE).equals(e.getMessage()) && reserve.release()) {
                    report.accept("control: out of file descriptors (EMFILE); serving with the reserve");
                    continue;
                }
                report.accept("control: accept on " + path + " failed: " + e.getMessage());
                // Such failures persist for a while (EMFILE, ENOBUFS): pause rather than spin on them.
                LockSupport.parkNanos(ACCEPT_RETRY_NANOS);
                continue;
            }
            if (closed) {
                closeQuietly(ch);
                return;
            }
            if (!slots.tryAcquire() && !awaitSlot()) {
                refuse(ch);
                continue;
            }
            connections.add(ch);
            silent.add(new Silent(ch, System.nanoTime()));
            try {
                Thread.ofVirtual().name("jinit-control-conn").start(() -> serve(ch));
            } catch (RuntimeException | Error e) {
                // No thread for this client (memory exhausted): drop it, keep accepting the next.
                connections.remove(ch);
                silent.removeIf(x -> x.ch() == ch);
                slots.release();
                closeQuietly(ch);
                LockSupport.parkNanos(ACCEPT_RETRY_NANOS);
            }
        }
    }

    /**
     * The server is full: waits for a slot. A burst of honest clients frees slots within milliseconds
     * (the newcomer waits in the kernel's listen queue meanwhile). A client that has been connected
     * for a while without sending its request is closed to make room (see {@link #evictionGrace}), so
     * a flood of idle connections cannot lock the administrator out. False when every slot stays
     * busy with real work (jobs, followed logs) for {@link #REFUSE_AFTER_NANOS}: the newcomer is refused.
     */
    private boolean awaitSlot() {
        long giveUp = System.nanoTime() + REFUSE_AFTER_NANOS;
        while (!closed) {
            Silent oldest = silent.peek();
            if (oldest != null && System.nanoTime() - oldest.since() > evictionGrace() && silent.remove(oldest))
                refuse(oldest.ch()); // its thread ends on the close and gives its slot back
            try {
                if (slots.tryAcquire(50, TimeUnit.MILLISECONDS)) return true;
            } catch (InterruptedException e) {
                return false;
            }
            if (System.nanoTime() - giveUp > 0) return false;
        }
        return false;
    }

    /** An honest client sends its request right after connecting; one silent this long may be dropped when full. */
    private long evictionGrace() {
        return Math.min(1_000_000_000L, limits.idleTimeout().toNanos() / 2);
    }

    /**
     * One connection too many: told why, without waiting for it (a non-blocking write of one short
     * line into an empty socket buffer), and closed. Runs on the acceptor, which must never block.
     */
    private void refuse(SocketChannel ch) {
        try (ch) {
            // A newcomer is switched to non-blocking first. An evicted client keeps its blocking mode (its
            // own thread is in a read, and switching would wait for that read's lock); it sent no complete
            // request, so its send buffer is empty and one short line cannot block either.
            if (!connections.contains(ch)) ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap((Protocol.encode(Response.error(BUSY + ": jinit serves "
                    + limits.maxConnections() + " control clients at once; try again")) + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the client is gone already
        }
        refusedSinceReport++;
        long now = System.nanoTime();
        if (lastRefusalReport == 0 || now - lastRefusalReport > 10_000_000_000L) {
            report.accept("control: refused " + refusedSinceReport + " connection(s): " + limits.maxConnections()
                    + " clients are connected already");
            refusedSinceReport = 0;
            lastRefusalReport = now;
        }
    }

    private void serve(SocketChannel ch) {
        // Until its request is read, a client is on the clock: a half-open or silent one is closed.
        IdleCloser.Deadline deadline = idle.closeAfter(limits.idleTimeout(), ch);
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(allowed)) {
                report.accept("control: refused a connection from user " + peer.user().getName());
                answerAndClose(ch, Response.error("permission denied: jinit at " + path.getParent()
                        + " accepts commands from " + allowed.getName() + " only, not from " + peer.user().getName()));
                return;
            }
            RequestLine line = readLine(ch);
            silent.removeIf(x -> x.ch() == ch);
            if (line == null) return;
            deadline.cancel();
            // Taking the answer (and hanging up after it) is on the clock again; the job itself is not.
            deadline = IdleCloser.Deadline.NONE;
            if (line.tooLong()) {
                deadline = onTheClock(ch);
                answerAndClose(ch, Response.error("bad request: longer than " + Protocol.MAX_REQUEST_BYTES + " bytes"));
                return;
            }
            Request request;
            try {
                request = Protocol.decodeRequest(line.text());
            } catch (IllegalArgumentException e) {
                deadline = onTheClock(ch);
                answerAndClose(ch, Response.error("bad request: " + e.getMessage()));
                return;
            }
            boolean always = request.cmd() == Command.DAEMON_RELOAD || request.cmd().isShutdown();
            Optional<String> unavailable = always ? Optional.empty() : handler.unavailable();
            if (unavailable.isPresent()) {
                // daemon-reload still runs (it is how a failed read of the unit files is retried), and so
                // do poweroff/reboot/halt: a machine whose units cannot be read must still be shut down.
                deadline = onTheClock(ch);
                answerAndClose(ch, Response.error(unavailable.get()));
                return;
            }
            if (request.follow()) {
                follow(ch, request);
                return;
            }
            Response response;
            try {
                response = dispatch(request);
            } catch (RuntimeException e) {
                report.accept("control: " + request.cmd().word() + " failed: " + e);
                response = Response.error("internal error in jinit: " + e);
            }
            deadline = onTheClock(ch);
            boolean reexec = request.cmd() == Command.DAEMON_REEXEC && response.failures().isEmpty() && response.error() == null;
            try {
                answerAndClose(ch, response);
            } finally {
                if (reexec) handler.reexecAnswered();
            }
        } catch (IOException e) {
            // The client went away mid-answer, or was closed for being idle: nothing to tell anybody.
        } finally {
            deadline.cancel();
            silent.removeIf(x -> x.ch() == ch);
            connections.remove(ch);
            slots.release();
            reserve.refill();
        }
    }

    private IdleCloser.Deadline onTheClock(SocketChannel ch) {
        return idle.closeAfter(limits.idleTimeout(), ch);
    }

    /**
     * Writes the answer, then reads what the client may still send until it closes. Closing an
     * AF_UNIX socket with unread input makes the kernel reset the connection, and the client would
     * see ECONNRESET instead of the answer (a refusal, say). The drain is bounded.
     */
    private static void answerAndClose(SocketChannel ch, Response response) throws IOException {
        writeLine(ch, Protocol.encode(response));
        ch.shutdownOutput();
        ByteBuffer sink = ByteBuffer.allocate(8192);
        long total = 0;
        int n;
        while (total < DRAIN_LIMIT && (n = ch.read(sink.clear())) >= 0) total += n;
    }

    Response dispatch(Request r) {
        return switch (r.cmd()) {
            case STATUS -> status(r);
            case START -> Response.of(handler.start(r.units()));
            case STOP -> Response.of(handler.stop(r.units()));
            case RESTART -> Response.of(handler.restart(r.units()));
            case RELOAD -> Response.of(handler.reload(r.units()));
            case RESET_FAILED -> Response.of(handler.resetFailed(r.units()));
            case DAEMON_RELOAD -> Response.of(handler.daemonReload());
            case DAEMON_REEXEC -> Response.of(handler.daemonReexec());
            case LOGS -> logs(r);
            case POWEROFF, REBOOT, HALT -> Response.of(handler.shutdown(r.cmd()));
        };
    }

    private Response status(Request r) {
        if (r.units().isEmpty())
            return new Response(handler.list().stream().map(UnitStatus::summary).toList(), List.of(), List.of(), null);
        List<UnitStatus> units = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (String name : r.units()) {
            Optional<UnitStatus> s = handler.status(name);
            if (s.isEmpty()) {
                failures.add(Failure.notFound(name));
                continue;
            }
            UnitStatus u = s.get();
            if (u.details() != null) {
                UnitDetails d = u.details();
                List<LogLine> recent = r.lines() == 0 ? List.of() : handler.logs(name, r.lines()).orElse(List.of());
                d = new UnitDetails(d.fragmentPath(), d.loadError(), d.result(), d.execStart(), d.lastExitPid(),
                        d.lastExit(), d.statusText(), d.activeEnter(), d.inactiveEnter(), d.processes(), d.warnings(), recent,
                        d.triggers(), d.nextElapse(), d.lastTrigger());
                u = new UnitStatus(u.name(), u.load(), u.active(), u.sub(), u.pid(), u.restarts(), u.since(),
                        u.description(), d);
            }
            units.add(u);
        }
        return new Response(units, List.of(), failures, null);
    }

    private List<String> unitsOrAll(Request r) {
        return r.units().isEmpty() ? handler.list().stream().map(UnitStatus::name).toList() : r.units();
    }

    /** The last {@code lines} lines over all named units, in time order. */
    private Response logs(Request r) {
        List<LogLine> all = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (String name : unitsOrAll(r)) {
            Optional<List<LogLine>> lines = handler.logs(name, r.lines());
            if (lines.isEmpty()) failures.add(Failure.notFound(name));
            else all.addAll(lines.get());
        }
        all.sort(Comparator.comparing(LogLine::time)); // stable: each unit's own order is kept
        List<LogLine> last = all.subList(Math.max(0, all.size() - r.lines()), all.size());
        return new Response(List.of(), last, failures, null);
    }

    /**
     * {@code logs -f}: subscribe, answer, then one virtual thread writes queued lines while this
     * one waits for the client to hang up. The log pipeline's thread only ever offers to a bounded
     * queue, so a client that stops reading cannot stall it or grow jinit's memory.
     */
    private void follow(SocketChannel ch, Request r) throws IOException {
        List<String> units = unitsOrAll(r);
        List<Failure> missing = units.stream().filter(u -> handler.status(u).isEmpty()).map(Failure::notFound).toList();
        if (!missing.isEmpty()) {
            writeLine(ch, Protocol.encode(new Response(List.of(), List.of(), missing, null)));
            return;
        }
        BlockingQueue<LogLine> queue = new ArrayBlockingQueue<>(FOLLOW_QUEUE);
        AtomicLong dropped = new AtomicLong();
        AutoCloseable subscription;
        try {
            subscription = handler.follow(units, r.lines(), line -> {
                if (!queue.offer(line)) dropped.incrementAndGet();
            });
        } catch (RuntimeException e) {
            writeLine(ch, Protocol.encode(Response.error("internal error in jinit: " + e)));
            return;
        }
        Thread writer = null;
        try {
            writeLine(ch, Protocol.encode(new Response(List.of(), List.of(), List.of(), null)));
            writer = Thread.ofVirtual().name("jinit-control-follow").start(() -> writeFollowed(ch, queue, dropped));
            ByteBuffer sink = ByteBuffer.allocate(256);
            // The client sends nothing more; read returns -1 when it closes (or throws when we do).
            while (ch.read(sink.clear()) >= 0) {
                // discard
            }
        } finally {
            try {
                subscription.close();
            } catch (Exception e) {
                report.accept("control: closing a log subscription failed: " + e);
            }
            if (writer != null) {
                writer.interrupt();
                joinUninterruptibly(writer);
            }
        }
    }

    private void writeFollowed(SocketChannel ch, BlockingQueue<LogLine> queue, AtomicLong dropped) {
        try {
            while (true) {
                LogLine line = queue.take();
                long lost = dropped.getAndSet(0);
                if (lost > 0)
                    writeLine(ch, Protocol.encode(new LogLine(Instant.now(), line.unit(), Stream.JINIT,
                            lost + " lines dropped: this client reads too slowly")));
                writeLine(ch, Protocol.encode(line));
            }
        } catch (InterruptedException e) {
            // the follow ended
        } catch (IOException e) {
            // The client is gone: closing the channel ends the reader's wait too.
            closeQuietly(ch);
        }
    }

    /** A request line, or the fact that the client sent more than a request may hold. */
    private record RequestLine(String text, boolean tooLong) {}

    /**
     * Reads the request line; null at end of input. Stops reading after
     * {@link Protocol#MAX_REQUEST_BYTES} without a newline, so memory stays bounded.
     */
    private static RequestLine readLine(SocketChannel ch) throws IOException {
        // Requests are a few dozen bytes: start small and grow, so that thousands of connected clients
        // cost kilobytes each, not the 64 KiB a request may have at most.
        ByteBuffer buf = ByteBuffer.allocate(512);
        while (true) {
            int before = buf.position();
            int n = ch.read(buf);
            for (int i = before; i < buf.position(); i++)
                if (buf.get(i) == '\n') return new RequestLine(new String(buf.array(), 0, i, StandardCharsets.UTF_8), false);
            if (n < 0)
                return buf.position() == 0 ? null : new RequestLine(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8), false);
            if (!buf.hasRemaining()) {
                if (buf.capacity() > Protocol.MAX_REQUEST_BYTES) return new RequestLine(null, true);
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(buf.capacity() * 4, Protocol.MAX_REQUEST_BYTES + 1));
                buf = bigger.put(buf.flip());
            }
        }
    }

    static void writeLine(SocketChannel ch, String json) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }

    private static void joinUninterruptibly(Thread t) {
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

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // closing on an error path: the first error is the one worth reporting
        }
    }

    /** Stops accepting, ends every connection (followers included) and removes the socket file. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeQuietly(server);
        joinUninterruptibly(acceptor);
        idle.close();
        reserve.close();
        for (SocketChannel ch : connections) closeQuietly(ch);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            report.accept("control: cannot remove " + path + ": " + e.getMessage());
        }
    }
}
