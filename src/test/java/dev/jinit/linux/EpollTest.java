package dev.jinit.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EpollTest {
    @Test
    void reportsReadablePipesWithTheirDataAndTimesOut() {
        try (Arena arena = Arena.ofConfined(); Fd ep = Epoll.create()) {
            Fd[] a = Posix.pipe(Posix.O_CLOEXEC);
            Fd[] b = Posix.pipe(Posix.O_CLOEXEC);
            try {
                long bigData = 0x1234_5678_9abc_def0L; // exercises the unaligned 64-bit field at offset 4
                Epoll.add(ep.get(), a[0].get(), Epoll.EPOLLIN, 7);
                Epoll.add(ep.get(), b[0].get(), Epoll.EPOLLIN, bigData);
                MemorySegment events = Epoll.events(arena, 4);
                assertEquals(0, Epoll.await(ep.get(), events, 50), "nothing ready yet");

                Posix.writeFully(b[1].get(), "x".getBytes(StandardCharsets.US_ASCII));
                assertEquals(1, Epoll.await(ep.get(), events, 5000));
                assertEquals(bigData, Epoll.eventData(events, 0));
                assertTrue((Epoll.eventMask(events, 0) & Epoll.EPOLLIN) != 0);

                a[1].close();
                Epoll.remove(ep.get(), b[0].get());
                assertEquals(1, Epoll.await(ep.get(), events, 5000));
                assertEquals(7, Epoll.eventData(events, 0));
                assertTrue((Epoll.eventMask(events, 0) & Epoll.EPOLLHUP) != 0, "writer closed: hang-up");
            } finally {
                for (Fd fd : a) fd.close();
                for (Fd fd : b) fd.close();
            }
        }
    }

    @Test
    void eventFdWakesAWaiterAndDrains() {
        try (Arena arena = Arena.ofConfined(); Fd ep = Epoll.create(); EventFd wake = EventFd.create()) {
            Epoll.add(ep.get(), wake.fd(), Epoll.EPOLLIN, 1);
            MemorySegment events = Epoll.events(arena, 2);
            assertFalse(wake.drain(), "not signalled yet");
            wake.signal();
            wake.signal();
            assertEquals(1, Epoll.await(ep.get(), events, 5000));
            assertTrue(wake.drain());
            assertEquals(0, Epoll.await(ep.get(), events, 0), "drained");
        }
    }

    @Test
    void errorsNameCallAndErrno() {
        LinuxException e = assertThrows(LinuxException.class, () -> Epoll.add(-1 >>> 1, 0, Epoll.EPOLLIN, 0));
        assertEquals("EBADF", e.errnoName());
        assertTrue(e.getMessage().startsWith("epoll_ctl ADD fd 0"), e.getMessage());
    }

    @Test
    void fcntlSetsNonBlockingAndPipeSize() {
        Fd[] p = Posix.pipe(Posix.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            Fcntl.setNonBlocking(p[0].get());
            assertTrue((Fcntl.getFlags(p[0].get()) & Posix.O_NONBLOCK) != 0);
            assertEquals(-1, Posix.read(p[0].get(), arena.allocate(16), 16), "empty non-blocking pipe: EAGAIN");
            assertEquals(0, Fcntl.getFlags(p[1].get()) & Posix.O_NONBLOCK, "the other end keeps its own flags");
            int granted = Fcntl.setPipeSize(p[1].get(), 1 << 20);
            assertTrue(granted >= 1 << 20, "granted " + granted);
            assertEquals(granted, Fcntl.pipeSize(p[0].get()));
        } finally {
            for (Fd fd : p) fd.close();
        }
    }
}
