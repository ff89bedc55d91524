package dev.jinit.linux;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned file descriptor. It is closed exactly once: by {@link #close()}, or never when
 * ownership has been handed on with {@link #release()}. Closing twice is a no-op rather than a
 * bug that closes somebody else's descriptor that reused the number.
 */
public final class Fd implements AutoCloseable {
    private static final int CLOSED = -1;
    private final AtomicInteger fd;

    private Fd(int fd) {
        if (fd < 0) throw new IllegalArgumentException("not a file descriptor: " + fd);
        this.fd = new AtomicInteger(fd);
    }

    /** Takes ownership of a raw descriptor. */
    public static Fd adopt(int fd) {
        return new Fd(fd);
    }

    /** The descriptor number; throws if already closed or released. */
    public int get() {
        int v = fd.get();
        if (v == CLOSED) throw new IllegalStateException("file descriptor already closed");
        return v;
    }

    public boolean isOpen() {
        return fd.get() != CLOSED;
    }

    /** Hands the raw descriptor to the caller, who now must close it. */
    public int release() {
        int v = fd.getAndSet(CLOSED);
        if (v == CLOSED) throw new IllegalStateException("file descriptor already closed");
        return v;
    }

    @Override
    public void close() {
        int v = fd.getAndSet(CLOSED);
        if (v != CLOSED) Posix.close(v);
    }

    @Override
    public String toString() {
        int v = fd.get();
        return v == CLOSED ? "Fd(closed)" : "Fd(" + v + ")";
    }
}
