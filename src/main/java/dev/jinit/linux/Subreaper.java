package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to this process instead of to
 * PID 1, so a jinit that is not PID 1 can still reap (and clean up) everything its child leaves.
 */
public final class Subreaper {
    private Subreaper() {}

    private static final int PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;

    // int prctl(int option, ...): variadic after the option, every argument a full unsigned long.
    private static final MethodHandle PRCTL = Native.errnoCall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** Makes this process a child subreaper. */
    public static void enable() {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) PRCTL.invokeExact(st, PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L), st,
                    "prctl", "PR_SET_CHILD_SUBREAPER");
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Whether this process is a child subreaper. */
    public static boolean isEnabled() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(JAVA_INT);
            MemorySegment st = Native.callState();
            Native.check((int) PRCTL.invokeExact(st, PR_GET_CHILD_SUBREAPER, flag.address(), 0L, 0L, 0L), st,
                    "prctl", "PR_GET_CHILD_SUBREAPER");
            return flag.get(JAVA_INT, 0) != 0;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
