package dev.jinit.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * AF_INET UDP sockets bound to one interface (SO_BINDTODEVICE): the DHCP client's socket once it
 * holds an address, for renewals unicast to the server. Addresses are IPv4 as ints in host order
 * ({@code 0x0a000001} is 10.0.0.1).
 *
 * <p>{@code struct sockaddr_in} is 16 bytes: u16 family, u16 port and u32 address in network order,
 * eight bytes of zeros.
 */
public final class UdpSocket {
    private UdpSocket() {}

    public static final int AF_INET = 2, SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_BROADCAST = 6, SO_BINDTODEVICE = 25;
    private static final int SOCKADDR_IN_SIZE = 16;

    /** A datagram with its sender's address and port. */
    public record Datagram(byte[] data, boolean truncated, int sourceAddress, int sourcePort) {}

    /** Opens a UDP socket on {@code device}, bound to {@code address}:{@code port}, broadcasts allowed. */
    public static Fd open(String device, int address, int port) {
        Fd fd = Sockets.socket(AF_INET, Sockets.SOCK_DGRAM, 0, "AF_INET UDP on " + device);
        try {
            Sockets.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            Sockets.setOption(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
            byte[] name = (device + "\0").getBytes(StandardCharsets.US_ASCII);
            Sockets.setOption(fd, SOL_SOCKET, SO_BINDTODEVICE, name, "SO_BINDTODEVICE " + device);
            Sockets.bind(fd, address(address, port), "udp " + dotted(address) + ":" + port + " on " + device);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public static void sendTo(Fd fd, byte[] data, int address, int port) {
        Sockets.sendTo(fd, data, address(address, port), "udp to " + dotted(address) + ":" + port);
    }

    /** Receives one datagram without blocking; null when none is queued. */
    public static Datagram receive(Fd fd, int maxBytes) {
        Sockets.Received r = Sockets.receive(fd, maxBytes, SOCKADDR_IN_SIZE);
        if (r == null) return null;
        ByteBuffer a = ByteBuffer.wrap(r.sender()).order(ByteOrder.BIG_ENDIAN);
        int port = r.sender().length >= 4 ? Short.toUnsignedInt(a.getShort(2)) : 0;
        int addr = r.sender().length >= 8 ? a.getInt(4) : 0;
        return new Datagram(r.data(), r.truncated(), addr, port);
    }

    private static byte[] address(int address, int port) {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_IN_SIZE);
        b.order(ByteOrder.nativeOrder()).putShort((short) AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(address);
        return b.array();
    }

    static String dotted(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
