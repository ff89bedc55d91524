package dev.jinit.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real datagrams from real processes (python3, as root and as nobody) to a real socket. */
class NotifySocketTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    Path dir;
    NotifySocket socket;
    final LinkedBlockingQueue<NotifyMessage> messages = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<NotifySocket.Dropped> dropped = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("jinit-notify-");
        // Services running as nobody must reach the socket through the directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (socket != null) socket.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    NotifySocket open(String address) {
        socket = NotifySocket.bind(address);
        socket.start(messages::add, dropped::add);
        return socket;
    }

    NotifyMessage next() throws InterruptedException {
        NotifyMessage m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(m, "no notification within " + WAIT + "; dropped: " + dropped);
        return m;
    }

    @Test
    void aConsumerThatThrowsAnErrorDoesNotEndTheReceiver() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        socket = NotifySocket.bind(address);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        socket.start(m -> {
            if (calls.getAndIncrement() == 0) throw new StackOverflowError("injected");
            messages.add(m);
        }, dropped::add);
        try (dev.jinit.linux.Fd sender = dev.jinit.linux.UnixSocket.socket(dev.jinit.linux.UnixSocket.SOCK_DGRAM)) {
            dev.jinit.linux.UnixSocket.sendTo(sender, "STATUS=first".getBytes(java.nio.charset.StandardCharsets.UTF_8), address);
            NotifySocket.Dropped d = dropped.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(d, "the failure is reported");
            assertTrue(d.reason().contains("consumer failed"), d.toString());
            dev.jinit.linux.UnixSocket.sendTo(sender, "STATUS=second".getBytes(java.nio.charset.StandardCharsets.UTF_8), address);
        }
        assertEquals("second", next().status().orElseThrow());
    }

    @Test
    void datagramCarriesTheSendersPidAndFields() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        open(address);
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(address))));
        int pid = TestProcesses.sendDatagram(address, "READY=1\nSTATUS=Serving 3 clients\nMAINPID=4242\nX_CUSTOM=yes\n", null);
        NotifyMessage m = next();
        assertEquals(pid, m.pid());
        assertEquals(0, m.uid());
        assertEquals(0, m.gid());
        assertTrue(m.ready());
        assertEquals("Serving 3 clients", m.status().orElseThrow());
        assertEquals(4242, m.mainPid().orElseThrow());
        assertEquals("yes", m.unknown().get("X_CUSTOM"));
    }

    @Test
    void credentialsOfANobodySender() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        open(address);
        int pid = TestProcesses.sendDatagram(address, "WATCHDOG=1", 65534);
        NotifyMessage m = next();
        assertEquals(pid, m.pid());
        assertEquals(65534, m.uid());
        assertEquals(NotifyMessage.Watchdog.PING, m.watchdog());
    }

    @Test
    void abstractAddress() throws Exception {
        String address = "@jinit-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        open(address);
        int pid = TestProcesses.sendDatagram(address, "STOPPING=1", null);
        NotifyMessage m = next();
        assertTrue(m.stopping());
        assertEquals(pid, m.pid());
    }

    @Test
    void oversizedAndMalformedDatagramsAreDroppedAndTheNextOneStillArrives() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        open(address);
        int big = TestProcesses.sendDatagram(address, "STATUS=" + "x".repeat(5000), null);
        NotifySocket.Dropped d1 = dropped.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(d1);
        assertEquals(big, d1.pid());
        assertTrue(d1.reason().contains("too large (5007 bytes"), d1.reason());

        int bad = TestProcesses.sendDatagram(address, "READY=1\njust words", null);
        NotifySocket.Dropped d2 = dropped.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(d2);
        assertTrue(d2.reason().contains("line 2 has no '='"), d2.reason());

        int exact = TestProcesses.sendDatagram(address, "STATUS=" + "y".repeat(NotifyMessage.MAX_BYTES - 7), null);
        NotifyMessage m = next();
        assertEquals(NotifyMessage.MAX_BYTES - 7, m.status().orElseThrow().length());
        assertTrue(messages.isEmpty());
    }

    @Test
    void aBurstArrivesCompleteAndInOrder() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        open(address);
        // More datagrams than the kernel queues for one socket (net.unix.max_dgram_qlen, 512 by
        // default): the sender blocks until the receiver drains, so all must arrive.
        String script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                for i in range(2000):
                    s.sendto(('STATUS=%d\\nX_GARBAGE=' % i).encode() + (b'' if i % 100 else b'\\nno equals sign'), sys.argv[1])
                """;
        int pid = TestProcesses.spawn(List.of(TestProcesses.PYTHON, "-c", script, address));
        TestProcesses.assertExit(0, pid, WAIT, "sender");
        TestProcesses.await("2000 datagrams", WAIT, () -> messages.size() + dropped.size() == 2000);
        List<NotifyMessage> got = List.copyOf(messages);
        assertEquals(1980, got.size());
        assertEquals(20, dropped.size());
        int last = -1;
        for (NotifyMessage m : got) {
            int n = Integer.parseInt(m.status().orElseThrow());
            assertTrue(n > last && n % 100 != 0, "out of order or a malformed one delivered: " + n);
            last = n;
            assertEquals(pid, m.pid());
        }
    }

    @Test
    void passedDescriptorsAreClosed() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        open(address);
        long before = openDescriptors();
        String script = """
                import socket, sys, os
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(5)]
                s.sendmsg([b'FDSTORE=1\\nFDNAME=x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(__import__('array').array('i', fds)))], 0, sys.argv[1])
                """;
        int pid = TestProcesses.spawn(List.of(TestProcesses.PYTHON, "-c", script, address));
        TestProcesses.assertExit(0, pid, WAIT, "sender");
        NotifyMessage m = next();
        assertEquals("1", m.unknown().get("FDSTORE"));
        assertEquals(before, openDescriptors(), "descriptors passed with the datagram must not stay open in jinit");
    }

    @Test
    void receiveWithoutThreadAndRebindOverStaleSocket() throws Exception {
        String address = dir.resolve("notify.sock").toString();
        try (NotifySocket first = NotifySocket.bind(address)) {
            assertEquals(null, first.receive());
            int pid = TestProcesses.sendDatagram(address, "RELOADING=1", null);
            NotifySocket.Received r = first.receive();
            assertTrue(r instanceof NotifySocket.Received.Message msg && msg.message().reloading(), String.valueOf(r));
        }
        assertFalse(Files.exists(Path.of(address)), "close removes the socket file");
        // A socket file left behind by a killed jinit is replaced.
        Posix.close(dev.jinit.linux.UnixSocket.socket(dev.jinit.linux.UnixSocket.SOCK_DGRAM).release());
        try (var fd = dev.jinit.linux.UnixSocket.socket(dev.jinit.linux.UnixSocket.SOCK_DGRAM)) {
            dev.jinit.linux.UnixSocket.bind(fd, address);
        }
        assertTrue(Files.exists(Path.of(address)));
        try (NotifySocket again = NotifySocket.bind(address)) {
            assertEquals(null, again.receive());
        }
        Path regular = dir.resolve("not-a-socket");
        Files.writeString(regular, "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NotifySocket.bind(regular.toString()));
        assertTrue(e.getMessage().contains(regular.toString()), e.getMessage());
    }

    @Test
    void tooLongPathNamesThePathAndErrno() {
        String address = "/tmp/" + "x".repeat(120);
        var e = assertThrows(dev.jinit.linux.LinuxException.class, () -> NotifySocket.bind(address));
        assertEquals("ENAMETOOLONG", e.errnoName());
        assertTrue(e.getMessage().contains(address));
    }

    static long openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
