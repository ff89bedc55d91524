package dev.jinit.net;

import java.nio.ByteBuffer;

/**
 * IPv4 + UDP framing for the packet socket, where the kernel adds only the Ethernet header: a
 * 20-byte IPv4 header without options and an 8-byte UDP header, both with checksums. Parsing
 * refuses fragments, other protocols and bad checksums (a corrupted reply is dropped, never used).
 */
public final class Ipv4Udp {
    private Ipv4Udp() {}

    static final int IP_HEADER = 20, UDP_HEADER = 8, PROTO_UDP = 17, TTL = 64;

    /** A UDP datagram taken out of an IPv4 packet. */
    public record Datagram(Ipv4 source, Ipv4 destination, int sourcePort, int destinationPort, byte[] payload) {}

    public static byte[] frame(Ipv4 source, Ipv4 destination, int sourcePort, int destinationPort, byte[] payload) {
        int total = IP_HEADER + UDP_HEADER + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0x10 /* low delay, as dhclient sets */).putShort((short) total)
                .putShort((short) 0).putShort((short) 0).put((byte) TTL).put((byte) PROTO_UDP).putShort((short) 0)
                .putInt(source.bits()).putInt(destination.bits());
        b.putShort(10, (short) checksum(b.array(), 0, IP_HEADER, 0));
        b.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (UDP_HEADER + payload.length))
                .putShort((short) 0).put(payload);
        int udp = checksum(b.array(), IP_HEADER, UDP_HEADER + payload.length, pseudoHeader(source, destination, UDP_HEADER + payload.length));
        b.putShort(IP_HEADER + 6, (short) (udp == 0 ? 0xffff : udp));
        return b.array();
    }

    /**
     * The UDP datagram in {@code packet}, or null when it is not a whole, unfragmented, correctly summed UDP
     * packet. {@code udpChecksumPending}: the kernel said the UDP checksum is not filled in yet (offload),
     * so it is not checked; the IP header's always is.
     */
    public static Datagram parse(byte[] packet, boolean udpChecksumPending) {
        if (packet.length < IP_HEADER + UDP_HEADER) return null;
        ByteBuffer b = ByteBuffer.wrap(packet);
        int versionIhl = packet[0] & 0xff, ihl = (versionIhl & 0xf) * 4;
        if ((versionIhl >> 4) != 4 || ihl < IP_HEADER || packet.length < ihl + UDP_HEADER) return null;
        int total = Short.toUnsignedInt(b.getShort(2));
        if (total < ihl + UDP_HEADER || total > packet.length) return null;
        if ((b.getShort(6) & 0x3fff) != 0) return null; // a fragment (MF set or offset): not reassembled here
        if ((packet[9] & 0xff) != PROTO_UDP) return null;
        if (checksum(packet, 0, ihl, 0) != 0) return null;
        Ipv4 src = new Ipv4(b.getInt(12)), dst = new Ipv4(b.getInt(16));
        int udpLen = Short.toUnsignedInt(b.getShort(ihl + 4));
        if (udpLen < UDP_HEADER || ihl + udpLen > total) return null;
        if (!udpChecksumPending && b.getShort(ihl + 6) != 0 && checksum(packet, ihl, udpLen, pseudoHeader(src, dst, udpLen)) != 0) return null;
        byte[] payload = java.util.Arrays.copyOfRange(packet, ihl + UDP_HEADER, ihl + udpLen);
        return new Datagram(src, dst, Short.toUnsignedInt(b.getShort(ihl)), Short.toUnsignedInt(b.getShort(ihl + 2)), payload);
    }

    private static long pseudoHeader(Ipv4 s, Ipv4 d, int udpLength) {
        return (s.bits() >>> 16) + (s.bits() & 0xffff) + (d.bits() >>> 16) + (d.bits() & 0xffff) + PROTO_UDP + udpLength;
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}, with {@code initial} added in. */
    static int checksum(byte[] p, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) sum += ((p[off + i] & 0xff) << 8) | (p[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (p[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}
