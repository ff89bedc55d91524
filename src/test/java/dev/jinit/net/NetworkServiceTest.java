package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The network part in this JVM, its thread in a client namespace, against dnsmasq in a server
 * namespace: what happens to a lease when the link's carrier goes and comes back, the lease's MTU,
 * and network-online.target's wait bound.
 */
class NetworkServiceTest {
    private NetNs server, client;
    private Path dir;
    private NetworkService service;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true);

    @BeforeEach
    void network() throws IOException {
        server = NetNs.create("ss");
        client = NetNs.create("sc");
        server.veth("s0", client, "c0");
        server.ip("addr", "add", "10.97.0.1/24", "dev", "s0");
        server.ip("link", "set", "s0", "up");
        dir = Files.createTempDirectory("jinit-netservice-");
    }

    @AfterEach
    void cleanup() {
        if (service != null) service.stop();
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private NetworkService start(String networkFile, Duration waitOnline) throws Exception {
        Path units = Files.createDirectories(dir.resolve("units"));
        Files.writeString(units.resolve("c0.network"), networkFile);
        NetworkFiles.Loaded loaded = NetworkFiles.load(units);
        assertEquals(java.util.List.of(), loaded.diagnostics());
        service = new NetworkService(new NetworkService.Settings(loaded.configs(), dir.resolve("resolv.conf"), dir.resolve("dhcp"),
                dir.resolve("network.json"), waitOnline), log);
        service.start(client::joinOnThisThread);
        return service;
    }

    private JsonObject dhcpStatus() throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("network.json"))).getAsJsonObject()
                .getAsJsonArray("links").get(0).getAsJsonObject().getAsJsonObject("dhcp");
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + logBytes);
            Thread.sleep(100);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private boolean hasAddress(String address) {
        return client.ip("-4", "-o", "addr", "show", "dev", "c0").contains("inet " + address + "/");
    }

    @Test
    void carrierLossKeepsTheLeaseAndItsReturnConfirmsItWithInitReboot() throws Exception {
        try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.97.0.50,10.97.0.60,255.255.255.0,10m",
                "--dhcp-option=option:mtu,1400")) {
            start("""
                    [Match]
                    Name=c0

                    [Network]
                    DHCP=yes

                    [DHCPv4]
                    UseMTU=yes
                    """, Duration.ofSeconds(120));
            assertNull(service.reached().get(60, TimeUnit.SECONDS), "online, not timed out");
            String address = dhcpStatus().get("address").getAsString().replaceAll("/.*", "");
            assertTrue(hasAddress(address));
            // UseMTU=yes: option 26 becomes the link's MTU while the lease lasts.
            assertTrue(client.ip("link", "show", "c0").contains(" mtu 1400 "), client.ip("link", "show", "c0"));
            assertEquals(1400, dhcpStatus().get("mtu").getAsInt());

            // The peer goes down: c0 loses its carrier; the lease stays, marked.
            server.ip("link", "set", "s0", "down");
            await("the lease marked as kept without carrier", () -> {
                try {
                    return dhcpStatus().has("kept_without_carrier_since");
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
            assertTrue(hasAddress(address), "the address stays while the carrier is gone");
            assertTrue(logBytes.toString().contains("c0: carrier lost; lease " + address + " kept"), logBytes.toString());
            String shown = NetworkStatus.render(Files.readString(dir.resolve("network.json")), java.time.Instant.now());
            assertTrue(shown.contains("no carrier") && shown.contains("kept without carrier since"), shown);

            // Carrier back: INIT-REBOOT, a REQUEST for the same address without a DISCOVER, and an ACK.
            String before = dnsmasq.log();
            int discovers = count(before, "DHCPDISCOVER(s0)"), acks = count(before, "DHCPACK(s0) " + address);
            server.ip("link", "set", "s0", "up");
            await("the lease confirmed after the carrier came back", () -> count(dnsmasq.log(), "DHCPACK(s0) " + address) > acks);
            assertEquals(discovers, count(dnsmasq.log(), "DHCPDISCOVER(s0)"), "no DHCPDISCOVER: " + dnsmasq.log());
            await("the mark gone", () -> {
                try {
                    return !dhcpStatus().has("kept_without_carrier_since") && dhcpStatus().get("state").getAsString().equals("BOUND");
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            });
            assertTrue(hasAddress(address));
            assertTrue(logBytes.toString().contains("c0: carrier back; confirming lease " + address + " (INIT-REBOOT)"), logBytes.toString());

            // Released at stop, and the MTU from before the lease comes back.
            service.stop();
            service = null;
            assertTrue(client.ip("link", "show", "c0").contains(" mtu 1500 "), client.ip("link", "show", "c0"));
            assertTrue(!hasAddress(address));
            assertTrue(!Files.exists(dir.resolve("network.json")), "no stale status after the network part stopped");
        }
    }

    @Test
    void networkOnlineIsReachedAfterTheWaitBoundWhenNoServerAnswers() throws Exception {
        start("""
                [Match]
                Name=c0

                [Network]
                DHCP=yes
                """, Duration.ofSeconds(2));
        String note = service.reached().get(60, TimeUnit.SECONDS);
        assertEquals("network: not online after 2 s; network-online.target reached anyway", note);
        assertTrue(!service.online().isDone(), "still not online: no lease");
    }
}
