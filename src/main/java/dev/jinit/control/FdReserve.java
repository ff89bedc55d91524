package dev.jinit.control;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import java.util.ArrayList;
import java.util.List;

/**
 * A few descriptors held back (open on /dev/null) so that the control socket still answers when
 * jinit has run out of descriptors: when accept fails with EMFILE, the reserve is closed, the client
 * is accepted and served with the freed numbers, and the reserve is taken again afterwards. The
 * administrator's {@code jinit status} is what tells them the machine is out of descriptors, so it
 * must not be the first thing to fail. (The same trick as libuv's and nginx's reserved descriptor.)
 */
final class FdReserve {
    private final int size;
    private final List<Fd> held = new ArrayList<>();

    FdReserve(int size) {
        this.size = size;
        refill();
    }

    /** Closes the reserve; false when it was empty already (nothing to gain by retrying). */
    synchronized boolean release() {
        if (held.isEmpty()) return false;
        for (Fd fd : held) fd.close();
        held.clear();
        return true;
    }

    /** Takes the reserve again, as far as descriptors are free. */
    synchronized void refill() {
        while (held.size() < size) {
            try {
                held.add(Posix.open("/dev/null", Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
            } catch (RuntimeException e) {
                return; // still out of descriptors: tried again after the next connection
            }
        }
    }

    synchronized void close() {
        release();
    }
}
