package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.control.ControlServer;
import dev.jinit.control.FakeHandler;
import dev.jinit.control.Samples;
import dev.jinit.control.StateDir;
import dev.jinit.exec.ExitStatus;
import dev.jinit.log.LogLine;
import dev.jinit.supervise.notify.TestProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client commands against a real control socket with a fake supervisor behind it. */
@Timeout(120)
class ClientCommandTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    Path state;
    FakeHandler handler;
    ControlServer server;
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws IOException {
        state = Files.createTempDirectory("jinit-cli-");
        handler = Samples.handler();
        server = ControlServer.start(state, handler, m -> { });
    }

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) server.close();
        deleteTree(state);
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(p)) {
                for (Path c : s.toList()) deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    /** Runs {@code jinit ARGS} in-process, finding jinit through JINIT_STATE. */
    int jinit(String... args) {
        outBytes.reset();
        errBytes.reset();
        return Main.run(args, Map.of("JINIT_STATE", state.toString()), out, err);
    }

    String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** A command object with a fixed clock in UTC, for the exact text of the formats. */
    ClientCommand fixed() {
        return new ClientCommand(Map.of(), out, err, Clock.fixed(Samples.T0.plusSeconds(330), ZoneOffset.UTC), ZoneOffset.UTC);
    }

    @Test
    void listIsAnAlignedTable() {
        assertEquals(0, jinit("status", "--state", state.toString()));
        String[] lines = out().split("\n");
        assertTrue(lines[0].matches("UNIT +LOAD +ACTIVE +SUB +PID +RESTARTS +SINCE +DESCRIPTION"), lines[0]);
        int col = lines[0].indexOf("ACTIVE");
        for (int i = 1; i <= 5; i++) assertTrue(lines[i].length() > col && lines[i].charAt(col - 1) == ' ', lines[i]);
        assertTrue(lines[5].startsWith("web.service "), lines[5]);
        assertTrue(lines[5].matches("web\\.service +loaded +active +running +1234 +2 +Fri 2026-11-27 09:00:00 \\S+ +Demo web server"), lines[5]);
        assertTrue(lines[2].matches("crash\\.service +loaded +failed +failed +- +5 .*Crash loop"), lines[2]);
        assertEquals("", lines[6]);
        assertEquals("5 units listed.", lines[7]);
    }

    @Test
    void exactTableText() {
        String text = fixed().table(List.of(Samples.web().summary(), Samples.once().summary()));
        assertEquals("""
                UNIT         LOAD   ACTIVE   SUB     PID  RESTARTS SINCE                     DESCRIPTION
                web.service  loaded active   running 1234 2        Fri 2026-11-27 09:00:00 Z Demo web server
                once.service loaded inactive dead    -    0        -

                2 units listed.
                """, text);
    }

    @Test
    void statusOfAnActiveUnitLikeSystemctl() {
        String text = fixed().detail(Samples.web());
        assertEquals("""
                ● web.service - Demo web server
                     Loaded: loaded (/etc/jinit/web.service)
                     Active: active (running) since Fri 2026-11-27 09:00:00 Z; 5min 30s ago
                   Main PID: 1234
                     Status: "Serving 3 clients"
                    Process: 1200 ExecStart=/usr/bin/python3 -m http.server 8080 (code=exited, status=1/FAILURE)
                   Restarts: 2
                      Tasks: 2 (1234, 1240)
                    Warning: web.service:9: unsupported directive PrivateDevices=, ignored
                """, text);
    }

    @Test
    void statusOfFailedAndBrokenUnits() {
        assertEquals("""
                × crash.service - Crash loop
                     Loaded: loaded (/etc/jinit/crash.service)
                     Active: failed (Result: exit-code) since Fri 2026-11-27 09:00:30 Z; 5min 0s ago
                    Process: 777 ExecStart=/bin/false (code=exited, status=1/FAILURE)
                   Restarts: 5
                """, fixed().detail(Samples.crash()));
        assertEquals("""
                ○ broken.service - Broken
                     Loaded: bad-setting (Reason: /etc/jinit/broken.service:4: Restart: invalid value 'sometimes')
                     Active: inactive (dead)
                   Restarts: 0
                """, fixed().detail(Samples.broken()));
    }

    @Test
    void statusUnitExitCodesFollowSystemctl() {
        assertEquals(0, jinit("status", "web"));
        assertTrue(out().startsWith("● web.service - Demo web server\n"), out());
        // recent log lines come after a blank line
        assertTrue(out().contains("\n\n") && out().contains("web.service[stderr]: GET / 200"), out());
        assertEquals(3, jinit("status", "crash.service"));
        assertEquals(3, jinit("status", "once"));
        assertEquals(3, jinit("status", "web", "once"));
        assertEquals(4, jinit("status", "nope"));
        assertEquals("Unit nope.service could not be found.\n", err());
        assertEquals(0, jinit("status", "multi-user.target"));
    }

    @Test
    void statusJson() {
        assertEquals(0, jinit("status", "--json"));
        String json = out().strip();
        assertTrue(json.startsWith("{\"units\":[{\"name\":\"broken.service\",\"load\":\"bad-setting\",\"active\":\"inactive\","
                + "\"sub\":\"dead\",\"pid\":0,\"restarts\":0,\"since\":null,\"description\":\"Broken\"}"), json);
        assertTrue(json.contains("{\"name\":\"web.service\",\"load\":\"loaded\",\"active\":\"active\",\"sub\":\"running\","
                + "\"pid\":1234,\"restarts\":2,\"since\":\"2026-11-27T09:00:00Z\",\"description\":\"Demo web server\"}"), json);
        assertEquals(3, jinit("status", "--json", "crash"));
        assertTrue(out().contains("\"details\":{"), out());
    }

    @Test
    void jobsAndTheirExitCodes() {
        assertEquals(0, jinit("start", "web", "crash.service"));
        assertEquals("", out() + err());
        assertEquals(4, jinit("stop", "nope"));
        assertEquals("Failed to stop nope.service: Unit nope.service not found.\n", err());
        assertEquals(1, jinit("restart", "broken", "nope"));
        assertEquals("Failed to restart broken.service: Unit broken.service has a bad setting.\n"
                + "Failed to restart nope.service: Unit nope.service not found.\n", err());
        assertEquals(0, jinit("reload", "web"));
        assertEquals(0, jinit("reset-failed"));
        assertEquals(0, jinit("daemon-reload"));
        assertTrue(handler.calls.containsAll(List.of("start web.service crash.service", "reload web.service",
                "reset-failed ", "daemon-reload ")), String.valueOf(handler.calls));
    }

    @Test
    void usageErrors() {
        assertEquals(2, jinit("start"));
        assertTrue(err().startsWith("jinit start: start needs at least one unit\n"), err());
        assertEquals(2, jinit("stop", "--json", "web"));
        assertTrue(err().startsWith("jinit stop: --json is only for status\n"), err());
        assertEquals(2, jinit("logs", "-n", "many", "web"));
        assertTrue(err().startsWith("jinit logs: -n: not a line count 0..100000: 'many'\n"), err());
        assertEquals(2, jinit("status", "--bogus"));
        assertTrue(err().startsWith("jinit status: unknown option '--bogus' for status\n"), err());
        assertEquals(2, jinit("daemon-reload", "web"));
        assertEquals(0, jinit("logs", "--help"));
        assertTrue(out().contains("jinit logs [-f] [-n N]"), out());
    }

    @Test
    void logsPrintsTheLastLines() {
        assertEquals(0, jinit("logs", "-n", "2", "web"));
        String[] lines = out().split("\n");
        assertEquals(2, lines.length, out());
        assertTrue(lines[0].endsWith(" web.service[stderr]: GET / 200"), lines[0]);
        assertTrue(lines[1].endsWith(" web.service: GET /x 404"), lines[1]);
        assertEquals(0, jinit("logs", "-n3", "web", "crash"));
        assertEquals(3, out().split("\n").length);
        assertEquals(4, jinit("logs", "nope"));
    }

    @Test
    void exactLogLineAndHostileText() {
        assertEquals("Nov 27 09:00:01.000 web.service[jinit]: a\\x1b[31mred\\x07 line\tx",
                fixed().logLine(Samples.line(1, "web.service", "jinit", "a\u001b[31mred\u0007 line\tx")));
        LogLine piece = Samples.line(1, "web.service", "stdout", "start of a long line");
        assertEquals("Nov 27 09:00:01.000 web.service: start of a long line…",
                fixed().logLine(new LogLine(piece.time(), piece.unit(), piece.stream(), piece.text(), true)));
    }

    @Test
    void logsFollowStreamsUntilJinitCloses() throws Exception {
        Thread t = Thread.ofVirtual().start(() -> assertEquals(0, jinit("logs", "-f", "-n", "1", "crash")));
        TestProcesses.await("subscription", WAIT, () -> handler.subscriptions.size() == 1);
        handler.subscriptions.getFirst().sink.accept(Samples.line(60, "crash.service", "stderr", "boom again"));
        TestProcesses.await("the live line", WAIT, () -> out().contains("boom again"));
        server.close();
        t.join(WAIT);
        String[] lines = out().split("\n");
        assertEquals(2, lines.length, out());
        assertTrue(lines[0].endsWith("crash.service[jinit]: Scheduled restart, restart counter is at 5"), lines[0]);
        assertTrue(lines[1].endsWith("crash.service[stderr]: boom again"), lines[1]);
    }

    @Test
    void noJinitRunningNamesTheSocketAndErrno() throws IOException {
        server.close();
        server = null;
        assertEquals(1, jinit("status"));
        Path socket = StateDir.controlSocket(state);
        assertEquals("jinit: no jinit running at " + state + ": connect " + socket + ": ENOENT (No such file or directory)\n", err());
        try (var ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        assertEquals(1, jinit("stop", "web"));
        assertEquals("jinit: no jinit running at " + state + ": connect " + socket + ": ECONNREFUSED (Connection refused)\n", err());
        // --state wins over JINIT_STATE
        Path other = state.resolve("other");
        assertEquals(1, Main.run(new String[] {"status", "--state=" + other}, Map.of("JINIT_STATE", state.toString()), out, err));
        assertTrue(err().contains("connect " + other.resolve("control.sock") + ": ENOENT"), err());
    }

    @Test
    void exitTexts() {
        assertEquals("code=exited, status=0/SUCCESS", ClientCommand.exitText(ExitStatus.exited(0)));
        assertEquals("code=exited, status=42", ClientCommand.exitText(ExitStatus.exited(42)));
        assertEquals("code=killed, signal=TERM", ClientCommand.exitText(ExitStatus.killed(15, false)));
        assertEquals("code=dumped, signal=SEGV", ClientCommand.exitText(ExitStatus.killed(11, true)));
        assertEquals("foo.service", ClientCommand.unitName("foo"));
        assertEquals("multi-user.target", ClientCommand.unitName("multi-user.target"));
        assertEquals("a.b.service", ClientCommand.unitName("a.b"));
    }

    /**
     * The real command in its own JVM, run as nobody against root's jinit: the socket's mode keeps
     * it out before it can even ask, and the message says so with the errno.
     */
    @Test
    void aNobodyClientIsKeptOut() throws Exception {
        // A copy of the classes nobody can read (the build tree may sit under /root).
        Path app = Files.createTempDirectory("jinit-cli-app-");
        try {
            Files.setPosixFilePermissions(app, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path gson = Path.of(com.google.gson.Gson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            copyTree(classes, app.resolve("classes"));
            Files.copy(gson, app.resolve("gson.jar"));
            Files.setPosixFilePermissions(state, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path outFile = app.resolve("out");
            Files.createFile(outFile);
            Files.setPosixFilePermissions(outFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> argv = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "/bin/sh", "-c", "\"$@\" >" + outFile + " 2>&1", "sh", java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", app.resolve("classes") + ":" + app.resolve("gson.jar"), "dev.jinit.cli.Main", "stop", "web",
                    "--state", state.toString()));
            int pid = TestProcesses.spawn(argv);
            TestProcesses.assertExit(1 << 8, pid, Duration.ofSeconds(60), "jinit stop as nobody: " + outFile);
            String text = Files.readString(outFile);
            assertEquals("jinit: no jinit running at " + state + ": connect " + StateDir.controlSocket(state)
                    + ": EACCES (Permission denied)\n", text);
            assertTrue(!handler.calls.contains("stop web.service"));
        } finally {
            deleteTree(app);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        try (var s = Files.walk(to)) {
            for (Path p : s.toList())
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }
}
