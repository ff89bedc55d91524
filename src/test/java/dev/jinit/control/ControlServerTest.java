package dev.jinit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.log.LogLine;
import dev.jinit.supervise.notify.TestProcesses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real server on a real socket, with a fake supervisor behind it. */
@Timeout(120) // blocking socket reads in these tests end when JUnit interrupts them
class ControlServerTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    Path state;
    FakeHandler handler;
    ControlServer server;
    final List<String> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        state = Files.createTempDirectory("jinit-control-");
        handler = Samples.handler();
        server = ControlServer.start(state, handler, reports::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) server.close();
        try (var files = Files.list(state)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(state);
    }

    Response call(Request r) {
        try (ControlClient c = ControlClient.connect(state)) {
            return c.call(r);
        }
    }

    /** Sends raw bytes and returns everything the server answers before closing. */
    String raw(String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(StateDir.controlSocket(state)));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) ch.write(out);
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            while (ch.read(in) >= 0) {
                // until the server closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void socketIsOwnerOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(StateDir.controlSocket(state))));
    }

    @Test
    void listHasNoDetailsAndIsSorted() {
        Response r = call(new Request(Command.STATUS, List.of(), 0, false));
        assertNull(r.error());
        assertEquals(List.of("broken.service", "crash.service", "multi-user.target", "once.service", "web.service"),
                r.units().stream().map(UnitStatus::name).toList());
        assertTrue(r.units().stream().allMatch(u -> u.details() == null));
    }

    @Test
    void statusOfUnitsFillsRecentLogsAndReportsUnknownOnes() {
        Response r = call(new Request(Command.STATUS, List.of("web.service", "nope.service"), 2, false));
        assertEquals(1, r.units().size());
        UnitStatus web = r.units().getFirst();
        assertEquals("Serving 3 clients", web.details().statusText());
        assertEquals(List.of("GET / 200", "GET /x 404"), web.details().recentLogs().stream().map(LogLine::text).toList());
        assertEquals(List.of(Failure.notFound("nope.service")), r.failures());
    }

    @Test
    void jobsReachTheHandler() {
        assertTrue(call(new Request(Command.START, List.of("web.service"), 0, false)).failures().isEmpty());
        assertEquals(List.of(new Failure("broken.service", Failure.Reason.FAILED, "Unit broken.service has a bad setting.")),
                call(new Request(Command.RESTART, List.of("broken.service"), 0, false)).failures());
        call(new Request(Command.STOP, List.of("web.service", "crash.service"), 0, false));
        call(new Request(Command.RELOAD, List.of("web.service"), 0, false));
        call(new Request(Command.RESET_FAILED, List.of(), 0, false));
        call(new Request(Command.DAEMON_RELOAD, List.of(), 0, false));
        assertEquals(List.of("start web.service", "restart broken.service", "stop web.service crash.service",
                "reload web.service", "reset-failed ", "daemon-reload "), handler.calls);
    }

    @Test
    void handlerFailureIsAnAnswerNotACrash() {
        handler.failWith = new IllegalStateException("manager queue closed");
        Response r = call(new Request(Command.START, List.of("web.service"), 0, false));
        assertEquals("internal error in jinit: java.lang.IllegalStateException: manager queue closed", r.error());
        handler.failWith = null;
        assertTrue(call(new Request(Command.START, List.of("web.service"), 0, false)).failures().isEmpty());
        assertEquals(1, reports.size(), String.valueOf(reports));
    }

    @Test
    void logsMergesUnitsInTimeOrderAndKeepsTheLastN() {
        Response r = call(new Request(Command.LOGS, List.of("web.service", "crash.service"), 3, false));
        assertEquals(List.of("GET / 200", "Scheduled restart, restart counter is at 5", "GET /x 404"),
                r.lines().stream().map(LogLine::text).toList());
        Response all = call(new Request(Command.LOGS, List.of(), 100, false));
        assertEquals(5, all.lines().size());
        Response missing = call(new Request(Command.LOGS, List.of("nope.service"), 10, false));
        assertEquals(List.of(Failure.notFound("nope.service")), missing.failures());
    }

    @Test
    void badRequestsGetAReason() throws IOException {
        assertEquals("bad request: unknown command 'explode'", Protocol.decodeResponse(raw("{\"cmd\":\"explode\"}\n").strip()).error());
        assertEquals("bad request: request is not a JSON object", Protocol.decodeResponse(raw("garbage\n").strip()).error());
        assertTrue(Protocol.decodeResponse(raw("{\"cmd\":\n").strip()).error().startsWith("bad request: malformed request"));
        // No newline at all: the request ends with the stream.
        assertNull(Protocol.decodeResponse(raw("{\"cmd\":\"status\"}").strip()).error());
        String huge = "{\"cmd\":\"status\",\"pad\":\"" + "x".repeat(Protocol.MAX_REQUEST_BYTES) + "\"}\n";
        assertEquals("bad request: longer than 65536 bytes", Protocol.decodeResponse(raw(huge).strip()).error());
        assertEquals("", raw(""));
    }

    @Test
    void followDeliversBacklogThenLiveLinesAndEndsWhenTheClientLeaves() throws Exception {
        List<LogLine> got = Collections.synchronizedList(new ArrayList<>());
        ControlClient client = ControlClient.connect(state);
        Response r = client.call(new Request(Command.LOGS, List.of("web.service"), 1, true));
        assertTrue(r.failures().isEmpty() && r.error() == null);
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                client.stream(got::add);
            } catch (ControlException ignored) {
                // the test closes the client under the reader
            }
        });
        TestProcesses.await("subscription", WAIT, () -> handler.subscriptions.size() == 1);
        FakeHandler.Subscription sub = handler.subscriptions.getFirst();
        sub.sink.accept(Samples.line(9, "web.service", "stdout", "live one"));
        sub.sink.accept(Samples.line(10, "web.service", "stderr", "live two"));
        TestProcesses.await("3 lines", WAIT, () -> got.size() == 3);
        assertEquals(List.of("GET /x 404", "live one", "live two"), got.stream().map(LogLine::text).toList());
        client.close();
        TestProcesses.await("unsubscribe after the client closed", WAIT, () -> sub.closed);
        reader.join(WAIT);
    }

    /** More clients than the listen backlog, connecting from virtual threads (non-blocking connects). */
    @Test
    void manyClientsAtOnceOnVirtualThreads() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Response> answers = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 1000; i++)
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    answers.add(call(new Request(Command.STATUS, List.of("web.service"), 1, false)));
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            }));
        for (Thread t : threads) t.join(WAIT);
        assertEquals(List.of(), errors);
        assertEquals(1000, answers.size());
        assertTrue(answers.stream().allMatch(r -> r.error() == null && r.units().size() == 1
                && r.units().getFirst().details().recentLogs().size() == 1));
    }

    @Test
    void followOfUnknownUnitFails() {
        Response r = call(new Request(Command.LOGS, List.of("web.service", "nope.service"), 1, true));
        assertEquals(List.of(Failure.notFound("nope.service")), r.failures());
        assertTrue(handler.subscriptions.isEmpty());
    }

    @Test
    void aClientThatStopsReadingCannotStallTheSink() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(StateDir.controlSocket(state)));
            ch.write(ByteBuffer.wrap((Protocol.encode(new Request(Command.LOGS, List.of("web.service"), 0, true)) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            TestProcesses.await("subscription", WAIT, () -> handler.subscriptions.size() == 1);
            FakeHandler.Subscription sub = handler.subscriptions.getFirst();
            // Far more than the socket buffer and the queue hold; the sink must return at once every time.
            String text = "y".repeat(1000);
            long start = System.nanoTime();
            for (int i = 0; i < 3 * ControlServer.FOLLOW_QUEUE; i++) sub.sink.accept(Samples.line(i, "web.service", "stdout", text));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(WAIT) < 0);
            // Now read: the stream continues, with a note about what was dropped before the next line.
            List<String> seen = new ArrayList<>();
            StringBuilder pending = new StringBuilder();
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            boolean sent = false;
            while (seen.stream().noneMatch(s -> s.contains("after the flood"))) {
                // After 1000 lines (1 MB, more than any socket buffer) the writer has taken lines
                // from the full queue, so the next line finds room.
                if (!sent && seen.size() >= 1000) {
                    sub.sink.accept(Samples.line(999_999, "web.service", "stdout", "after the flood"));
                    sent = true;
                }
                in.clear();
                if (ch.read(in) < 0) break;
                pending.append(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
                int nl;
                while ((nl = pending.indexOf("\n")) >= 0) {
                    seen.add(pending.substring(0, nl));
                    pending.delete(0, nl + 1);
                }
            }
            assertTrue(seen.stream().anyMatch(s -> s.contains("lines dropped: this client reads too slowly")));
            assertTrue(seen.getLast().contains("after the flood"));
        }
    }

    @Test
    void refusesAnotherUserInProcess() throws IOException {
        server.close();
        var nobody = state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        server = ControlServer.start(state, handler, reports::add, nobody);
        Response r = call(new Request(Command.STOP, List.of("web.service"), 0, false));
        assertEquals("permission denied: jinit at " + state + " accepts commands from nobody only, not from root", r.error());
        assertFalse(handler.calls.contains("stop web.service"));
    }

    @Test
    void refusesANobodyProcessEvenWhenTheModeWouldLetItConnect() throws Exception {
        // Make the path reachable so the peer-credential check, not the file mode, is what refuses.
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = StateDir.controlSocket(state);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path answer = state.resolve("answer");
        Files.createFile(answer);
        Files.setPosixFilePermissions(answer, PosixFilePermissions.fromString("rw-rw-rw-"));
        String script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.sendall(b'{"cmd":"stop","units":["web.service"]}\\n')
                data = b''
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    data += chunk
                open(sys.argv[2], 'wb').write(data)
                """;
        int pid = TestProcesses.spawn(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                TestProcesses.PYTHON, "-c", script, socket.toString(), answer.toString()));
        TestProcesses.assertExit(0, pid, WAIT, "client as nobody");
        Response r = Protocol.decodeResponse(Files.readString(answer).strip());
        assertEquals("permission denied: jinit at " + state + " accepts commands from root only, not from nobody", r.error());
        assertFalse(handler.calls.contains("stop web.service"));
        assertTrue(reports.contains("control: refused a connection from user nobody"), String.valueOf(reports));
    }

    @Test
    void secondServerOnTheSameStateDirIsRefusedAndStaleSocketIsReplaced() throws IOException {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ControlServer.start(state, handler, reports::add));
        assertEquals("control socket " + StateDir.controlSocket(state) + ": another jinit is running there", e.getMessage());
        server.close();
        assertFalse(Files.exists(StateDir.controlSocket(state)));
        // A socket file nobody listens on, as a killed jinit leaves behind:
        try (var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(StateDir.controlSocket(state)));
        }
        assertTrue(Files.exists(StateDir.controlSocket(state)));
        server = ControlServer.start(state, handler, reports::add);
        assertNull(call(new Request(Command.STATUS, List.of(), 0, false)).error());
    }

    @Test
    void closeEndsFollowers() throws Exception {
        ControlClient client = ControlClient.connect(state);
        client.call(new Request(Command.LOGS, List.of("crash.service"), 0, true));
        Thread reader = Thread.ofVirtual().start(() -> client.stream(l -> { }));
        TestProcesses.await("subscription", WAIT, () -> handler.subscriptions.size() == 1);
        server.close();
        reader.join(WAIT);
        assertFalse(reader.isAlive(), "the client's stream ends when jinit closes");
        // The connection's own thread ends the subscription once its socket is closed: soon, not at once.
        TestProcesses.await("subscription closed", WAIT, () -> handler.subscriptions.getFirst().closed);
        client.close();
    }
}
