package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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

    public static final int AF_PACKET = 17, ETH_P_IP = 0x0800, SOL_PACKET = 263, PACKET_AUXDATA = 8,
            TP_STATUS_CSUMNOTREADY = 0x8;
    /** sll_pkttype of a frame addressed to another host (seen in promiscuous mode): never ours. */
    public static final int PACKET_OTHERHOST = 3, PACKET_OUTGOING = 4;
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final long MSGHDR_SIZE = 56, CMSG_HEADER = 16, CONTROL_SIZE = 256;

    private static final MethodHandle RECVMSG = Native.errnoCall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /**
     * One received IPv4 packet, the packet type the kernel reported for its frame, and whether its
     * checksums are still to be computed by the hardware: a packet sent from this host over a veth or
     * with checksum offload is seen here before its UDP checksum is filled in (PACKET_AUXDATA says so
     * with TP_STATUS_CSUMNOTREADY), and must not be refused for it.
     */
    public record Packet(byte[] data, boolean truncated, int packetType, boolean checksumNotReady) {}

    /** Opens a packet socket that receives only IPv4 frames arriving on interface {@code ifindex}. */
    public static Fd open(int ifindex, String ifname) {
        Fd fd = Sockets.socket(AF_PACKET, Sockets.SOCK_DGRAM, Short.toUnsignedInt(htons(ETH_P_IP)), "AF_PACKET on " + ifname);
        try {
            Sockets.setOption(fd, SOL_PACKET, PACKET_AUXDATA, 1, "PACKET_AUXDATA");
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, maxBytes));
            MemorySegment name = arena.allocate(SOCKADDR_LL_SIZE, 8);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buffer);
            iov.set(JAVA_LONG, 8, buffer.byteSize());
            MemorySegment control = arena.allocate(CONTROL_SIZE, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, 0, name);
            msg.set(JAVA_INT, 8, SOCKADDR_LL_SIZE);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, CONTROL_SIZE);
            MemorySegment st = Native.callState();
            long n;
            while (true) {
                n = (long) RECVMSG.invokeExact(st, fd.get(), msg, Sockets.MSG_DONTWAIT | Sockets.MSG_TRUNC);
                if (n >= 0) break;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return null;
                throw new LinuxException("recvmsg", "AF_PACKET fd " + fd.get(), errno);
            }
            boolean notReady = false;
            long controlLen = msg.get(JAVA_LONG, 40);
            for (long off = 0; off + CMSG_HEADER <= controlLen; ) {
                long len = control.get(JAVA_LONG, off);
                if (len < CMSG_HEADER || off + len > controlLen) break;
                // struct tpacket_auxdata starts with the u32 tp_status.
                if (control.get(JAVA_INT, off + 8) == SOL_PACKET && control.get(JAVA_INT, off + 12) == PACKET_AUXDATA
                        && len >= CMSG_HEADER + 4)
                    notReady = (control.get(JAVA_INT, off + CMSG_HEADER) & TP_STATUS_CSUMNOTREADY) != 0;
                off += (len + 7) & ~7L;
            }
            int type = Byte.toUnsignedInt(name.get(JAVA_BYTE, 10));
            int kept = (int) Math.min(n, buffer.byteSize());
            return new Packet(buffer.asSlice(0, kept).toArray(JAVA_BYTE), n > maxBytes, type, notReady);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
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
