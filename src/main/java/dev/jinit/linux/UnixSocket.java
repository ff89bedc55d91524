package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * AF_UNIX datagram sockets with sender credentials: what the {@code NOTIFY_SOCKET} receiver needs
 * and Java's own channels cannot do (they neither set SO_PASSCRED nor return control messages).
 *
 * <p>Layouts on x86_64: {@code sockaddr_un} is a 2-byte family and 108 bytes of path; {@code msghdr}
 * is 56 bytes (name, namelen, iov, iovlen, control, controllen, flags); a {@code cmsghdr} is a
 * u64 length, an i32 level, an i32 type, then the data, each header aligned to 8 bytes;
 * {@code struct ucred} is pid, uid, gid as three i32.
 */
public final class UnixSocket {
    private UnixSocket() {}

    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 04000,
            SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, SO_PASSCRED = 16, SCM_RIGHTS = 1,
            SCM_CREDENTIALS = 2, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40,
            MSG_CMSG_CLOEXEC = 0x40000000, POLLIN = 0x1;

    /** sun_path is 108 bytes; a filesystem path needs its terminating NUL inside them. */
    public static final int MAX_PATH = 107;

    private static final long SOCKADDR_UN_SIZE = 110, MSGHDR_SIZE = 56, CMSG_HEADER = 16;

    private static final MethodHandle RECVMSG = Native.errnoCall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = Native.errnoCall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    /** The sender of a datagram as the kernel vouches for it (SCM_CREDENTIALS). */
    public record Ucred(int pid, int uid, int gid) {}

    /**
     * One received datagram. {@code length} is its real size even when it was larger than the
     * buffer ({@code truncated}); {@code data} holds what fit. {@code sender} is null only when the
     * socket did not have SO_PASSCRED. {@code fdsClosed} counts descriptors that came with it
     * (SCM_RIGHTS), which are closed at once: jinit keeps no descriptors from services.
     */
    public record Datagram(byte[] data, int length, boolean truncated, Ucred sender, int fdsClosed) {}

    /** socket(2) for AF_UNIX, close-on-exec and non-blocking (callers wait with {@link #pollIn}). */
    public static Fd socket(int type) {
        return Sockets.socket(AF_UNIX, type, 0, "AF_UNIX");
    }

    /**
     * bind(2) to {@code address}: a filesystem path, or {@code @name} for the abstract namespace
     * (as systemd writes it in NOTIFY_SOCKET).
     */
    public static void bind(Fd fd, String address) {
        Sockets.bind(fd, sockaddr(address), address);
    }

    /** The sockaddr_un for {@code address}, as many bytes as the kernel is to read of it. */
    static byte[] sockaddr(String address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SOCKADDR_UN_SIZE);
            int len = fillAddress(addr, address);
            return addr.asSlice(0, len).toArray(JAVA_BYTE);
        }
    }

    /** Fills a sockaddr_un; returns the address length to pass to the kernel. */
    static int fillAddress(MemorySegment addr, String address) {
        boolean abstractName = address.startsWith("@");
        byte[] name = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        if (name.length == 0) throw new IllegalArgumentException("empty AF_UNIX socket address");
        if (name.length > MAX_PATH) throw new LinuxException("bind", address, Errno.ENAMETOOLONG);
        for (byte b : name)
            if (b == 0) throw new IllegalArgumentException("AF_UNIX socket address contains NUL: " + address);
        addr.fill((byte) 0);
        addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
        // An abstract name starts with a NUL byte and has no terminator: its length says where it ends.
        long start = abstractName ? 3 : 2;
        MemorySegment.copy(name, 0, addr, JAVA_BYTE, start, name.length);
        return (int) (start + name.length + (abstractName ? 0 : 1));
    }

    /** setsockopt(2) for an int-valued SOL_SOCKET option. */
    public static void setIntOption(Fd fd, int option, int value, String name) {
        Sockets.setOption(fd, SOL_SOCKET, option, value, name);
    }

    /**
     * Waits until one of {@code fds} is readable or {@code timeoutMillis} passed (-1: no limit).
     * Returns the index of the first readable (or hung-up) descriptor, or -1 on timeout.
     */
    public static int pollIn(int[] fds, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pfds = arena.allocate(8L * fds.length, 4);
            for (int i = 0; i < fds.length; i++) {
                pfds.set(JAVA_INT, 8L * i, fds[i]);
                pfds.set(JAVA_SHORT, 8L * i + 4, (short) POLLIN);
            }
            MemorySegment st = Native.callState();
            while (true) {
                int n = (int) POLL.invokeExact(st, pfds, (long) fds.length, timeoutMillis);
                if (n == -1 && Native.errno(st) == Errno.EINTR) continue;
                Native.check(n, st, "poll", fds.length + " descriptors");
                if (n == 0) return -1;
                for (int i = 0; i < fds.length; i++)
                    if (pfds.get(JAVA_SHORT, 8L * i + 6) != 0) return i;
                return -1;
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * recvmsg(2) of one datagram without blocking; null when none is queued. Datagrams larger than
     * {@code maxBytes} are consumed and reported as truncated with their real length (MSG_TRUNC),
     * so one oversized message never wedges the socket.
     */
    public static Datagram receive(Fd fd, int maxBytes) {
        // Room for the credentials and a generous number of passed descriptors; descriptors that do
        // not fit are dropped by the kernel itself (MSG_CTRUNC), never installed in jinit.
        final long controlSize = 1024;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, maxBytes));
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buffer);
            iov.set(JAVA_LONG, 8, buffer.byteSize());
            MemorySegment control = arena.allocate(controlSize, 8);
            MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, controlSize);
            MemorySegment st = Native.callState();
            long n;
            while (true) {
                n = (long) RECVMSG.invokeExact(st, fd.get(), msg,
                        MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
                if (n >= 0) break;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return null;
                throw new LinuxException("recvmsg", "fd " + fd.get(), errno);
            }
            int flags = msg.get(JAVA_INT, 48);
            long controlLen = msg.get(JAVA_LONG, 40);
            Ucred sender = null;
            int fdsClosed = 0;
            long off = 0;
            while (off + CMSG_HEADER <= controlLen) {
                long len = control.get(JAVA_LONG, off);
                if (len < CMSG_HEADER || off + len > controlLen) break;
                int level = control.get(JAVA_INT, off + 8), type = control.get(JAVA_INT, off + 12);
                if (level == SOL_SOCKET && type == SCM_CREDENTIALS && len >= CMSG_HEADER + 12) {
                    sender = new Ucred(control.get(JAVA_INT, off + 16), control.get(JAVA_INT, off + 20),
                            control.get(JAVA_INT, off + 24));
                } else if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                    for (long p = off + CMSG_HEADER; p + 4 <= off + len; p += 4) {
                        Posix.close(control.get(JAVA_INT, p));
                        fdsClosed++;
                    }
                }
                off += (len + 7) & ~7L;
            }
            int kept = (int) Math.min(n, buffer.byteSize());
            byte[] data = buffer.asSlice(0, kept).toArray(JAVA_BYTE);
            boolean truncated = (flags & MSG_TRUNC) != 0 || n > maxBytes;
            return new Datagram(data, (int) Math.min(n, Integer.MAX_VALUE), truncated, sender, fdsClosed);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** sendto(2) of one datagram to {@code address} (a path or {@code @name}); returns bytes sent. */
    public static long sendTo(Fd fd, byte[] data, String address) {
        return Sockets.sendTo(fd, data, sockaddr(address), address);
    }
}
