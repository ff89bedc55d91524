package dev.jinit.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * AF_NETLINK sockets (netlink(7)): the kernel's message interface for links, addresses and routes
 * ({@code NETLINK_ROUTE}). This class only moves bytes; the messages themselves are built and read by
 * the pure codec in {@code dev.jinit.net}.
 *
 * <p>{@code struct sockaddr_nl} is 12 bytes: u16 family, u16 padding, u32 port id, u32 multicast
 * group mask, in host byte order. Port id 0 addresses the kernel; binding with 0 lets the kernel
 * choose a unique port id for us.
 */
public final class Netlink {
    private Netlink() {}

    public static final int AF_NETLINK = 16, NETLINK_ROUTE = 0, SOL_NETLINK = 270, NETLINK_EXT_ACK = 11;
    /** Legacy multicast group bits for bind(2) (rtnetlink.h RTMGRP_*). */
    public static final int RTMGRP_LINK = 0x1, RTMGRP_IPV4_IFADDR = 0x10, RTMGRP_IPV4_ROUTE = 0x40;
    /** Large enough for any message the kernel sends in one datagram (iproute2 uses 32 KiB). */
    public static final int RECEIVE_BUFFER = 64 * 1024;

    private static final int SOCKADDR_NL_SIZE = 12, ENOPROTOOPT = 92;

    /**
     * Opens and binds a netlink socket of {@code protocol}, joined to the multicast {@code groups}
     * (0 for a request/answer socket). Extended acks are asked for, so a refused request comes back
     * with the kernel's own explanation where it gives one; kernels without them ignore the request.
     */
    public static Fd open(int protocol, int groups) {
        Fd fd = Sockets.socket(AF_NETLINK, Sockets.SOCK_RAW, protocol, "AF_NETLINK protocol " + protocol);
        try {
            try {
                Sockets.setOption(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            } catch (LinuxException e) {
                if (e.errno() != ENOPROTOOPT) throw e;
            }
            Sockets.bind(fd, address(0, groups), "AF_NETLINK groups 0x" + Integer.toHexString(groups));
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The port id the kernel gave the socket: replies and our own requests carry it. */
    public static int portId(Fd fd) {
        byte[] name = Sockets.name(fd, SOCKADDR_NL_SIZE);
        return ByteBuffer.wrap(name).order(ByteOrder.nativeOrder()).getInt(4);
    }

    /** Sends one or more netlink messages (already encoded) to the kernel. */
    public static void send(Fd fd, byte[] messages) {
        long sent = Sockets.sendTo(fd, messages, address(0, 0), "AF_NETLINK to the kernel");
        if (sent != messages.length) throw new LinuxException("sendto", "AF_NETLINK short write " + sent, Errno.EIO);
    }

    /**
     * Receives one datagram (one or more netlink messages) without blocking; null when none is
     * queued. A datagram larger than the buffer is an error: its messages cannot be parsed whole.
     */
    public static byte[] receive(Fd fd) {
        Sockets.Received r = Sockets.receive(fd, RECEIVE_BUFFER, SOCKADDR_NL_SIZE);
        if (r == null) return null;
        if (r.truncated()) throw new LinuxException("recvfrom", "AF_NETLINK message of " + r.length() + " bytes", Errno.EMSGSIZE);
        return r.data();
    }

    private static byte[] address(int portId, int groups) {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_NETLINK).putShort((short) 0).putInt(portId).putInt(groups);
        return b.array();
    }
}
