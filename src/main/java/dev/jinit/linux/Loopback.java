package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Brings up the loopback interface of the calling thread's network namespace, as systemd does for
 * PrivateNetwork=yes: a new namespace starts with {@code lo} down and without 127.0.0.1, so a
 * daemon told to listen on 127.0.0.1 (memcached, redis) would fail to bind. Setting IFF_UP is
 * enough: the kernel then assigns 127.0.0.1/8 and ::1 itself.
 *
 * <p>Layout on x86_64: {@code struct ifreq} is 40 bytes, the interface name in the first 16, the
 * {@code short} flags at offset 16.
 */
public final class Loopback {
    private Loopback() {}

    static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000, IFF_UP = 0x1;
    static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, IFREQ_SIZE = 40, FLAGS_OFFSET = 16;

    private static final MethodHandle SOCKET = Native.errnoCall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    /** Sets {@code lo} up in this thread's network namespace (needs CAP_NET_ADMIN there). */
    public static void up() {
        int fd;
        try {
            MemorySegment st = Native.callState();
            // The socket belongs to the namespace of the thread that creates it: this one.
            fd = Native.check((int) SOCKET.invokeExact(st, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), st,
                    "socket", "AF_INET for the loopback interface");
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        try (Fd socket = Fd.adopt(fd); Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            ifreq.setString(0, "lo");
            Ioctl.ioctl(socket.get(), SIOCGIFFLAGS, ifreq);
            short flags = ifreq.get(JAVA_SHORT, FLAGS_OFFSET);
            if ((flags & IFF_UP) != 0) return;
            ifreq.set(JAVA_SHORT, FLAGS_OFFSET, (short) (flags | IFF_UP));
            Ioctl.ioctl(socket.get(), SIOCSIFFLAGS, ifreq);
        }
    }
}
