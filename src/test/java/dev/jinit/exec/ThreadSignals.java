package dev.jinit.exec;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jinit.linux.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Test-only: blocks signals on the calling thread and ignores signals process-wide, then undoes it. */
final class ThreadSignals implements AutoCloseable {
    private static final int SIG_BLOCK = 0, SIG_SETMASK = 2;
    private static final MethodHandle PTHREAD_SIGMASK = Native.call("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGNAL = Native.call("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment oldMask = arena.allocate(128, 8);
    private final int[] ignored;
    private final MemorySegment[] oldHandlers;

    /** Blocks {@code blocked} on this thread and sets {@code ignored} to SIG_IGN. */
    ThreadSignals(int[] blocked, int[] ignored) {
        this.ignored = ignored;
        this.oldHandlers = new MemorySegment[ignored.length];
        MemorySegment set = arena.allocate(128, 8);
        long bits = 0;
        for (int sig : blocked) bits |= 1L << (sig - 1);
        set.set(JAVA_LONG, 0, bits);
        try {
            if ((int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, set, oldMask) != 0) throw new IllegalStateException("pthread_sigmask");
            for (int i = 0; i < ignored.length; i++)
                oldHandlers[i] = (MemorySegment) SIGNAL.invokeExact(ignored[i], MemorySegment.ofAddress(1));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    @Override
    public void close() {
        try {
            for (int i = 0; i < ignored.length; i++) {
                MemorySegment unused = (MemorySegment) SIGNAL.invokeExact(ignored[i], oldHandlers[i]);
            }
            int unused = (int) PTHREAD_SIGMASK.invokeExact(SIG_SETMASK, oldMask, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            arena.close();
        }
    }
}
