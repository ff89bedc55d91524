package dev.jinit.net;

/**
 * An IPv4 address on a link (RTM_NEWADDR): {@code address/prefix} with its broadcast address (null when
 * the kernel has none, e.g. a /32) and label ({@code eth0}, {@code eth0:1}).
 */
public record InterfaceAddress(int ifindex, Ipv4 address, int prefix, Ipv4 broadcast, String label) {
    public InterfaceAddress {
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix length out of range: " + prefix);
    }

    /** The address with the broadcast address of its subnet, as {@code ip addr add A/P brd +} sets it. */
    public static InterfaceAddress withBroadcast(int ifindex, Ipv4 address, int prefix) {
        return new InterfaceAddress(ifindex, address, prefix, prefix >= 31 ? null : address.broadcast(prefix), null);
    }

    @Override
    public String toString() {
        return address + "/" + prefix + (broadcast == null ? "" : " brd " + broadcast) + " on " + ifindex;
    }
}
