package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A pseudo-terminal pair: jinit keeps the master, a child opens {@link #slave()} (as its controlling
 * terminal, for a console shell or a test). Made from /dev/ptmx with the two ioctls that
 * posix_openpt/unlockpt/ptsname wrap, so no extra libc state is involved.
 */
public record Pty(Fd master, Path slave) implements AutoCloseable {

    /** Opens a new pty master (close-on-exec, not a controlling tty of jinit) and unlocks its slave. */
    public static Pty open() {
        Fd master = Posix.open("/dev/ptmx", Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, 0);
            Ioctl.ioctl(master.get(), Ioctl.TIOCSPTLCK, value);
            Ioctl.ioctl(master.get(), Ioctl.TIOCGPTN, value);
            return new Pty(master, Path.of("/dev/pts/" + value.get(JAVA_INT, 0)));
        } catch (RuntimeException e) {
            master.close();
            throw e;
        }
    }

    @Override
    public void close() {
        master.close();
    }
}
