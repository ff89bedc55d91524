package dev.jinit.net;

/**
 * An IPv4 address as an int in host order ({@code 10.0.0.1} is {@code 0x0a000001}). Parsing is strict:
 * four decimal parts 0..255, no leading zeros read as octal, nothing else (systemd's
 * {@code in_addr_from_string} rejects the same inputs).
 */
public record Ipv4(int bits) implements Comparable<Ipv4> {
    public static final Ipv4 ANY = new Ipv4(0), BROADCAST = new Ipv4(-1);

    public static Ipv4 parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0'))
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            int n = Integer.parseInt(p);
            if (n > 255) throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            v = (v << 8) | n;
        }
        return new Ipv4(v);
    }

    public static Ipv4 fromBytes(byte[] b, int offset) {
        return new Ipv4(((b[offset] & 0xff) << 24) | ((b[offset + 1] & 0xff) << 16) | ((b[offset + 2] & 0xff) << 8)
                | (b[offset + 3] & 0xff));
    }

    /** Network order, as on the wire and in netlink address attributes. */
    public byte[] bytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /** The netmask of a prefix length: 24 → 255.255.255.0. */
    public static Ipv4 mask(int prefix) {
        if (prefix < 0 || prefix > 32) throw new IllegalArgumentException("prefix length out of range: " + prefix);
        return new Ipv4(prefix == 0 ? 0 : -1 << (32 - prefix));
    }

    /** The prefix length of a contiguous netmask, or -1 when the mask has holes (255.0.255.0). */
    public int prefixOfMask() {
        int n = Integer.bitCount(bits);
        return mask(n).bits == bits ? n : -1;
    }

    public Ipv4 network(int prefix) {
        return new Ipv4(bits & mask(prefix).bits);
    }

    public Ipv4 broadcast(int prefix) {
        return new Ipv4(bits | ~mask(prefix).bits);
    }

    public boolean isAny() {
        return bits == 0;
    }

    /** 224.0.0.0/4 multicast, 240.0.0.0/4 reserved and 255.255.255.255: never a host's address. */
    public boolean isMulticastOrReserved() {
        return (bits >>> 28) >= 0xe;
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    @Override
    public int compareTo(Ipv4 o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
