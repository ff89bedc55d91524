package dev.jinit.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher against a real dbus-daemon (a private bus of its own, so nothing of the machine's is
 * touched), with the name owned and released by another client (python3-dbus, libdbus): every owner
 * the bus reports arrives, the current one first.
 */
class BusNameWatcherTest {
    static final String NAME = "org.example.JinitWatch";
    static final long WAIT_SECONDS = 60;

    record Owner(String name, String owner) {}

    @Test
    void reportsTheCurrentOwnerThenEveryChange(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")), "dbus-daemon is installed by .ci/run");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3-dbus owns the name");
        Path socket = dir.resolve("bus");
        String address = "unix:path=" + socket;
        Process bus = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + address,
                "--print-address").redirectErrorStream(true).start();
        Process owner = null;
        BlockingQueue<Owner> seen = new LinkedBlockingQueue<>();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        try (BufferedReader busOut = new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.UTF_8));
             BusNameWatcher w = new BusNameWatcher(address, (int) Files.getAttribute(dir, "unix:uid"),
                     (n, o) -> seen.add(new Owner(n, o)), new PrintStream(errors, true))) {
            assertNotNull(busOut.readLine(), "dbus-daemon printed no address");
            w.watch(NAME);
            Owner first = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(new Owner(NAME, null), first, errors.toString());

            owner = new ProcessBuilder("/usr/bin/python3", "-c", """
                    import dbus, sys
                    b = dbus.bus.BusConnection(sys.argv[1])
                    b.request_name(sys.argv[2])
                    print(b.get_unique_name(), flush=True)
                    sys.stdin.read()
                    """, address, NAME).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String unique = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(unique, "the python client did not take the name");
            Owner acquired = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(new Owner(NAME, unique), acquired, errors.toString());

            owner.getOutputStream().close(); // it reads EOF and exits: the bus releases the name
            assertTrue(owner.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
            Owner released = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(new Owner(NAME, null), released, errors.toString());

            // Watching again asks again.
            w.watch(NAME);
            assertEquals(new Owner(NAME, null), seen.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            // Names nobody watches are not reported.
            assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
        } finally {
            if (owner != null) owner.destroyForcibly();
            bus.destroyForcibly();
            bus.waitFor();
        }
    }

    @Test
    void aBusThatComesLaterIsConnectedToAndAsked(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")), "dbus-daemon is installed by .ci/run");
        Path socket = dir.resolve("bus");
        String address = "unix:path=" + socket;
        BlockingQueue<Owner> seen = new LinkedBlockingQueue<>();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        Process bus = null;
        try (BusNameWatcher w = new BusNameWatcher(address, (int) Files.getAttribute(dir, "unix:uid"),
                (n, o) -> seen.add(new Owner(n, o)), new PrintStream(errors, true))) {
            w.watch("org.freedesktop.DBus"); // the bus owns its own name
            assertNull(seen.poll(300, TimeUnit.MILLISECONDS)); // no bus yet: nothing to report
            bus = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + address)
                    .redirectErrorStream(true).start();
            Owner o = seen.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(new Owner("org.freedesktop.DBus", "org.freedesktop.DBus"), o, errors.toString());
            assertTrue(errors.toString().contains("cannot connect"), errors.toString());
        } finally {
            if (bus != null) {
                bus.destroyForcibly();
                bus.waitFor();
            }
        }
    }

    @Test
    void onlyUnixPathAddressesAreAccepted() {
        DBusException e = assertThrows(DBusException.class,
                () -> new BusNameWatcher("tcp:host=localhost,port=1", 0, (n, o) -> { }, System.err));
        assertTrue(e.getMessage().contains("tcp:host=localhost"), e.getMessage());
        assertEquals(Path.of("/run/dbus/system_bus_socket"), Connection.socketPath(Connection.DEFAULT_SYSTEM_BUS));
        assertEquals(Path.of("/tmp/a b"), Connection.socketPath("unix:abstract=x;unix:path=/tmp/a%20b,guid=1"));
    }

    @Test
    void aMethodCallReadsBackAndBrokenMessagesAreRefused() {
        byte[] m = Message.methodCall(7, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetNameOwner", "org.example.X");
        byte[] fixed = java.util.Arrays.copyOf(m, 16);
        assertEquals(m.length, Message.totalLength(fixed));
        Message back = Message.parse(m);
        assertEquals(Message.METHOD_CALL, back.type());
        assertEquals(7, back.serial());
        assertEquals("GetNameOwner", back.member());
        assertEquals("org.freedesktop.DBus", back.iface());
        assertEquals("/org/freedesktop/DBus", back.path());
        assertEquals("s", back.signature());
        assertEquals(java.util.List.of("org.example.X"), back.args());
        // Cut short, or with a body length that does not match: an error, never a wrong message.
        assertThrows(DBusException.class, () -> Message.parse(java.util.Arrays.copyOf(m, m.length - 3)));
        byte[] wrongEndian = m.clone();
        wrongEndian[0] = 'x';
        assertThrows(DBusException.class, () -> Message.totalLength(wrongEndian));
    }
}
