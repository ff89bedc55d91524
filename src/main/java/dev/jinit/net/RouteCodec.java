package dev.jinit.net;

import static dev.jinit.net.NetlinkMessage.NLM_F_ACK;
import static dev.jinit.net.NetlinkMessage.NLM_F_CREATE;
import static dev.jinit.net.NetlinkMessage.NLM_F_DUMP;
import static dev.jinit.net.NetlinkMessage.NLM_F_EXCL;
import static dev.jinit.net.NetlinkMessage.NLM_F_REPLACE;
import static dev.jinit.net.NetlinkMessage.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * rtnetlink(7) requests and replies for links, IPv4 addresses and IPv4 routes, as pure functions
 * from records to {@link NetlinkMessage}s and back. The fixed headers, in host order:
 * {@code ifinfomsg} (16 bytes: family, pad, type, index, flags, change), {@code ifaddrmsg} (8 bytes:
 * family, prefix length, flags, scope, index), {@code rtmsg} (12 bytes: family, dst_len, src_len, tos,
 * table, protocol, scope, type, flags).
 */
public final class RouteCodec {
    private RouteCodec() {}

    public static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_DELADDR = 21,
            RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    static final int AF_UNSPEC = 0, AF_INET = 2;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_OPERSTATE = 16;
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6;
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_TABLE = 15;
    static final int RTN_UNICAST = 1, RT_SCOPE_NOWHERE = 255;
    static final int NLMSGERR_ATTR_MSG = 1;
    /** IFA_CACHEINFO's "forever". */
    public static final long INFINITE_LIFETIME = 0xffff_ffffL;

    // ---- requests

