package dev.jinit.net;

import java.util.List;

/**
 * What a DHCPACK grants: the address and its subnet, the routers, DNS servers, domain and host name,
 * the server that granted it, and its times in seconds (RFC 2131 section 4.4.5: T1 defaults to half
 * the lease, T2 to 7/8 of it). Validated when built from a message (see {@link #fromAck}).
 */
public record Lease(Ipv4 address, int prefix, List<Ipv4> routers, List<Ipv4> dns, String domain, String hostname,
                    Ipv4 server, long leaseSeconds, long renewSeconds, long rebindSeconds, int mtu) {
    public Lease {
        routers = List.copyOf(routers);
        dns = List.copyOf(dns);
        if (leaseSeconds <= 0) throw new IllegalArgumentException("lease time must be positive: " + leaseSeconds);
        // T1 = T2 = 0: a lease too short to renew, that simply expires.
        boolean noRenewal = renewSeconds == 0 && rebindSeconds == 0;
        if (!noRenewal && !(0 < renewSeconds && renewSeconds < rebindSeconds && rebindSeconds < leaseSeconds))
            throw new IllegalArgumentException("need 0 < T1 < T2 < lease: " + renewSeconds + ", " + rebindSeconds + ", " + leaseSeconds);
    }

    /** The broadcast address of the lease's subnet (null for /31 and /32). */
    public Ipv4 broadcast() {
        return prefix >= 31 ? null : address.broadcast(prefix);
    }

    public Ipv4 gateway() {
        return routers.isEmpty() ? null : routers.getFirst();
    }

    /**
     * The lease in a DHCPOFFER or DHCPACK, or the reason it must not be used. A reply without a
     * server identifier or lease time breaks RFC 2131's table 3; an address of 0, of a multicast,
     * reserved or loopback range, or the network or broadcast address of its own subnet cannot be a
     * host's; a lease time of 0 would expire as it is applied.
     */
    public static Lease fromAck(DhcpMessage m) throws Refused {
        DhcpOptions o = m.options();
        Ipv4 a = m.yiaddr();
        if (a.isAny()) throw new Refused("offer of 0.0.0.0");
        if (a.isMulticastOrReserved()) throw new Refused("offer of a multicast/broadcast address " + a);
        if (a.isLoopback()) throw new Refused("offer of a loopback address " + a);
        Ipv4 server = o.address(DhcpOptions.SERVER_ID).orElseThrow(() -> new Refused("no server identifier"));
        long lease = o.uint32(DhcpOptions.LEASE_TIME).orElseThrow(() -> new Refused("no lease time"));
        if (lease == 0) throw new Refused("lease time of 0");
        int prefix = o.address(DhcpOptions.SUBNET_MASK).map(Ipv4::prefixOfMask).orElse(classful(a));
        if (prefix < 0) throw new Refused("non-contiguous subnet mask " + o.address(DhcpOptions.SUBNET_MASK).orElseThrow());
        if (prefix == 0) throw new Refused("subnet mask 0.0.0.0");
        if (prefix <= 30 && (a.equals(a.network(prefix)) || a.equals(a.broadcast(prefix))))
            throw new Refused("offer of the " + (a.equals(a.network(prefix)) ? "network" : "broadcast") + " address " + a + "/" + prefix);
        long t1 = o.uint32(DhcpOptions.RENEWAL_TIME).orElse(0L), t2 = o.uint32(DhcpOptions.REBINDING_TIME).orElse(0L);
        if (!(0 < t1 && t1 < t2 && t2 < lease)) {
            // Missing or inconsistent: the RFC's defaults, rounded down but kept apart.
            t1 = Math.max(1, lease / 2);
            t2 = Math.max(t1 + 1, lease * 7 / 8);
            if (t2 >= lease) {
                t1 = 0;
                t2 = 0;
            }
        }
        List<Ipv4> routers = o.addresses(DhcpOptions.ROUTER).stream().filter(r -> !r.isAny()).toList();
        int mtu = o.uint16(DhcpOptions.MTU).filter(v -> v >= 576).orElse(0);
        try {
            return new Lease(a, prefix, routers, o.addresses(DhcpOptions.DNS), o.string(DhcpOptions.DOMAIN).orElse(null),
                    o.string(DhcpOptions.HOSTNAME).orElse(null), server, lease, t1, t2, mtu);
        } catch (IllegalArgumentException e) {
            throw new Refused(e.getMessage());
        }
    }

    /** The mask a server that sends none implies (RFC 2131 section 3.3 leaves it to the client; systemd uses the class). */
    static int classful(Ipv4 a) {
        int top = a.bits() >>> 24;
        return top < 128 ? 8 : top < 192 ? 16 : 24;
    }

    /** Why a reply's lease was not taken. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }
}
