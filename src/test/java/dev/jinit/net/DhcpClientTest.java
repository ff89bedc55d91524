package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** jinit's DHCP client against real servers, each side in a namespace of the test's own. */
class DhcpClientTest {
    private NetNs server, client;
    private NetLoop loop;
    private Path state;

    sealed interface Event {
        record Bound(Lease lease, DhcpMachine.State state) implements Event {}
        record Unbound(Lease lease, String reason) implements Event {}
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final DhcpClient.Listener listener = new DhcpClient.Listener() {
        @Override
        public void bound(Link link, Lease lease, DhcpMachine machine) {
            events.add(new Event.Bound(lease, machine.state()));
        }

        @Override
        public void unbound(Link link, Lease lease, String reason) {
            events.add(new Event.Unbound(lease, reason));
        }
    };

    @BeforeEach
    void network() throws Exception {
        server = NetNs.create("dhs");
        client = NetNs.create("dhc");
        server.veth("s0", client, "c0");
        server.ip("addr", "add", "10.99.0.1/24", "dev", "s0");
        server.ip("link", "set", "s0", "up");
        state = Files.createTempDirectory("jinit-dhcp-state-");
        loop = new NetLoop("net-test", System.err, client::joinOnThisThread).start();
    }

    @AfterEach
    void cleanup() {
        if (loop != null) loop.close();
        if (client != null) client.close();
        if (server != null) server.close();
    }