    public static NetlinkMessage dumpLinks(int seq) {
        return new NetlinkMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0, ifinfo(AF_UNSPEC, 0, 0, 0));
    }

    /** Sets IFF_UP on or off, and the MTU when {@code mtu > 0}; the other flags are left alone (change mask). */
    public static NetlinkMessage setLink(int seq, int index, Boolean up, int mtu) {
        int flags = up != null && up ? Link.IFF_UP : 0, change = up == null ? 0 : Link.IFF_UP;
        List<NetlinkAttribute> attrs = mtu > 0 ? List.of(NetlinkAttribute.ofInt(IFLA_MTU, mtu)) : List.of();
        return new NetlinkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0,
                NetlinkCodec.payload(ifinfo(AF_UNSPEC, index, flags, change), attrs));
    }

    public static NetlinkMessage dumpAddresses(int seq) {
        return new NetlinkMessage(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, 0, ifaddr(0, 0, 0));
    }

    /**
     * Adds (or with {@code replace}, adds or updates) an address. Lifetimes in seconds, or
     * {@link #INFINITE_LIFETIME}: a DHCP address gets its lease time as valid lifetime, so the kernel
     * itself removes it if jinit were ever late, as networkd does.
     */
    public static NetlinkMessage addAddress(int seq, InterfaceAddress a, boolean replace, long validSeconds, long preferredSeconds) {
        List<NetlinkAttribute> attrs = new ArrayList<>(addressKey(a));
        if (a.broadcast() != null) attrs.add(new NetlinkAttribute(IFA_BROADCAST, a.broadcast().bytes()));
        if (a.label() != null) attrs.add(NetlinkAttribute.ofString(IFA_LABEL, a.label()));
        if (validSeconds != INFINITE_LIFETIME || preferredSeconds != INFINITE_LIFETIME) {
            ByteBuffer ci = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            ci.putInt((int) preferredSeconds).putInt((int) validSeconds).putInt(0).putInt(0);
            attrs.add(new NetlinkAttribute(IFA_CACHEINFO, ci.array()));
        }
        int flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
        return new NetlinkMessage(RTM_NEWADDR, flags, seq, 0,
                NetlinkCodec.payload(ifaddr(a.prefix(), Route.RT_SCOPE_UNIVERSE, a.ifindex()), attrs));
    }

    public static NetlinkMessage removeAddress(int seq, InterfaceAddress a) {
        return new NetlinkMessage(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq, 0,
                NetlinkCodec.payload(ifaddr(a.prefix(), 0, a.ifindex()), addressKey(a)));
    }

    public static NetlinkMessage dumpRoutes(int seq) {
        return new NetlinkMessage(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, 0, rtmsg(0, 0, 0, 0, 0));
    }

    public static NetlinkMessage addRoute(int seq, Route r, boolean replace) {
        int flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
        return new NetlinkMessage(RTM_NEWROUTE, flags, seq, 0,
                NetlinkCodec.payload(rtmsg(r.prefix(), r.table(), r.protocol(), r.scope(), RTN_UNICAST), routeAttributes(r)));
    }

    /** Deletes the route matching destination, gateway, interface, metric and table (scope "nowhere" matches any, as ip route del). */
    public static NetlinkMessage removeRoute(int seq, Route r) {
        return new NetlinkMessage(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, seq, 0,
                NetlinkCodec.payload(rtmsg(r.prefix(), r.table(), 0, RT_SCOPE_NOWHERE, 0), routeAttributes(r)));
    }

    // ---- replies

    /** A link from RTM_NEWLINK (dump reply or event); RTM_DELLINK carries the same layout. */
    public static Link link(NetlinkMessage m) {
        byte[] p = m.payload();
        if (p.length < 16) throw new MalformedMessageException("ifinfomsg of " + p.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        int index = b.getInt(4), flags = b.getInt(8);
        String name = null;
        MacAddress mac = null;
        int mtu = 0;
        Link.OperState oper = Link.OperState.UNKNOWN;
        for (NetlinkAttribute a : NetlinkCodec.decodeAttributes(p, 16)) {
            switch (a.kind()) {
                case IFLA_IFNAME -> name = a.asString();
                case IFLA_ADDRESS -> mac = a.length() == 0 ? null : new MacAddress(a.value());
                case IFLA_MTU -> mtu = a.asInt();
                case IFLA_OPERSTATE -> oper = Link.OperState.of(a.asInt());
                default -> { }
            }
        }
        if (name == null) throw new MalformedMessageException("link " + index + " without IFLA_IFNAME");
        return new Link(index, name, flags, oper, mac, mtu);
    }

    /** An IPv4 address from RTM_NEWADDR/RTM_DELADDR; empty for other families. */
    public static Optional<InterfaceAddress> address(NetlinkMessage m) {
        byte[] p = m.payload();
        if (p.length < 8) throw new MalformedMessageException("ifaddrmsg of " + p.length + " bytes");
        if (p[0] != AF_INET) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        int prefix = Byte.toUnsignedInt(p[1]), index = b.getInt(4);
        Ipv4 local = null, address = null, broadcast = null;
        String label = null;
        for (NetlinkAttribute a : NetlinkCodec.decodeAttributes(p, 8)) {
            switch (a.kind()) {
                case IFA_LOCAL -> local = ipv4(a);
                case IFA_ADDRESS -> address = ipv4(a);
                case IFA_BROADCAST -> broadcast = ipv4(a);
                case IFA_LABEL -> label = a.asString();
                default -> { }
            }
        }
        // On a point-to-point link IFA_ADDRESS is the peer; IFA_LOCAL is always our own address.
        Ipv4 own = local != null ? local : address;
        if (own == null) throw new MalformedMessageException("address on link " + index + " without IFA_LOCAL/IFA_ADDRESS");
        return Optional.of(new InterfaceAddress(index, own, prefix, broadcast, label));
    }

    /** A unicast IPv4 route from RTM_NEWROUTE; empty for other families and route types (local, broadcast). */
    public static Optional<Route> route(NetlinkMessage m) {
        byte[] p = m.payload();
        if (p.length < 12) throw new MalformedMessageException("rtmsg of " + p.length + " bytes");
        if (p[0] != AF_INET || p[7] != RTN_UNICAST) return Optional.empty();
        int prefix = Byte.toUnsignedInt(p[1]);
        int table = Byte.toUnsignedInt(p[4]), protocol = Byte.toUnsignedInt(p[5]), scope = Byte.toUnsignedInt(p[6]);
        Ipv4 dst = Ipv4.ANY, gateway = null;
        int oif = 0, metric = 0;
        for (NetlinkAttribute a : NetlinkCodec.decodeAttributes(p, 12)) {
            switch (a.kind()) {
                case RTA_DST -> dst = ipv4(a);
                case RTA_GATEWAY -> gateway = ipv4(a);
                case RTA_OIF -> oif = a.asInt();
                case RTA_PRIORITY -> metric = a.asInt();
                case RTA_TABLE -> table = a.asInt();
                default -> { }
            }
        }
        return Optional.of(new Route(dst, prefix, gateway, oif, metric, table, protocol, scope));
    }

    /** What an NLMSG_ERROR says: 0 for an ack, else a positive errno and the kernel's text if it gave one. */
    public record Ack(int errno, String message) {}

    public static Ack ack(NetlinkMessage m) {
        byte[] p = m.payload();
        if (p.length < 4) throw new MalformedMessageException("NLMSG_ERROR of " + p.length + " bytes");
        int error = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).getInt(0);
        String text = null;
        if ((m.flags() & NetlinkMessage.NLM_F_ACK_TLVS) != 0 && p.length >= 4 + NetlinkCodec.HEADER) {
            // The echoed request: its header only when capped, else all of it.
            int echoed = (m.flags() & NetlinkMessage.NLM_F_CAPPED) != 0 ? NetlinkCodec.HEADER
                    : ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).getInt(4);
            int at = 4 + NetlinkCodec.align(echoed);
            if (at <= p.length) {
                for (NetlinkAttribute a : NetlinkCodec.decodeAttributes(p, at))
                    if (a.kind() == NLMSGERR_ATTR_MSG) text = a.asString();
            }
        }
        return new Ack(-error, text);
    }

    // ---- helpers

    private static Ipv4 ipv4(NetlinkAttribute a) {
        if (a.length() != 4) throw new MalformedMessageException("IPv4 attribute " + a.kind() + " of " + a.length() + " bytes");
        return Ipv4.fromBytes(a.value(), 0);
    }

    private static List<NetlinkAttribute> addressKey(InterfaceAddress a) {
        return List.of(new NetlinkAttribute(IFA_LOCAL, a.address().bytes()), new NetlinkAttribute(IFA_ADDRESS, a.address().bytes()));
    }

    private static List<NetlinkAttribute> routeAttributes(Route r) {
        List<NetlinkAttribute> attrs = new ArrayList<>();
        if (r.prefix() > 0) attrs.add(new NetlinkAttribute(RTA_DST, r.destination().bytes()));
        if (r.gateway() != null) attrs.add(new NetlinkAttribute(RTA_GATEWAY, r.gateway().bytes()));
        if (r.ifindex() > 0) attrs.add(NetlinkAttribute.ofInt(RTA_OIF, r.ifindex()));
        attrs.add(NetlinkAttribute.ofInt(RTA_PRIORITY, r.metric()));
        attrs.add(NetlinkAttribute.ofInt(RTA_TABLE, r.table()));
        return attrs;
    }

    private static byte[] ifinfo(int family, int index, int flags, int change) {
        return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).put((byte) family).put((byte) 0).putShort((short) 0)
                .putInt(index).putInt(flags).putInt(change).array();
    }

    private static byte[] ifaddr(int prefix, int scope, int index) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).put((byte) AF_INET).put((byte) prefix).put((byte) 0)
                .put((byte) scope).putInt(index).array();
    }

    private static byte[] rtmsg(int prefix, int table, int protocol, int scope, int type) {
        return ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).put((byte) AF_INET).put((byte) prefix).put((byte) 0)
                .put((byte) 0).put((byte) (table < 256 ? table : 252)).put((byte) protocol).put((byte) scope).put((byte) type)
                .putInt(0).array();
    }
}
