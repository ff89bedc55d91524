package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Type=dbus with Debian's own unit files, unmodified: dbus.socket + dbus.service give the system bus
 * (dbus-daemon --address=systemd: takes jinit's socket), avahi-daemon.service (Type=dbus,
 * BusName=org.freedesktop.Avahi, Requires=avahi-daemon.socket) is up once it owns its name, and a
 * real client asks it over the bus. The bus is the machine's path (/run/dbus/system_bus_socket), so
 * these tests skip where a system bus already runs.
 */
class DebianDbusTest {
    static final Path BUS = Path.of("/run/dbus/system_bus_socket");

    private static void assumeDebianPackages(String... files) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dbus-daemon")), "dbus is installed by .ci/run");
        for (String f : files)
            Assumptions.assumeTrue(Files.exists(Path.of("/lib/systemd/system", f)), f + " is installed by .ci/run");
        Assumptions.assumeFalse(Files.exists(BUS) && canConnect(BUS), "a system bus already runs on this machine");
    }

    private static JinitRun layout(String name, String... debianUnits) throws Exception {
        JinitRun layout = JinitRun.layout(name).inOwnNetworkNamespace();
        for (String f : debianUnits) Files.copy(Path.of("/lib/systemd/system", f), layout.units.resolve(f));
        return layout;
    }

    @Test
    void avahiDaemonIsUpOnceItOwnsItsBusNameAndAnswersOverTheBus() throws Exception {
        assumeDebianPackages("dbus.socket", "dbus.service", "avahi-daemon.socket", "avahi-daemon.service");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/avahi-daemon")), "avahi-daemon is installed by .ci/run");
        JinitRun layout = layout("dbus-avahi", "dbus.socket", "dbus.service", "avahi-daemon.socket", "avahi-daemon.service");
        try (JinitRun j = layout.start()) {
            // The start job ends when the name is acquired (Type=dbus), not when the process is spawned.
            JinitRun.Client start = j.client("start", "avahi-daemon.service");
            assertEquals(0, start.code(), start + j.output());
            JinitRun.Client s = j.awaitStatus("avahi-daemon.service", "active (running)");
            // Type=dbus pulled in the bus socket (Requires=/After= dbus.socket), which started dbus.service.
            j.awaitStatus("dbus.socket", "active (running)");
            j.awaitStatus("dbus.service", "active (running)");
            assertTrue(j.client("status", "avahi-daemon.socket").out().contains("active (running)"), s.toString());

            String version = dbusSend(j, "--dest=org.freedesktop.Avahi", "/", "org.freedesktop.Avahi.Server.GetVersionString");
            assertTrue(version.contains("string \"avahi "), version);
            String owner = dbusSend(j, "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.Avahi");
            int mainPid = mainPid(s.out());
            assertTrue(owner.contains("uint32 " + mainPid), "the name's owner is the unit's main process " + mainPid
                    + "\n" + owner + "\n" + s);

            // Stopping it is stopping a simple service: SIGTERM, and it is gone (dead, not failed).
            JinitRun.Client stop = j.client("stop", "avahi-daemon.service");
            assertEquals(0, stop.code(), stop + j.output());
            JinitRun.Client after = j.awaitStatus("avahi-daemon.service", "inactive (dead)");
            assertTrue(!JinitRun.alive(mainPid), after + j.output());
            // ...and started again, the new run waits for the name afresh.
            assertEquals(0, j.client("start", "avahi-daemon.service").code(), j.output());
            j.awaitStatus("avahi-daemon.service", "active (running)");
            assertTrue(dbusSend(j, "--dest=org.freedesktop.Avahi", "/", "org.freedesktop.Avahi.Server.GetHostName")
                    .contains("string \""));
            assertEquals(0, j.terminate(), j.output());
        }
    }

    /**
     * systemd.service(5): once the bus name is released the service is no longer functional, and its
     * remaining processes are stopped. The holder keeps running after releasing its name: jinit stops it.
     */
    @Test
    void aServiceThatReleasesItsBusNameIsStopped() throws Exception {
        assumeDebianPackages("dbus.socket", "dbus.service");
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/share/dbus-1/system.d/avahi-dbus.conf")),
                "avahi's bus policy lets root own org.freedesktop.Avahi");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3-dbus holds the name");
        JinitRun layout = layout("dbus-release", "dbus.socket", "dbus.service");
        Path release = layout.root.resolve("release-now");
        Path stillRunning = layout.root.resolve("released-and-alive");
        layout.unit("holder.service", """
                [Unit]
                Description=holds a bus name until told to let it go
                [Service]
                BusName=org.freedesktop.Avahi
                ExecStart=/usr/bin/python3 -c "import dbus, os, sys, time; b = dbus.SystemBus(); b.request_name('org.freedesktop.Avahi'); [time.sleep(0.05) for _ in iter(lambda: os.path.exists(sys.argv[1]), True)]; b.release_name('org.freedesktop.Avahi'); open(sys.argv[2], 'w').close(); time.sleep(3600)" %s %s
                """.formatted(release, stillRunning));
        try (JinitRun j = layout.start()) {
            assertEquals(0, j.client("start", "holder.service").code(), j.output());
            JinitRun.Client s = j.awaitStatus("holder.service", "active (running)");
            int pid = mainPid(s.out());
            Files.writeString(release, "");
            j.await("the holder released its name", () -> Files.exists(stillRunning));
            JinitRun.Client after = j.awaitStatus("holder.service", "inactive (dead)");
            j.await("the holder stopped by jinit", () -> !JinitRun.alive(pid));
            assertTrue(after.out().contains("org.freedesktop.Avahi released"), after + j.output());
            assertEquals(0, j.terminate(), j.output());
        }
    }

    private static int mainPid(String status) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Main PID: (\\d+)").matcher(status);
        assertTrue(m.find(), status);
        return Integer.parseInt(m.group(1));
    }

    /**
     * dbus-send --system in jinit's network namespace is not needed (a Unix socket path is reached
     * from any namespace of the same mount namespace), so it runs from the test directly.
     */
    private static String dbusSend(JinitRun j, String... args) throws Exception {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("dbus-send", "--system", "--print-reply"));
        argv.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dbus-send did not end");
        assertEquals(0, p.exitValue(), out + j.output());
        return out;
    }

    private static boolean canConnect(Path p) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
