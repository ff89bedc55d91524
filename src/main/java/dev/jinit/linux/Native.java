package dev.jinit.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one place that builds downcall handles. Every binding class in this package keeps its
 * handles in static finals, so a handle is built only when the path that needs it first runs
 * (class initialisation is lazy): the {@code exec} path never pays for netlink or mounts.
 *
 * <p>Calls that can fail are built with {@link #errnoCall}: the handle takes a call-state segment
 * as its first argument and the linker stores errno there right after the call, before the JVM
 * can clobber it. Each thread has its own call-state segment.
 */
public final class Native {
    private Native() {}

    public static final Linker LINKER = Linker.nativeLinker();
    public static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Per-thread errno slot; auto arena so any thread may touch it and it is freed with the thread. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    public static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** A plain downcall: for calls that cannot fail or that return the error number themselves. */
    public static MethodHandle call(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), fd, options);
    }

    /** A downcall whose first argument is this thread's call-state segment ({@link #callState()}). */
    public static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol(name), fd, all);
    }

    /** The calling thread's call-state segment, to pass as the first argument of an errnoCall. */
    public static MemorySegment callState() {
        return STATE.get();
    }

    /** errno as captured by the last errnoCall on this thread. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** invokeExact declares Throwable; a downcall only throws errors of the JVM itself. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** Throws a {@link LinuxException} when a libc call returned -1. */
    public static int check(int result, MemorySegment callState, String call, Object argument) {
        if (result == -1) throw new LinuxException(call, String.valueOf(argument), errno(callState));
        return result;
    }

    public static long check(long result, MemorySegment callState, String call, Object argument) {
        if (result == -1) throw new LinuxException(call, String.valueOf(argument), errno(callState));
        return result;
    }
}
