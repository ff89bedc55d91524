package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * epoll(7). On x86_64 {@code struct epoll_event} is declared {@code __attribute__((packed))}: 12 bytes,
 * a uint32 event mask followed by a uint64 of user data at offset 4 (unaligned), so the event array is
 * read with unaligned layouts rather than a padded struct layout.
 */
public final class Epoll {
    private Epoll() {}

    public static final int EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008,
            EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 02000000;

    /** sizeof(struct epoll_event) on x86_64 (packed). */
    public static final long EVENT_SIZE = 12;
    private static final long DATA_OFFSET = 4;

    private static final MethodHandle CREATE1 = Native.errnoCall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Native.errnoCall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT = Native.errnoCall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    /** epoll_create1(EPOLL_CLOEXEC). */
    public static Fd create() {
        try {
            MemorySegment st = Native.callState();
            int fd = (int) CREATE1.invokeExact(st, EPOLL_CLOEXEC);
            return Fd.adopt(Native.check(fd, st, "epoll_create1", "EPOLL_CLOEXEC"));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** epoll_ctl ADD: watch {@code fd} for {@code events}; {@code data} comes back with each event. */
    public static void add(int epfd, int fd, int events, long data) {
        ctl(epfd, EPOLL_CTL_ADD, fd, events, data, "epoll_ctl ADD");
    }

    public static void modify(int epfd, int fd, int events, long data) {
        ctl(epfd, EPOLL_CTL_MOD, fd, events, data, "epoll_ctl MOD");
    }

    /** epoll_ctl DEL. A descriptor that is already gone (EBADF, ENOENT) is not an error here. */
    public static void remove(int epfd, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            // Kernels before 2.6.9 required a non-null event even for DEL; passing one costs nothing.
            MemorySegment ev = arena.allocate(EVENT_SIZE);
            int r = (int) CTL.invokeExact(st, epfd, EPOLL_CTL_DEL, fd, ev);
            if (r == -1 && Native.errno(st) != Errno.ENOENT && Native.errno(st) != Errno.EBADF)
                Native.check(r, st, "epoll_ctl DEL", "fd " + fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void ctl(int epfd, int op, int fd, int events, long data, String call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(EVENT_SIZE);
            ev.set(JAVA_INT_UNALIGNED, 0, events);
            ev.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
            MemorySegment st = Native.callState();
            Native.check((int) CTL.invokeExact(st, epfd, op, fd, ev), st, call, "fd " + fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Allocates an event array for {@link #await}. */
    public static MemorySegment events(Arena arena, int count) {
        return arena.allocate(EVENT_SIZE * count, 8);
    }

    /**
     * epoll_wait into {@code events} (from {@link #events}); returns the number of ready events, 0 on
     * timeout or when a signal interrupted the wait (EINTR: the caller loops anyway).
     */
    public static int await(int epfd, MemorySegment events, int timeoutMillis) {
        try {
            MemorySegment st = Native.callState();
            int max = (int) (events.byteSize() / EVENT_SIZE);
            int n = (int) WAIT.invokeExact(st, epfd, events, max, timeoutMillis);
            if (n == -1 && Native.errno(st) == Errno.EINTR) return 0;
            return Native.check(n, st, "epoll_wait", "fd " + epfd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The event mask of ready event {@code i}. */
    public static int eventMask(MemorySegment events, int i) {
        return events.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
    }

    /** The user data of ready event {@code i}. */
    public static long eventData(MemorySegment events, int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
    }
}
