package dev.jinit.linux;

import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A few descriptors held back (open on /dev/null) so that the control socket still answers when
 * jinit has run out of descriptors: when accept fails with EMFILE, the reserve is closed, the client
 * is accepted and served with the freed numbers, and the reserve is taken again afterwards. The
 * administrator's {@code jinit status} is what tells them the machine is out of descriptors, so it
 * must not be the first thing to fail. (The same trick as libuv's and nginx's reserved descriptor.)
 *
 * <p>The manager keeps one too ({@link #retryOutOfDescriptors}): stopping a unit reads its cgroup
 * (a directory walk, cgroup.procs, cgroup.kill), and a jinit at its limit must still be able to stop
 * everything and exit.
 */
public final class FdReserve {
    private final int size;
    private final List<Fd> held = new ArrayList<>();

    public FdReserve(int size) {
        this.size = size;
        refill();
    }

    /** Closes the reserve; false when it was empty already (nothing to gain by retrying). */
    public synchronized boolean release() {
        if (held.isEmpty()) return false;
        for (Fd fd : held) fd.close();
        held.clear();
        return true;
    }

    /** Takes the reserve again, as far as descriptors are free. */
    public synchronized void refill() {
        while (held.size() < size) {
            try {
                held.add(Posix.open("/dev/null", Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
            } catch (RuntimeException e) {
                return; // still out of descriptors: tried again after the next connection
            }
        }
    }

    public synchronized void close() {
        release();
    }

    /**
     * Runs {@code work}; when it fails for want of descriptors (EMFILE or ENFILE, as an errno or as
     * the JDK's "Too many open files"), frees the reserve and runs it once more, then takes the
     * reserve again. Any other failure, and a second one, reach the caller unchanged.
     */
    public <T> T retryOutOfDescriptors(Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (!outOfDescriptors(e) || !release()) throw e;
        }
        try {
            return work.get();
        } finally {
            refill();
        }
    }

    /** Whether a failure (or one of its causes) is EMFILE or ENFILE. */
    public static boolean outOfDescriptors(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof LinuxException l && (l.errno() == Errno.EMFILE || l.errno() == Errno.ENFILE)) return true;
            if (c instanceof FileSystemException f && f.getReason() != null
                    && (f.getReason().contains(Errno.describe(Errno.EMFILE)) || f.getReason().contains(Errno.describe(Errno.ENFILE))))
                return true;
        }
        return false;
    }
}
