package dev.jinit.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * AF_PACKET datagram sockets (packet(7)) bound to one interface for IPv4 frames: how a DHCP client
 * sends and receives before its interface has an address, when the kernel's UDP stack would drop a
 * reply unicast to the address being offered. With SOCK_DGRAM the kernel adds and strips the
 * link-layer header; the caller reads and writes whole IPv4 packets.
 *
 * <p>{@code struct sockaddr_ll} is 20 bytes: u16 family, u16 protocol (network order), i32 ifindex,
 * u16 hardware type, u8 packet type, u8 address length, 8 bytes of address.
 */
public final class PacketSocket {
    private PacketSocket() {}

    public static final int AF_PACKET = 17, ETH_P_IP = 0x0800, SOL_SOCKET = 1, SO_ATTACH_FILTER = 26;
    /** sll_pkttype of a frame addressed to another host (seen in promiscuous mode): never ours. */
    public static final int PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    private static final int SOCKADDR_LL_SIZE = 20;

    /** One received IPv4 packet and the packet type the kernel reported for its frame. */
    public record Packet(byte[] data, boolean truncated, int packetType) {}

    /** Opens a packet socket that receives only IPv4 frames arriving on interface {@code ifindex}. */
    public static Fd open(int ifindex, String ifname) {
        Fd fd = Sockets.socket(AF_PACKET, Sockets.SOCK_DGRAM, Short.toUnsignedInt(htons(ETH_P_IP)), "AF_PACKET on " + ifname);
        try {
            Sockets.bind(fd, address(ifindex, new byte[0]), "AF_PACKET on " + ifname);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Sends one IPv4 packet on {@code ifindex} to the link-layer address {@code destination}. */
    public static void send(Fd fd, int ifindex, byte[] destination, byte[] packet, String what) {
        Sockets.sendTo(fd, packet, address(ifindex, destination), what);
    }

    /** Receives one packet without blocking; null when none is queued. */
    public static Packet receive(Fd fd, int maxBytes) {
        Sockets.Received r = Sockets.receive(fd, maxBytes, SOCKADDR_LL_SIZE);
        if (r == null) return null;
        int type = r.sender().length > 10 ? Byte.toUnsignedInt(r.sender()[10]) : 0;
        return new Packet(r.data(), r.truncated(), type);
    }

    private static byte[] address(int ifindex, byte[] hw) {
        if (hw.length > 8) throw new IllegalArgumentException("link-layer address longer than 8 bytes");
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_LL_SIZE).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_PACKET).putShort(htons(ETH_P_IP)).putInt(ifindex).putShort((short) 0)
                .put((byte) 0).put((byte) hw.length).put(hw);
        return b.array();
    }

    private static short htons(int v) {
        return (short) (((v & 0xff) << 8) | ((v >> 8) & 0xff));
    }
}