    /** Starts a client on c0 in the client namespace; returns it once started (on the loop). */
    private DhcpClient startClient() throws Exception {
        CompletableFuture<DhcpClient> f = new CompletableFuture<>();
        loop.post(() -> {
            try {
                RouteNetlink nl = RouteNetlink.open();
                Link c0 = nl.link("c0").orElseThrow();
                nl.setUp(c0, true);
                c0 = nl.link("c0").orElseThrow();
                DhcpSettings s = new DhcpSettings(c0.mac(), DhcpSettings.macClientId(c0.mac()), "jinit-test");
                DhcpClient c = new DhcpClient(loop, nl, c0, s, new DhcpClient.Use(true, 1024), new LeaseStore(state),
                        new Random(), listener);
                c.start();
                f.complete(c);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(20, TimeUnit.SECONDS);
    }

    private void stopClient(DhcpClient c, boolean release) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.post(() -> {
            try {
                c.stop(release);
                f.complete(null);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        f.get(20, TimeUnit.SECONDS);
    }

    private <T extends Event> T await(Class<T> type, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Event e = events.poll(200, TimeUnit.MILLISECONDS);
            if (type.isInstance(e)) return type.cast(e);
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + seconds + " s");
    }

    private java.util.Map<String, Integer> delivered(DhcpClient c) throws Exception {
        CompletableFuture<java.util.Map<String, Integer>> f = new CompletableFuture<>();
        loop.post(() -> f.complete(c.delivered()));
        return f.get(10, TimeUnit.SECONDS);
    }

    private JsonObject addressOf(String ip) {
        for (JsonElement l : client.ipJson("addr", "show", "dev", "c0"))
            for (JsonElement a : l.getAsJsonObject().get("addr_info").getAsJsonArray())
                if (a.getAsJsonObject().get("local").getAsString().equals(ip)) return a.getAsJsonObject();
        return null;
    }

    private JsonObject defaultRoute() {
        for (JsonElement r : client.ipJson("route", "show"))
            if (r.getAsJsonObject().get("dst").getAsString().equals("default")) return r.getAsJsonObject();
        return null;
    }

    @Test
    void obtainsALeaseFromUdhcpdAndRenewsItByUnicast() throws Exception {
        try (DhcpServer udhcpd = DhcpServer.udhcpd(server, "s0", "10.99.0.1", "10.99.0.100", "10.99.0.150", 8, "")) {
            DhcpClient c = startClient();
            Event.Bound bound = await(Event.Bound.class, 60);
            Lease lease = bound.lease();
            assertTrue(lease.address().toString().startsWith("10.99.0.1"), lease.toString());
            assertEquals(24, lease.prefix());
            assertEquals(List.of(Ipv4.parse("10.99.0.53"), Ipv4.parse("10.99.0.54")), lease.dns());
            assertEquals("test.lan", lease.domain());
            assertEquals(Ipv4.parse("10.99.0.1"), lease.server());
            JsonObject a = addressOf(lease.address().toString());
            assertTrue(a != null, () -> client.ip("addr"));
            assertEquals(24, a.get("prefixlen").getAsInt());
            assertEquals("10.99.0.255", a.get("broadcast").getAsString());
            JsonObject def = defaultRoute();
            assertEquals("10.99.0.1", def.get("gateway").getAsString(), def.toString());
            assertEquals(1024, def.get("metric").getAsInt());

            // udhcpd answers a client without an address by broadcast (OFFER and ACK, maybe retransmitted ones).
            assertTrue(delivered(c).getOrDefault("broadcast", 0) >= 2 && !delivered(c).containsKey("unicast"), delivered(c).toString());

            // T1 is 4 s of an 8 s lease: the renewal is a unicast REQUEST answered by an ACK for the same address.
            Event.Bound renewed = await(Event.Bound.class, 30);
            assertEquals(lease.address(), renewed.lease().address());
            assertTrue(delivered(c).getOrDefault("udp", 0) >= 1, "the renewal's ACK came to the bound UDP socket: " + delivered(c));
            assertTrue(udhcpd.alive(), udhcpd.log());
            stopClient(c, true);
            Event.Unbound gone = await(Event.Unbound.class, 10);
            assertEquals("released", gone.reason());
            assertEquals(null, addressOf(lease.address().toString()));
        }
    }

    @Test
    void obtainsALeaseFromDnsmasq() throws Exception {
        try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.99.0.20,10.99.0.30,255.255.255.0,2m",
                "--dhcp-option=option:dns-server,10.99.0.53", "--dhcp-option=option:domain-name,example.test")) {
            DhcpClient c = startClient();
            Event.Bound bound = await(Event.Bound.class, 60);
            Lease lease = bound.lease();
            assertTrue(lease.address().toString().matches("10\\.99\\.0\\.(2[0-9]|30)"), lease.toString());
            assertEquals(120, lease.leaseSeconds());
            assertEquals(List.of(Ipv4.parse("10.99.0.53")), lease.dns());
            assertEquals("example.test", lease.domain());
            assertTrue(addressOf(lease.address().toString()) != null);
            assertEquals("10.99.0.1", defaultRoute().get("gateway").getAsString());
            String log = dnsmasq.log();
            assertTrue(log.contains("DHCPACK(s0) " + lease.address()), log);
            assertTrue(log.contains("jinit-test"), "host name sent: " + log);
            // dnsmasq answers by unicast to the offered address before the client has it: the packet socket takes it.
            assertTrue(delivered(c).getOrDefault("unicast", 0) >= 2 && !delivered(c).containsKey("broadcast"), delivered(c).toString());
            stopClient(c, false);
        }
    }

    @Test
    void serverGoneRebindsThenTheAddressGoesAtExpiry() throws Exception {
        Lease lease;
        try (DhcpServer udhcpd = DhcpServer.udhcpd(server, "s0", "10.99.0.1", "10.99.0.100", "10.99.0.150", 10, "")) {
            startClient();
            lease = await(Event.Bound.class, 60).lease();
            assertTrue(addressOf(lease.address().toString()) != null);
        }
        // The server is gone: T1 renewals and T2 rebinds go unanswered; at 10 s the lease expires.
        Event.Unbound gone = await(Event.Unbound.class, 30);
        assertEquals("lease expired", gone.reason());
        assertEquals(lease.address(), gone.lease().address());
        assertEquals(null, addressOf(lease.address().toString()), "expired address removed");
        assertEquals(null, defaultRoute(), "its default route too");
    }

    @Test
    void aNakFromARestartedServerRestartsDiscovery() throws Exception {
        Lease first;
        try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.99.0.20,10.99.0.30,255.255.255.0,2m")) {
            DhcpClient c = startClient();
            first = await(Event.Bound.class, 60).lease();
            stopClient(c, false); // remembered, not released: the next client asks for it again (INIT-REBOOT)
            await(Event.Unbound.class, 10);
        }
        try (DhcpServer renumbered = DhcpServer.dnsmasq(server, "s0", "10.99.0.200,10.99.0.210,255.255.255.0,2m")) {
            startClient();
            Event.Bound bound = await(Event.Bound.class, 60);
            String log = renumbered.log();
            assertTrue(log.contains("DHCPNAK(s0) " + first.address()), "INIT-REBOOT for the old address refused: " + log);
            assertTrue(bound.lease().address().toString().matches("10\\.99\\.0\\.2(0[0-9]|10)"), bound.lease().toString());
            assertTrue(addressOf(bound.lease().address().toString()) != null);
            assertEquals(null, addressOf(first.address().toString()));
        }
    }

    @Test
    void malformedRepliesAreCountedNotApplied() throws Exception {
        // No server: the client discovers; the test injects broken replies from the server side.
        DhcpClient c = startClient();
        byte[] garbage = new byte[100];
        for (int i = 0; i < 3; i++) {
            server.inside(() -> {
                try (java.net.DatagramSocket s = new java.net.DatagramSocket(new java.net.InetSocketAddress("10.99.0.1", 67))) {
                    s.setBroadcast(true);
                    s.send(new java.net.DatagramPacket(garbage, garbage.length, java.net.InetAddress.getByName("10.99.0.255"), 68));
                }
                return null;
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        java.util.Map<String, Integer> counted = java.util.Map.of();
        while (System.nanoTime() < deadline) {
            CompletableFuture<java.util.Map<String, Integer>> f = new CompletableFuture<>();
            loop.post(() -> f.complete(c.malformed()));
            counted = f.get(10, TimeUnit.SECONDS);
            if (counted.values().stream().mapToInt(Integer::intValue).sum() >= 3) break;
            Thread.sleep(100);
        }
        assertEquals(java.util.Map.of("truncated DHCP packet: N bytes", 3), counted);
        assertEquals(null, events.poll(), "nothing applied");
    }
}
