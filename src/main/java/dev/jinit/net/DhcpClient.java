package dev.jinit.net;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.PacketSocket;
import dev.jinit.linux.UdpSocket;
import dev.jinit.supervise.Clock;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Runs a {@link DhcpMachine} for one link on the {@link NetLoop}: moves its packets and applies its
 * effects. Before the link has an address, packets go through a packet socket (the server may answer
 * by unicast to the address it offers, which the kernel's UDP stack would drop); once bound, renewals
 * are unicast through a UDP socket bound to the link. The lease's address and routes are set through
 * netlink; the address gets the lease time as kernel lifetime too, so it cannot outlive the lease.
 */
public final class DhcpClient {
    static final int CLIENT_PORT = 68, SERVER_PORT = 67;

    /** Told on the loop thread when the lease is applied or removed. */
    public interface Listener {
        void bound(Link link, Lease lease, DhcpMachine machine);

        void unbound(Link link, Lease lease, String reason);
    }

    /** How the lease is used: networkd's UseRoutes=, RouteMetric=, UseMTU=. */
    public record Use(boolean routes, int routeMetric, boolean mtu) {
        public Use(boolean routes, int routeMetric) {
            this(routes, routeMetric, false);
        }
    }

    private final NetLoop loop;
    private final RouteNetlink netlink;
    private final Link link;
    private final DhcpMachine machine;
    private final Use use;
    private final LeaseStore store;
    private final Listener listener;
    private final Map<String, Integer> malformed = new TreeMap<>();
    private final Map<String, Integer> delivered = new TreeMap<>();
    private Fd packet, udp;
    private NetLoop.Registration packetWatch, udpWatch;
    private Clock.Timer timer;
    private List<Route> routes = List.of();
    /** The link's MTU before the lease's option 26 was applied, restored when the lease goes; 0 when not changed. */
    private int mtuBefore;

    public DhcpClient(NetLoop loop, RouteNetlink netlink, Link link, DhcpSettings settings, Use use, LeaseStore store,
                      RandomGenerator random, Listener listener) {
        this.loop = loop;
        this.netlink = netlink;
        this.link = link;
        this.machine = new DhcpMachine(settings, random);
        this.use = use;
        this.store = store;
        this.listener = listener;
    }

    public Link link() {
        return link;
    }

    public DhcpMachine machine() {
        return machine;
    }

    /** Packets that could not be decoded, by reason (the machine counts the ones it refused). */
    public Map<String, Integer> malformed() {
        return Map.copyOf(malformed);
    }

    /**
     * Replies decoded, by how they came: "broadcast" or "unicast" on the packet socket before the
     * address exists (udhcpd broadcasts to a client without an address, dnsmasq unicasts to the offered
     * one), "udp" once bound.
     */
    public Map<String, Integer> delivered() {
        return Map.copyOf(delivered);
    }

    /** Loop thread: starts, with INIT-REBOOT when a lease of this link is remembered. */
    public void start() {
        LeaseStore.Remembered r = store == null ? null : store.load(link.name(), System.currentTimeMillis());
        apply(machine.start(loop.millis(), r == null ? null : r.address()));
    }

    /**
     * Loop thread: the link's carrier came back after a loss: with a lease, INIT-REBOOT to confirm it
     * (see {@link DhcpMachine#carrierBack}); without, discovery at once.
     */
    public void carrierBack() {
        apply(machine.carrierBack(loop.millis()));
    }

    /** Loop thread: stops, releasing the lease when asked, and removes its address and routes. */
    public void stop(boolean release) {
        apply(machine.stop(loop.millis(), release));
        if (timer != null) timer.cancel();
        closePacket();
        closeUdp();
    }

    private void apply(List<DhcpMachine.Effect> effects) {
        for (DhcpMachine.Effect e : effects) {
            switch (e) {
                case DhcpMachine.Effect.Send s -> send(s.message(), s.destination());
                case DhcpMachine.Effect.Bind b -> bind(b.lease(), b.previous());
                case DhcpMachine.Effect.Unbind u -> unbind(u.lease(), u.reason());
            }
        }
        if (machine.state() == DhcpMachine.State.BOUND) closePacket();
        if (timer != null) timer.cancel();
        long at = machine.deadline();
        timer = at == Long.MAX_VALUE ? null : loop.schedule(at, () -> apply(machine.tick(loop.millis())));
    }

    private void send(DhcpMessage m, Ipv4 destination) {
        byte[] payload = DhcpCodec.encode(m);
        try {
            if (destination.equals(Ipv4.BROADCAST)) {
                Fd fd = packetSocket();
                byte[] frame = Ipv4Udp.frame(m.ciaddr(), Ipv4.BROADCAST, CLIENT_PORT, SERVER_PORT, payload);
                PacketSocket.send(fd, link.index(), MacAddress.ETHERNET_BROADCAST.bytes(), frame,
                        DhcpMessage.typeName(m.type()) + " on " + link.name());
            } else {
                UdpSocket.sendTo(udpSocket(), payload, destination.bits(), SERVER_PORT);
            }
        } catch (LinuxException e) {
            // A link that went down, a full queue: the retransmission timer tries again.
            malformed.merge("send failed: " + e.errnoName(), 1, Integer::sum);
        }
    }

    private void bind(Lease lease, Lease previous) {
        long validSeconds = Math.min(lease.leaseSeconds(), 0xffff_fffeL);
        netlink.addAddress(new InterfaceAddress(link.index(), lease.address(), lease.prefix(), lease.broadcast(), null), true,
                validSeconds);
        List<Route> wanted = use.routes() ? routesFor(lease) : List.of();
        for (Route r : routes) if (!wanted.contains(r)) quietly(() -> netlink.removeRoute(r));
        for (Route r : wanted) netlink.addRoute(r, true);
        routes = wanted;
        if (use.mtu() && lease.mtu() > 0) applyMtu(lease.mtu());
        if (store != null) {
            try {
                store.save(link.name(), lease, System.currentTimeMillis() + (machine.expiresAt() - loop.millis()));
            } catch (IOException e) {
                malformed.merge("lease file not written: " + e.getMessage(), 1, Integer::sum);
            }
        }
        udpSocket();
        listener.bound(link, lease, machine);
    }

    /** The default route through the first router; a router outside the subnet is first made reachable on the link. */
    private List<Route> routesFor(Lease lease) {
        Ipv4 gw = lease.gateway();
        if (gw == null) return List.of();
        if (gw.network(lease.prefix()).equals(lease.address().network(lease.prefix())))
            return List.of(Route.defaultVia(gw, link.index(), use.routeMetric(), Route.RTPROT_DHCP));
        return List.of(Route.onLink(gw, 32, link.index(), use.routeMetric(), Route.RTPROT_DHCP),
                Route.defaultVia(gw, link.index(), use.routeMetric(), Route.RTPROT_DHCP));
    }

    /** Option 26 (RFC 2132 section 5.1), as networkd's UseMTU=: the link's MTU while the lease lasts. */
    private void applyMtu(int mtu) {
        int current = netlink.link(link.index()).map(Link::mtu).orElse(link.mtu());
        if (current == mtu) return;
        try {
            netlink.setMtu(link, mtu);
            if (mtuBefore == 0) mtuBefore = current;
        } catch (LinuxException e) {
            malformed.merge("MTU " + mtu + " not set: " + e.errnoName(), 1, Integer::sum);
        }
    }

    private void unbind(Lease lease, String reason) {
        if (mtuBefore != 0) {
            int restore = mtuBefore;
            mtuBefore = 0;
            try {
                netlink.setMtu(link, restore);
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENODEV) malformed.merge("MTU " + restore + " not restored: " + e.errnoName(), 1, Integer::sum);
            }
        }
        for (Route r : routes.reversed()) quietly(() -> netlink.removeRoute(r));
        routes = List.of();
        quietly(() -> netlink.removeAddress(new InterfaceAddress(link.index(), lease.address(), lease.prefix(), lease.broadcast(), null)));
        closeUdp();
        if (store != null && !reason.equals("released") && !reason.equals("stopped")) {
            try {
                store.forget(link.name());
            } catch (IOException ignored) {
                // an unreadable file is ignored at the next start anyway
            }
        }
        listener.unbound(link, lease, reason);
    }

    /** Removal of what is already gone (the kernel's lifetime ran out, an admin removed it) is not an error. */
    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (LinuxException e) {
            int n = e.errno();
            if (n != Errno.ESRCH && n != Errno.ENOENT && n != 99 /* EADDRNOTAVAIL */ && n != Errno.ENODEV) throw e;
        }
    }

    // ---- sockets

    private Fd packetSocket() {
        if (packet == null) {
            packet = PacketSocket.open(link.index(), link.name());
            packetWatch = loop.watch(packet, this::readPacket);
        }
        return packet;
    }

    private Fd udpSocket() {
        if (udp == null) {
            udp = UdpSocket.open(link.name(), 0, CLIENT_PORT);
            udpWatch = loop.watch(udp, this::readUdp);
        }
        return udp;
    }

    private void closePacket() {
        if (packet != null) {
            packetWatch.close();
            packet.close();
            packet = null;
        }
    }

    private void closeUdp() {
        if (udp != null) {
            udpWatch.close();
            udp.close();
            udp = null;
        }
    }

    private void readPacket() {
        for (int i = 0; i < 64 && packet != null; i++) {
            PacketSocket.Packet p = PacketSocket.receive(packet, 4096);
            if (p == null) return;
            if (p.packetType() == PacketSocket.PACKET_OUTGOING || p.packetType() == PacketSocket.PACKET_OTHERHOST) continue;
            Ipv4Udp.Datagram d = Ipv4Udp.parse(p.data(), p.checksumNotReady());
            // Every IPv4 packet of the link arrives here: only UDP from port 67 to port 68 is for us.
            if (d == null || d.destinationPort() != CLIENT_PORT || d.sourcePort() != SERVER_PORT) continue;
            received(d.payload(), p.truncated(), p.packetType() == 1 /* PACKET_BROADCAST */ ? "broadcast"
                    : p.packetType() == 0 /* PACKET_HOST */ ? "unicast" : "multicast");
        }
    }

    private void readUdp() {
        for (int i = 0; i < 64 && udp != null; i++) {
            UdpSocket.Datagram d = UdpSocket.receive(udp, 4096);
            if (d == null) return;
            received(d.data(), d.truncated(), "udp");
        }
    }

    private void received(byte[] payload, boolean truncated, String how) {
        if (truncated) {
            malformed.merge("oversized packet", 1, Integer::sum);
            return;
        }
        DhcpMessage m;
        try {
            m = DhcpCodec.decode(payload);
        } catch (MalformedMessageException e) {
            malformed.merge(e.getMessage().replaceAll("[0-9]+", "N"), 1, Integer::sum);
            return;
        }
        delivered.merge(how, 1, Integer::sum);
        apply(machine.receive(loop.millis(), m));
    }
}
