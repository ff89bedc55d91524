package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Puts a terminal on descriptors 0, 1 and 2. The kernel starts init with them open on /dev/console
 * only when an initramfs has that node; with none (or something else there) init must open it itself.
 * Java's System.out and System.err write to descriptors 1 and 2, so they follow.
 */
public final class Stdio {
    private Stdio() {}

    private static final MethodHandle DUP2 = Native.errnoCall("dup2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    /** Opens {@code device} without making it the controlling tty (PID 1 must not get one) and dup2s it onto 0, 1, 2. */
    public static void attach(String device) {
        try (Fd fd = Posix.open(device, Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC, 0)) {
            for (int target = 0; target <= 2; target++) dup2(fd.get(), target, device);
        }
    }

    private static void dup2(int fd, int target, String what) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) DUP2.invokeExact(st, fd, target), st, "dup2", what + " to fd " + target);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
