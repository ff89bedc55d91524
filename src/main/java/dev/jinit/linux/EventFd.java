package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An eventfd(2) counter used to wake a thread blocked in epoll_wait: any thread may {@link #signal()},
 * the owner {@link #drain()}s after the wake-up. Non-blocking, so a signal never blocks the caller
 * (the counter saturates long before it could, and a saturated counter is still readable).
 */
public final class EventFd implements AutoCloseable {
    public static final int EFD_NONBLOCK = 04000, EFD_CLOEXEC = 02000000;

    private static final MethodHandle EVENTFD = Native.errnoCall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final Fd fd;
    /** Eight bytes for the counter; shared because signal() is called from any thread. */
    private final MemorySegment buffer = Arena.ofAuto().allocate(JAVA_LONG);
    private final MemorySegment one = Arena.ofAuto().allocate(JAVA_LONG);

    private EventFd(Fd fd) {
        this.fd = fd;
        one.set(JAVA_LONG, 0, 1L);
    }

    public static EventFd create() {
        try {
            MemorySegment st = Native.callState();
            int fd = (int) EVENTFD.invokeExact(st, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            return new EventFd(Fd.adopt(Native.check(fd, st, "eventfd", "EFD_NONBLOCK|EFD_CLOEXEC")));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public int fd() {
        return fd.get();
    }

    /** Adds one to the counter, waking a poller. EAGAIN (counter saturated) already means "woken". */
    public void signal() {
        Posix.write(fd.get(), one, 8);
    }

    /** Resets the counter to zero; returns whether it was signalled. Only the owning thread calls this. */
    public boolean drain() {
        return Posix.read(fd.get(), buffer, 8) > 0;
    }

    @Override
    public void close() {
        fd.close();
    }
}
