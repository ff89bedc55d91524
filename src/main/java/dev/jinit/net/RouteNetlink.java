package dev.jinit.net;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Netlink;
import dev.jinit.linux.UnixSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Links, IPv4 addresses and routes of one network namespace (the one this object was opened in),
 * read and changed through a NETLINK_ROUTE request socket: what {@code ip link/addr/route} do, with no
 * {@code ip} binary. Each change waits for the kernel's acknowledgement, so when a method returns the
 * change is made; a refusal is a {@link LinuxException} naming the request, its argument and the errno.
 *
 * <p>Calls are serialised (one request in flight on the socket); they block for at most
 * {@link #TIMEOUT_MILLIS}, which the kernel never comes near.
 */
public final class RouteNetlink implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 5_000;

    private final Fd socket;
    private int sequence = (int) (System.nanoTime() & 0x3fff_ffff);

    private RouteNetlink(Fd socket) {
        this.socket = socket;
    }

    /** Opens a request socket in the calling thread's network namespace. */
    public static RouteNetlink open() {
        return new RouteNetlink(Netlink.open(Netlink.NETLINK_ROUTE, 0));
    }

    public synchronized List<Link> links() {
        return dump(RouteCodec.dumpLinks(++sequence), "RTM_GETLINK", RouteCodec::link);
    }

    public Optional<Link> link(String name) {
        return links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<Link> link(int index) {
        return links().stream().filter(l -> l.index() == index).findFirst();
    }

    /** Sets the link up or down (IFF_UP); the kernel reports carrier separately, when the peer is there. */
    public synchronized void setUp(Link link, boolean up) {
        request(RouteCodec.setLink(++sequence, link.index(), up, 0), "RTM_NEWLINK", link.name() + (up ? " up" : " down"));
    }

    public synchronized void setMtu(Link link, int mtu) {
        if (mtu <= 0) throw new IllegalArgumentException("MTU must be positive: " + mtu);
        request(RouteCodec.setLink(++sequence, link.index(), null, mtu), "RTM_NEWLINK", link.name() + " mtu " + mtu);
    }

    public synchronized List<InterfaceAddress> addresses() {
        return dump(RouteCodec.dumpAddresses(++sequence), "RTM_GETADDR", RouteCodec::address).stream()
                .flatMap(Optional::stream).toList();
    }

    public List<InterfaceAddress> addresses(int ifindex) {
        return addresses().stream().filter(a -> a.ifindex() == ifindex).toList();
    }

    /** Adds an address that stays until removed; EEXIST when it is already there. */
    public void addAddress(InterfaceAddress a) {
        addAddress(a, false, RouteCodec.INFINITE_LIFETIME);
    }

    /**
     * Adds or (with {@code replace}) adds-or-refreshes an address whose kernel lifetime is
     * {@code validSeconds} ({@link RouteCodec#INFINITE_LIFETIME} for none).
     */
    public synchronized void addAddress(InterfaceAddress a, boolean replace, long validSeconds) {
        request(RouteCodec.addAddress(++sequence, a, replace, validSeconds, validSeconds), "RTM_NEWADDR", a.toString());
    }

    public synchronized void removeAddress(InterfaceAddress a) {
        request(RouteCodec.removeAddress(++sequence, a), "RTM_DELADDR", a.toString());
    }

    /** Unicast IPv4 routes of every table. */
    public synchronized List<Route> routes() {
        return dump(RouteCodec.dumpRoutes(++sequence), "RTM_GETROUTE", RouteCodec::route).stream()
                .flatMap(Optional::stream).toList();
    }

    public synchronized void addRoute(Route r, boolean replace) {
        request(RouteCodec.addRoute(++sequence, r, replace), "RTM_NEWROUTE", r.toString());
    }

    public synchronized void removeRoute(Route r) {
        request(RouteCodec.removeRoute(++sequence, r), "RTM_DELROUTE", r.toString());
    }

    @Override
    public void close() {
        socket.close();
    }

    // ---- request/answer

    private void request(NetlinkMessage m, String call, String what) {
        Netlink.send(socket, NetlinkCodec.encode(m));
        while (true) {
            for (NetlinkMessage reply : next(call, what)) {
                if (reply.sequence() != m.sequence()) continue; // a late answer to an abandoned request
                if (reply.type() == NetlinkMessage.NLMSG_ERROR) {
                    RouteCodec.Ack ack = RouteCodec.ack(reply);
                    if (ack.errno() == 0) return;
                    throw refusal(call, what, ack);
                }
            }
        }
    }

    private <T> List<T> dump(NetlinkMessage m, String call, Function<NetlinkMessage, T> decode) {
        Netlink.send(socket, NetlinkCodec.encode(m));
        List<T> out = new ArrayList<>();
        while (true) {
            for (NetlinkMessage reply : next(call, "dump")) {
                if (reply.sequence() != m.sequence()) continue;
                switch (reply.type()) {
                    case NetlinkMessage.NLMSG_DONE -> {
                        // The table changed while it was dumped: what we have may mix old and new; ask again.
                        if ((reply.flags() & NetlinkMessage.NLM_F_DUMP_INTR) != 0) return dump(
                                new NetlinkMessage(m.type(), m.flags(), ++sequence, 0, m.payload()), call, decode);
                        return out;
                    }
                    case NetlinkMessage.NLMSG_ERROR -> {
                        RouteCodec.Ack ack = RouteCodec.ack(reply);
                        throw refusal(call, "dump", ack);
                    }
                    case NetlinkMessage.NLMSG_NOOP -> { }
                    default -> out.add(decode.apply(reply));
                }
            }
        }
    }

    private List<NetlinkMessage> next(String call, String what) {
        while (true) {
            byte[] datagram = Netlink.receive(socket);
            if (datagram != null) return NetlinkCodec.decode(datagram);
            if (UnixSocket.pollIn(new int[] {socket.get()}, TIMEOUT_MILLIS) < 0)
                throw new LinuxException("netlink " + call, what + ": no answer from the kernel", Errno.ETIMEDOUT);
        }
    }

    private static LinuxException refusal(String call, String what, RouteCodec.Ack ack) {
        return new LinuxException("netlink " + call, what + (ack.message() == null ? "" : " (" + ack.message() + ")"), ack.errno());
    }
}
