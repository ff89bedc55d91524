package dev.jinit.unit;

import static dev.jinit.unit.Fixtures.build;
import static dev.jinit.unit.Fixtures.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The [Socket] section as systemd.socket(5) reads it; every bad value an error naming file:line. */
class SocketUnitTest {
    private static SocketUnit socket(String name, String text) {
        UnitBuilder.Result r = build(name, text);
        if (r.failed()) throw new AssertionError("unit failed: " + r.diagnostics());
        return (SocketUnit) r.unit();
    }

    @Test
    void listenAddressesAsSystemdReadsThem() {
        SocketUnit u = socket("web.socket", """
                [Socket]
                ListenStream=80
                ListenStream=127.0.0.1:8080
                ListenStream=[::1]:8081
                ListenStream=[fe80::1%%eth0]:8082
                ListenStream=/run/web/%p.sock
                ListenDatagram=@web-log
                ListenSequentialPacket=/run/web/seq
                ListenFIFO=/run/web/ctl
                """);
        List<Socket.Listen> l = u.socket().listens();
        assertEquals(8, l.size());
        assertEquals(new Socket.Address.Inet(null, true, 80, null), l.get(0).address());
        assertEquals(new Socket.Address.Inet("127.0.0.1", false, 8080, null), l.get(1).address());
        assertEquals(new Socket.Address.Inet("::1", true, 8081, null), l.get(2).address());
        assertEquals(new Socket.Address.Inet("fe80::1", true, 8082, "eth0"), l.get(3).address());
        assertEquals(new Socket.Address.FilePath(Path.of("/run/web/web.sock")), l.get(4).address());
        assertEquals(new Socket.Address.Abstract("web-log"), l.get(5).address());
        assertEquals(Socket.Kind.DATAGRAM, l.get(5).kind());
        assertEquals(Socket.Kind.SEQPACKET, l.get(6).kind());
        assertEquals(Socket.Kind.FIFO, l.get(7).kind());
        assertEquals("/u/web.socket:2", l.get(0).where());
        assertEquals("web.service", u.serviceName());
    }

    @Test
    void defaultsFollowSystemd() {
        Socket s = socket("a.socket", "[Socket]\nListenStream=/run/a\n").socket();
        assertFalse(s.accept());
        assertNull(s.service());
        assertEquals(64, s.maxConnections());
        assertEquals(0666, s.socketMode());
        assertEquals(0755, s.directoryMode());
        assertEquals(Socket.DEFAULT_BACKLOG, s.backlog());
        assertEquals(Socket.BindIPv6Only.DEFAULT, s.bindIPv6Only());
        assertNull(s.fileDescriptorName());
        assertFalse(s.removeOnStop());
    }

    @Test
    void optionsAndAccept() {
        SocketUnit u = socket("sshd.socket", """
                [Socket]
                ListenStream=2222
                Accept=yes
                MaxConnections=3
                SocketMode=0600
                DirectoryMode=0700
                SocketUser=nobody
                SocketGroup=nogroup
                Backlog=16
                BindIPv6Only=ipv6-only
                ReusePort=yes
                FreeBind=true
                PassCredentials=yes
                ReceiveBuffer=8M
                SendBuffer=64K
                FileDescriptorName=ssh
                RemoveOnStop=yes
                """);
        Socket s = u.socket();
        assertTrue(s.accept());
        assertEquals("sshd@.service", u.serviceName());
        assertEquals(3, s.maxConnections());
        assertEquals(0600, s.socketMode());
        assertEquals(0700, s.directoryMode());
        assertEquals("nobody", s.socketUser());
        assertEquals("nogroup", s.socketGroup());
        assertEquals(16, s.backlog());
        assertEquals(Socket.BindIPv6Only.IPV6_ONLY, s.bindIPv6Only());
        assertTrue(s.reusePort() && s.freeBind() && s.passCredentials() && s.removeOnStop());
        assertEquals(8 * 1024 * 1024, s.receiveBuffer());
        assertEquals(64 * 1024, s.sendBuffer());
        assertEquals("ssh", s.fileDescriptorName());
        assertEquals("other.service", socket("x.socket", "[Socket]\nListenStream=1\nService=other.service\n").serviceName());
    }

    @Test
    void anEmptyListenResetsThatKind() {
        Socket s = socket("a.socket", "[Socket]\nListenStream=1\nListenDatagram=2\nListenStream=\nListenStream=3\n").socket();
        assertEquals(List.of("ListenDatagram=2", "ListenStream=3"), s.listens().stream().map(Object::toString).toList());
    }

