package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * Socket units under a real {@code jinit run} (systemd.socket(5)): the sockets are bound at the socket's start and
 * the service is not running until traffic comes; an Accept=no service gets them from descriptor 3 with
 * LISTEN_FDS, LISTEN_FDNAMES and its own pid in LISTEN_PID, checked by a python3 service written to
 * sd_listen_fds(3); Accept=yes runs one template instance per connection with the connection as stdin and stdout;
 * a FIFO activates its Service=; and Debian's own dbus.socket + dbus.service serve a dbus-send query.
 */
class SocketActivationTest {
    /** sd_listen_fds(3) in python: checks LISTEN_PID against its pid, answers each connection with what it got. */
    private static final String LISTENER = """
            import os, socket, selectors, sys
            ok = os.environ.get("LISTEN_PID") == str(os.getpid())
            n = int(os.environ.get("LISTEN_FDS", "0"))
            names = os.environ.get("LISTEN_FDNAMES", "")
            types = []
            socks = []
            for i in range(n):
                s = socket.socket(fileno=3 + i)
                types.append({socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "dgram"}[s.type])
                socks.append(s)
            info = "pidok=%s fds=%d names=%s types=%s blocking=%s" % (ok, n, names, ",".join(types), all(s.getblocking() for s in socks))
            print(info, flush=True)
            sel = selectors.DefaultSelector()
            for s in socks: sel.register(s, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    s = key.fileobj
                    if s.type == socket.SOCK_DGRAM:
                        data = s.recv(512)
                        with open(sys.argv[1], "a") as f: f.write(data.decode() + "\\n")
                    else:
                        c, _ = s.accept()
                        c.sendall((info + " pid=%d\\n" % os.getpid()).encode()); c.close()
            """;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String ask(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void acceptNoStartsTheServiceOnFirstTrafficWithNamedDescriptors() throws Exception {
        JinitRun layout = JinitRun.layout("socket-accept-no");
        int port = freePort();
        Path script = Files.writeString(layout.root.resolve("listener.py"), LISTENER);
        Path unixPath = layout.root.resolve("sockets/act.sock");
        Path dgram = layout.root.resolve("sockets/act.dgram");
        Path received = layout.root.resolve("received");
        layout.unit("act.socket", """
                [Unit]
                Description=Activation sockets
                [Socket]
                ListenStream=127.0.0.1:%d
                ListenStream=%s
                ListenDatagram=%s
                FileDescriptorName=act
                SocketMode=0660
                DirectoryMode=0750
                [Install]
                WantedBy=multi-user.target
                """.formatted(port, unixPath, dgram));
        layout.unit("act.service", """
                [Service]
                ExecStart=/usr/bin/python3 %s %s
                """.formatted(script, received));
        try (JinitRun j = layout.start()) {
            JinitRun.Client socket = j.awaitStatus("act.socket", "active (listening)");
            assertTrue(socket.out().contains("ListenStream=127.0.0.1:" + port), socket.toString());
            assertTrue(j.client("status", "act.service").out().contains("inactive (dead)"), "not started before traffic");
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(unixPath)), "SocketMode=");
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(unixPath.getParent())), "DirectoryMode=");

            String answer = ask(port);
            assertTrue(answer.startsWith("pidok=True fds=3 names=act:act:act types=stream,stream,dgram blocking=True"), answer);
            j.awaitStatus("act.socket", "active (running)");
            String pid = answer.substring(answer.indexOf(" pid=") + 5);
            // While it runs, the service itself takes the traffic: the same process answers on the Unix socket.
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(unixPath))) {
                String viaUnix = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8)).readLine();
                assertTrue(viaUnix.endsWith(" pid=" + pid), viaUnix);
            }

            // Once the service is stopped the socket listens again, and a datagram starts a new service.
            assertEquals(0, j.client("stop", "act.service").code());
            j.awaitStatus("act.socket", "active (listening)");
            try (dev.jinit.linux.Fd d = dev.jinit.linux.UnixSocket.socket(dev.jinit.linux.UnixSocket.SOCK_DGRAM)) {
                dev.jinit.linux.UnixSocket.sendTo(d, "ping".getBytes(StandardCharsets.UTF_8), dgram.toString());
            }
            j.await("the datagram reaching a newly activated service", () -> {
                try {
                    return Files.exists(received) && Files.readString(received).contains("ping");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            JinitRun.Client service = j.awaitStatus("act.service", "active (running)");
            assertTrue(!service.out().contains("Main PID: " + pid + " "), "a new process: " + service);

            // Stopping the socket closes it; the service keeps what it has (as in systemd).
            assertEquals(0, j.client("stop", "act.socket").code());
            j.awaitStatus("act.socket", "inactive (dead)");
        }
    }

    @Test
    void acceptYesRunsOneInstancePerConnectionOnItsStdio() throws Exception {
        JinitRun layout = JinitRun.layout("socket-accept-yes");
        int port = freePort();
        layout.unit("greet.socket", """
                [Socket]
                ListenStream=127.0.0.1:%d
                Accept=yes
                MaxConnections=1
                [Install]
                WantedBy=multi-user.target
                """.formatted(port));
        layout.unit("greet@.service", """
                [Service]
                ExecStart=/bin/sh -c 'read line; echo "%i got $line fds=$LISTEN_FDS names=$LISTEN_FDNAMES"; read wait'
                StandardInput=socket
                StandardError=journal
                """);
        try (JinitRun j = layout.start()) {
            j.awaitStatus("greet.socket", "active (listening)");
            try (Socket first = new Socket("127.0.0.1", port)) {
                first.setSoTimeout(30_000);
                OutputStream out = first.getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                BufferedReader in = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
                String line = in.readLine();
                String instance = "0-127.0.0.1:" + port + "-127.0.0.1:" + first.getLocalPort();
                assertEquals(instance + " got hello fds=1 names=connection", line);
                j.awaitStatus("greet@" + instance + ".service", "active (running)");
                assertTrue(j.client("status", "greet.socket").out().contains("Connections: 1"));

                // MaxConnections=1: a second connection while the first instance runs is closed at once.
                try (Socket second = new Socket("127.0.0.1", port)) {
                    second.setSoTimeout(30_000);
                    assertEquals(-1, second.getInputStream().read(), "refused connection is closed");
                }
                out.write("bye\n".getBytes(StandardCharsets.UTF_8));
                j.await("the instance forgotten once it ended", () ->
                        !j.client("status").out().contains("greet@" + instance));
            }
            // The next connection gets the next number (a refused one is not counted, as in systemd).
            try (Socket third = new Socket("127.0.0.1", port)) {
                third.setSoTimeout(30_000);
                third.getOutputStream().write("again\n".getBytes(StandardCharsets.UTF_8));
                third.shutdownOutput();
                String line = new BufferedReader(new InputStreamReader(third.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertTrue(line.startsWith("1-127.0.0.1:" + port + "-"), line);
            }
        }
    }

    @Test
    void fifoActivatesItsService() throws Exception {
        JinitRun layout = JinitRun.layout("socket-fifo");
        Path fifo = layout.root.resolve("ctl.fifo");
        Path got = layout.root.resolve("got");
        layout.unit("ctl.socket", """
                [Socket]
                ListenFIFO=%s
                Service=reader.service
                SocketMode=0600
                [Install]
                WantedBy=multi-user.target
                """.formatted(fifo));
        layout.unit("reader.service", """
                [Service]
                ExecStart=/bin/sh -c 'echo "fds=$LISTEN_FDS names=$LISTEN_FDNAMES" > %s; head -n1 <&3 >> %s; sleep 1000'
                """.formatted(got, got));
        try (JinitRun j = layout.start()) {
            j.awaitStatus("ctl.socket", "active (listening)");
            assertEquals(0010000, (Integer) Files.getAttribute(fifo, "unix:mode") & 0170000, "a FIFO");
            assertTrue(j.client("status", "reader.service").out().contains("inactive (dead)"));
            Files.writeString(fifo, "command\n");
            j.await("the reader activated by the FIFO", () -> {
                try {
                    return Files.exists(got) && Files.readString(got).equals("fds=1 names=ctl.socket\ncommand\n");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            j.awaitStatus("ctl.socket", "active (running)");
        }
    }

    /** Debian's dbus.socket and dbus.service, unmodified: dbus-daemon --address=systemd: takes the socket. */
    @Test
    void debianDbusFromItsSocketUnit() throws Exception {
        Path socket = Path.of("/run/dbus/system_bus_socket");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")),
                "dbus is installed by .ci/run");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(socket) && canConnect(socket),
                "a system bus already runs on this machine");
        JinitRun layout = JinitRun.layout("socket-dbus");
        for (String f : new String[] {"dbus.socket", "dbus.service"})
            Files.copy(Path.of("/lib/systemd/system", f), layout.units.resolve(f));
        try (JinitRun j = layout.start()) {
            assertEquals(0, j.client("start", "dbus.service").code(), j.output());
            JinitRun.Client s = j.awaitStatus("dbus.socket", "active (running)");
            assertTrue(s.out().contains("ListenStream=/run/dbus/system_bus_socket"), s.toString());
            Process p = new ProcessBuilder("dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                    "org.freedesktop.DBus.ListNames").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("string \"org.freedesktop.DBus\""), out);
        }
    }

    private static boolean canConnect(Path p) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
