package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The socket calls shared by the network bindings ({@link Netlink}, {@link PacketSocket},
 * {@link UdpSocket}): each of those builds its own address structure as bytes and passes it here.
 * Every socket is close-on-exec and non-blocking: the network loop waits for it with epoll, and a
 * request/answer caller with {@link UnixSocket#pollIn}.
 *
 * <p>A socket belongs to the network namespace of the thread that created it, for its whole life,
 * whichever thread uses it later: that is how tests bind a socket in a namespace of their own.
 */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, SOCK_SEQPACKET = 5, SO_REUSEADDR = 2,
            SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PASSCRED = 16, SO_REUSEPORT = 15, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33,
            IPPROTO_IP = 0, IPPROTO_IPV6 = 41, IP_FREEBIND = 15, IPV6_V6ONLY = 26;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_NONBLOCK = 04000,
            SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;

    private static final MethodHandle SOCKET = Native.errnoCall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Native.errnoCall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Native.errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Native.errnoCall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle LISTEN = Native.errnoCall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Native.errnoCall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETPEERNAME = Native.errnoCall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKOPT = Native.errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Native.errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Native.errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));

    /** One received datagram and the raw address of its sender (as the kernel filled it). */
    public record Received(byte[] data, int length, boolean truncated, byte[] sender) {}

    /** socket(2), close-on-exec and non-blocking; {@code what} names it in errors. */
    public static Fd socket(int family, int type, int protocol, String what) {
        try {
            MemorySegment st = Native.callState();
            int fd = (int) SOCKET.invokeExact(st, family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
            return Fd.adopt(Native.check(fd, st, "socket", what));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** bind(2) to a socket address given as its bytes. */
    public static void bind(Fd fd, byte[] address, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocateFrom(JAVA_BYTE, address);
            MemorySegment st = Native.callState();
            Native.check((int) BIND.invokeExact(st, fd.get(), addr, address.length), st, "bind", what);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** getsockname(2): the socket's own address, at most {@code size} bytes of it. */
    public static byte[] name(Fd fd, int size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(size);
            MemorySegment len = arena.allocateFrom(JAVA_INT, size);
            MemorySegment st = Native.callState();
            Native.check((int) GETSOCKNAME.invokeExact(st, fd.get(), addr, len), st, "getsockname", "fd " + fd.get());
            return addr.asSlice(0, Math.min(size, len.get(JAVA_INT, 0))).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** listen(2). */
    public static void listen(Fd fd, int backlog, String what) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) LISTEN.invokeExact(st, fd.get(), backlog), st, "listen", what);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * accept4(2) of one pending connection of a non-blocking listening socket, close-on-exec and blocking
     * (the connection is for a service); null when none is pending (EAGAIN), or when the one that was pending
     * was reset before it was taken (ECONNABORTED and the errors accept(2) passes on from the network).
     */
    public static Fd accept(Fd fd, String what) {
        try {
            MemorySegment st = Native.callState();
            while (true) {
                int c = (int) ACCEPT4.invokeExact(st, fd.get(), MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (c >= 0) return Fd.adopt(c);
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN || errno == Errno.ECONNABORTED || errno == Errno.EPROTO) return null;
                throw new LinuxException("accept4", what, errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** getpeername(2): the address of the other end, at most {@code size} bytes of it. */
    public static byte[] peerName(Fd fd, int size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(size);
            MemorySegment len = arena.allocateFrom(JAVA_INT, size);
            MemorySegment st = Native.callState();
            Native.check((int) GETPEERNAME.invokeExact(st, fd.get(), addr, len), st, "getpeername", "fd " + fd.get());
            return addr.asSlice(0, Math.min(size, len.get(JAVA_INT, 0))).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** SO_PEERCRED of a connected Unix socket: {pid, uid, gid} of the peer when it connected. */
    public static int[] peerCredentials(Fd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(12);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 12);
            MemorySegment st = Native.callState();
            Native.check((int) GETSOCKOPT.invokeExact(st, fd.get(), SOL_SOCKET, 17, v, len), st, "getsockopt",
                    "SO_PEERCRED of fd " + fd.get());
            return new int[] {v.get(JAVA_INT, 0), v.get(JAVA_INT, 4), v.get(JAVA_INT, 8)};
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** A sockaddr_in (16 bytes) for a dotted IPv4 address and port. */
    public static byte[] inet4(byte[] address, int port) {
        byte[] a = new byte[16];
        a[0] = (byte) AF_INET;
        a[2] = (byte) (port >> 8);
        a[3] = (byte) port;
        System.arraycopy(address, 0, a, 4, 4);
        return a;
    }

    /** A sockaddr_in6 (28 bytes): family, port, flow info 0, the 16-byte address, scope id (an interface index). */
    public static byte[] inet6(byte[] address, int port, int scopeId) {
        byte[] a = new byte[28];
        a[0] = (byte) AF_INET6;
        a[2] = (byte) (port >> 8);
        a[3] = (byte) port;
        System.arraycopy(address, 0, a, 8, 16);
        a[24] = (byte) scopeId;
        a[25] = (byte) (scopeId >> 8);
        a[26] = (byte) (scopeId >> 16);
        a[27] = (byte) (scopeId >> 24);
        return a;
    }

    /** A sockaddr_un for a path or {@code @abstract} name. */
    public static byte[] unix(String address) {
        return UnixSocket.sockaddr(address);
    }

    /** setsockopt(2) with an int value. */
    public static void setOption(Fd fd, int level, int option, int value, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            MemorySegment st = Native.callState();
            Native.check((int) SETSOCKOPT.invokeExact(st, fd.get(), level, option, v, 4), st,
                    "setsockopt", name + "=" + value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** setsockopt(2) with a value given as bytes (a device name, a filter program). */
    public static void setOption(Fd fd, int level, int option, byte[] value, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_BYTE, value);
            MemorySegment st = Native.callState();
            Native.check((int) SETSOCKOPT.invokeExact(st, fd.get(), level, option, v, value.length), st,
                    "setsockopt", name);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** sendto(2) of one datagram to an address given as bytes; returns the bytes sent. */
    public static long sendTo(Fd fd, byte[] data, byte[] address, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            MemorySegment addr = arena.allocateFrom(JAVA_BYTE, address);
            MemorySegment st = Native.callState();
            while (true) {
                long n = (long) SENDTO.invokeExact(st, fd.get(), buf, (long) data.length, 0, addr, address.length);
                if (n == -1 && Native.errno(st) == Errno.EINTR) continue;
                return Native.check(n, st, "sendto", what);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * recvfrom(2) of one datagram without blocking; null when none is queued. A datagram larger than
     * {@code maxBytes} is consumed and reported as truncated with its real length (MSG_TRUNC), so an
     * oversized one never wedges the socket.
     */
    public static Received receive(Fd fd, int maxBytes, int addressSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, maxBytes));
            MemorySegment addr = arena.allocate(Math.max(1, addressSize));
            MemorySegment len = arena.allocateFrom(JAVA_INT, addressSize);
            MemorySegment st = Native.callState();
            while (true) {
                long n = (long) RECVFROM.invokeExact(st, fd.get(), buf, buf.byteSize(), MSG_DONTWAIT | MSG_TRUNC,
                        addr, len);
                if (n >= 0) {
                    int kept = (int) Math.min(n, buf.byteSize());
                    byte[] sender = addr.asSlice(0, Math.min(addressSize, len.get(JAVA_INT, 0))).toArray(JAVA_BYTE);
                    return new Received(buf.asSlice(0, kept).toArray(JAVA_BYTE), (int) Math.min(n, Integer.MAX_VALUE),
                            n > maxBytes, sender);
                }
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return null;
                throw new LinuxException("recvfrom", "fd " + fd.get(), errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