    @Test
    void badValuesAreErrorsNamingFileAndLine() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("ListenStream=70000", "/u/b.socket:2: ListenStream=70000: port out of range 1..65535: 70000"),
                Map.entry("ListenStream=1.2.3:80", "/u/b.socket:2: ListenStream=1.2.3:80: not an IPv4 address: 1.2.3"),
                Map.entry("ListenStream=[::1]80", "/u/b.socket:2: ListenStream=[::1]80: not [IPv6-address]:port"),
                Map.entry("ListenStream=[zz::1]:80", "/u/b.socket:2: ListenStream=[zz::1]:80: not an IPv6 address: zz::1"),
                Map.entry("ListenStream=127.0.0.1:0", "/u/b.socket:2: ListenStream=127.0.0.1:0: port out of range 1..65535: 0"),
                Map.entry("ListenStream=relative/path", "/u/b.socket:2: ListenStream=relative/path: not a socket address"),
                Map.entry("ListenStream=vsock:2:1234", "/u/b.socket:2: ListenStream=vsock:2:1234: AF_VSOCK sockets are not supported"),
                Map.entry("ListenFIFO=fifo", "/u/b.socket:2: ListenFIFO=fifo: ListenFIFO= needs an absolute path"),
                Map.entry("ListenNetlink=audit 1", "/u/b.socket:2: ListenNetlink=audit 1: ListenNetlink= is not supported by jinit"),
                Map.entry("Accept=maybe", "/u/b.socket:2: Accept=maybe: not a boolean"),
                Map.entry("SocketMode=0999", "/u/b.socket:2: SocketMode=0999: not an octal file mode"),
                Map.entry("Backlog=-1", "/u/b.socket:2: Backlog=-1: must not be negative"),
                Map.entry("MaxConnections=0", "/u/b.socket:2: MaxConnections=0: must be at least 1"),
                Map.entry("BindIPv6Only=sometimes", "/u/b.socket:2: BindIPv6Only=sometimes: not default, both or ipv6-only"),
                Map.entry("ReceiveBuffer=lots", "/u/b.socket:2: ReceiveBuffer=lots: not a size"),
                Map.entry("FileDescriptorName=a:b", "/u/b.socket:2: FileDescriptorName=a:b: not a valid descriptor name"),
                Map.entry("Service=other.socket", "/u/b.socket:2: Service=other.socket: Service= must name a service unit"),
                Map.entry("SocketUser=bad user", "/u/b.socket:2: SocketUser=bad user: not a user or group name"),
                Map.entry("ExecStartPre=/bin/true", "/u/b.socket:2: ExecStartPre=/bin/true: ExecStartPre= in a socket unit is not supported"));
        cases.forEach((line, expected) -> {
            UnitBuilder.Result r = build("b.socket", "[Socket]\n" + line + "\nListenStream=/run/ok\n");
            assertTrue(r.failed(), line);
            assertTrue(errors(r).startsWith(expected), line + " -> " + errors(r));
        });
    }

    @Test
    void inconsistentSettingsFailTheUnit() {
        assertTrue(errors(build("n.socket", "[Socket]\nBacklog=3\n"))
                .startsWith("/u/n.socket:2: socket unit has no ListenStream="), "no Listen line");
        assertTrue(errors(build("d.socket", "[Socket]\nListenDatagram=/run/d\nAccept=yes\n"))
                .contains("Accept=yes needs stream or sequential-packet sockets, but ListenDatagram=/run/d (/u/d.socket:2)"));
        assertTrue(errors(build("s.socket", "[Socket]\nListenStream=1\nAccept=yes\nService=x.service\n"))
                .contains("Service=x.service (/u/s.socket:4) cannot be used with Accept=yes"));
        assertTrue(errors(build("l.socket", "[Socket]\nListenStream=1\nSymlinks=/run/l\n"))
                .contains("Symlinks= needs exactly one file-system socket or FIFO, found 0"));
    }

    @Test
    void settingsNotAppliedAreWarnedNotDropped() {
        UnitBuilder.Result r = build("w.socket", "[Socket]\nListenStream=1\nKeepAlive=yes\nNoDelay=yes\nBogus=1\n");
        assertFalse(r.failed(), errors(r));
        List<String> w = r.diagnostics().stream().map(Diagnostic::toString).toList();
        assertTrue(w.contains("/u/w.socket:3: KeepAlive=yes is not applied by jinit; the socket is made without it"), w.toString());
        assertTrue(w.stream().anyMatch(d -> d.contains("unknown directive Bogus in [Socket]")), w.toString());
    }

    @Test
    void standardInputSocketMakesStdoutTheSocketToo() {
        UnitBuilder.Result r = build("t@1.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        Service s = ((ServiceUnit) r.unit()).service();
        assertEquals("socket", s.standardInput());
        assertEquals("socket", s.standardOutput());
        assertEquals("socket", s.effectiveStandardError());
        Service j = ((ServiceUnit) build("t@1.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\nStandardOutput=journal\n")
                .unit()).service();
        assertEquals("journal", j.standardOutput());
        assertTrue(errors(build("t.service", "[Service]\nExecStart=/bin/cat\nStandardInput=tty\n"))
                .contains("StandardInput=tty: tty is not supported by jinit"));
        assertTrue(errors(build("t.service", "[Service]\nExecStart=/bin/cat\nStandardInput=keyboard\n"))
                .contains("StandardInput=keyboard: not an input"));
    }

    @Test
    void aSocketUnitLoadsFromADirectoryWithItsService() {
        LoadResult r = UnitLoader.loadTexts(Path.of("/u"), Map.of(
                "web.socket", "[Socket]\nListenStream=8080\n[Install]\nWantedBy=sockets.target\n",
                "web.service", "[Service]\nExecStart=/bin/true\n"), Fixtures.CTX);
        assertTrue(r.unit("web.socket").orElseThrow() instanceof SocketUnit);
        assertEquals(UnitKind.SOCKET, r.unit("web.socket").orElseThrow().kind());
    }
}
