package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.jinit.linux.LinuxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Netlink against the kernel, in a namespace of the test's own, checked against {@code ip -j}. */
class RouteNetlinkTest {
    private NetNs ns, peer;

    @BeforeEach
    void namespaces() {
        ns = NetNs.create("nl");
        peer = NetNs.create("nlpeer");
        ns.veth("v0", peer, "p0");
    }

    @AfterEach
    void cleanup() {
        if (ns != null) ns.close();
        if (peer != null) peer.close();
    }

    @Test
    void listsLinksAsIpDoes() {
        List<Link> links = ns.inside(() -> {
            try (RouteNetlink nl = RouteNetlink.open()) {
                return nl.links();
            }
        });
        JsonArray ip = ns.ipJson("link", "show");
        assertEquals(ip.size(), links.size(), () -> links + " vs " + ip);
        for (JsonElement e : ip) {
            JsonObject o = e.getAsJsonObject();
            Link l = links.stream().filter(x -> x.index() == o.get("ifindex").getAsInt()).findFirst().orElseThrow();
            String ifname = o.get("ifname").getAsString();
            assertEquals(ifname, l.name());
            assertEquals(o.get("mtu").getAsInt(), l.mtu(), ifname);
            assertEquals(o.get("operstate").getAsString(), l.operState().name(), ifname);
            assertEquals(o.get("address").getAsString(), String.valueOf(l.mac()), ifname);
            boolean upFlag = false;
            for (JsonElement f : o.get("flags").getAsJsonArray()) upFlag |= f.getAsString().equals("UP");
            assertEquals(upFlag, l.up(), ifname);
        }
        assertTrue(links.stream().anyMatch(Link::loopback));
    }

    @Test
    void setsUpDownAndMtuAndReadsThemBack() {
        ns.inside(() -> {
            try (RouteNetlink nl = RouteNetlink.open()) {
                Link v0 = nl.link("v0").orElseThrow();
                assertFalse(v0.up());
                nl.setUp(v0, true);
                nl.setMtu(v0, 1400);
                Link after = nl.link("v0").orElseThrow();
                assertTrue(after.up());
                assertEquals(1400, after.mtu());
                nl.setUp(after, false);
                assertFalse(nl.link("v0").orElseThrow().up());
                LinuxException e = assertThrows(LinuxException.class, () -> nl.setMtu(after, 10));
                assertEquals("EINVAL", e.errnoName(), e.getMessage());
                assertTrue(e.getMessage().contains("RTM_NEWLINK") && e.getMessage().contains("v0 mtu 10"), e.getMessage());
                return null;
            }
        });
        JsonObject ip = ns.ipJson("link", "show", "v0").get(0).getAsJsonObject();
        assertEquals(1400, ip.get("mtu").getAsInt());
    }

