package dev.jinit.net;

/**
 * An IPv4 route (RTM_NEWROUTE) in one table: {@code destination/prefix} (0.0.0.0/0 is the default
 * route), through {@code gateway} (null for a directly connected subnet), out of {@code ifindex},
 * with {@code metric} (RTA_PRIORITY; lower wins). {@code protocol} says who made it: RTPROT_BOOT for
 * jinit's static routes as for {@code ip route add}, RTPROT_DHCP for routes from a lease, as networkd does.
 */
public record Route(Ipv4 destination, int prefix, Ipv4 gateway, int ifindex, int metric, int table, int protocol, int scope) {
    public static final int RT_TABLE_MAIN = 254, RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4, RTPROT_DHCP = 16,
            RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254;

    public Route {
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix length out of range: " + prefix);
        if (destination.network(prefix).bits() != destination.bits())
            throw new IllegalArgumentException("route destination " + destination + "/" + prefix + " has host bits set");
    }

    /** The default route through {@code gateway}. */
    public static Route defaultVia(Ipv4 gateway, int ifindex, int metric, int protocol) {
        return new Route(Ipv4.ANY, 0, gateway, ifindex, metric, RT_TABLE_MAIN, protocol, RT_SCOPE_UNIVERSE);
    }

    /** A host route to {@code gateway} on the link, for a gateway outside the address's subnet. */
    public static Route onLink(Ipv4 destination, int prefix, int ifindex, int metric, int protocol) {
        return new Route(destination.network(prefix), prefix, null, ifindex, metric, RT_TABLE_MAIN, protocol, RT_SCOPE_LINK);
    }

    public boolean isDefault() {
        return prefix == 0;
    }

    @Override
    public String toString() {
        return (isDefault() ? "default" : destination + "/" + prefix) + (gateway == null ? "" : " via " + gateway)
                + " dev " + ifindex + " metric " + metric;
    }
}
