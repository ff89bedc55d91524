package dev.jinit.net;

/**
 * A network interface as the kernel reports it (RTM_NEWLINK). {@code mac} is null for links without
 * a link-layer address (a tun device). {@code carrier} is IFF_LOWER_UP: the cable, the peer of a veth.
 */
public record Link(int index, String name, int flags, OperState operState, MacAddress mac, int mtu) {
    public static final int IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40,
            IFF_LOWER_UP = 0x10000;

    /** RFC 2863 operational state (IF_OPER_*), as {@code ip link} prints it. */
    public enum OperState {
        UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

        static OperState of(int code) {
            OperState[] all = values();
            return code >= 0 && code < all.length ? all[code] : UNKNOWN;
        }
    }

    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    public boolean carrier() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    public boolean loopback() {
        return (flags & IFF_LOOPBACK) != 0;
    }
}