    @Test
    void addsAndRemovesAddressesAndRoutes() {
        ns.inside(() -> {
            try (RouteNetlink nl = RouteNetlink.open()) {
                Link v0 = nl.link("v0").orElseThrow();
                nl.setUp(v0, true);
                InterfaceAddress a = InterfaceAddress.withBroadcast(v0.index(), Ipv4.parse("10.77.0.2"), 24);
                nl.addAddress(a);
                LinuxException twice = assertThrows(LinuxException.class, () -> nl.addAddress(a));
                assertEquals("EEXIST", twice.errnoName());
                nl.addAddress(a, true, 600); // replace refreshes, with a lifetime
                assertEquals(List.of(new InterfaceAddress(v0.index(), a.address(), 24, Ipv4.parse("10.77.0.255"), "v0")),
                        nl.addresses(v0.index()));
                nl.addRoute(Route.defaultVia(Ipv4.parse("10.77.0.1"), v0.index(), 77, Route.RTPROT_DHCP), false);
                nl.addRoute(new Route(Ipv4.parse("192.168.50.0"), 24, Ipv4.parse("10.77.0.9"), v0.index(), 5,
                        Route.RT_TABLE_MAIN, Route.RTPROT_BOOT, Route.RT_SCOPE_UNIVERSE), false);
                return null;
            }
        });
        JsonObject addr = findAddr(ns.ipJson("addr", "show", "dev", "v0"), "10.77.0.2");
        assertEquals(24, addr.get("prefixlen").getAsInt());
        assertEquals("10.77.0.255", addr.get("broadcast").getAsString());
        assertTrue(addr.get("valid_life_time").getAsLong() <= 600, addr.toString());
        JsonArray routes = ns.ipJson("route", "show");
        JsonObject def = find(routes, o -> o.get("dst").getAsString().equals("default"));
        assertEquals("10.77.0.1", def.get("gateway").getAsString());
        assertEquals(77, def.get("metric").getAsInt());
        assertEquals("dhcp", def.get("protocol").getAsString());
        JsonObject net = find(routes, o -> o.get("dst").getAsString().equals("192.168.50.0/24"));
        assertEquals("10.77.0.9", net.get("gateway").getAsString());

        List<Route> read = ns.inside(() -> {
            try (RouteNetlink nl = RouteNetlink.open()) {
                List<Route> main = nl.routes().stream().filter(r -> r.table() == Route.RT_TABLE_MAIN).toList();
                for (Route r : main) if (r.protocol() != Route.RTPROT_KERNEL) nl.removeRoute(r);
                nl.removeAddress(nl.addresses(nl.link("v0").orElseThrow().index()).getFirst());
                return main;
            }
        });
        assertEquals(routes.size(), read.size(), () -> read + " vs " + routes);
        assertTrue(read.contains(Route.defaultVia(Ipv4.parse("10.77.0.1"), read.getFirst().ifindex(), 77, Route.RTPROT_DHCP)), read.toString());
        assertEquals("[]", ns.ipJson("route", "show").toString());
        assertEquals("[]", ns.ipJson("addr", "show", "dev", "v0").get(0).getAsJsonObject().get("addr_info").toString());
    }

    @Test
    void linkEventsArriveOnTheLoop() throws Exception {
        BlockingQueue<LinkMonitor.Event> events = new LinkedBlockingQueue<>();
        try (NetLoop loop = new NetLoop("net-test", System.err, ns::joinOnThisThread).start()) {
            loop.post(() -> LinkMonitor.start(loop, events::add));
            // Wait until the monitor is subscribed before the change it must see.
            java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
            loop.post(() -> ready.complete(null));
            ready.get(10, TimeUnit.SECONDS);
            ns.ip("link", "set", "v0", "up");
            awaitEvent(events, e -> e instanceof LinkMonitor.Event.LinkChanged c && c.link().name().equals("v0") && c.link().up()
                    && !c.link().carrier());
            peer.ip("link", "set", "p0", "up"); // the peer comes up: carrier on v0
            awaitEvent(events, e -> e instanceof LinkMonitor.Event.LinkChanged c && c.link().name().equals("v0") && c.link().carrier());
            peer.ip("link", "set", "p0", "down");
            awaitEvent(events, e -> e instanceof LinkMonitor.Event.LinkChanged c && c.link().name().equals("v0") && !c.link().carrier());
            ns.ip("addr", "add", "10.78.0.1/24", "dev", "v0");
            awaitEvent(events, e -> e instanceof LinkMonitor.Event.AddressAdded a && a.address().address().equals(Ipv4.parse("10.78.0.1")));
        }
    }

    private static void awaitEvent(BlockingQueue<LinkMonitor.Event> q, Predicate<LinkMonitor.Event> p) throws InterruptedException {
        List<LinkMonitor.Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            LinkMonitor.Event e = q.poll(100, TimeUnit.MILLISECONDS);
            if (e == null) continue;
            if (p.test(e)) return;
            seen.add(e);
        }
        throw new AssertionError("no matching event; saw " + seen);
    }

    private static JsonObject findAddr(JsonArray links, String address) {
        for (JsonElement l : links)
            for (JsonElement a : l.getAsJsonObject().get("addr_info").getAsJsonArray())
                if (a.getAsJsonObject().get("local").getAsString().equals(address)) return a.getAsJsonObject();
        throw new AssertionError(address + " not in " + links);
    }

    private static JsonObject find(JsonArray a, Predicate<JsonObject> p) {
        for (JsonElement e : a) if (p.test(e.getAsJsonObject())) return e.getAsJsonObject();
        throw new AssertionError("not found in " + a);
    }
}
