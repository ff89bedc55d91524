package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;

/**
 * The one place that builds downcall handles. Every binding class in this package keeps its
 * handles in static finals, so a handle is built only when the path that needs it first runs
 * (class initialisation is lazy): the {@code exec} path never pays for netlink or mounts.
 *
 * <p>Calls that can fail are built with {@link #errnoCall}: the handle takes a call-state segment
 * as its first argument and the linker stores errno there right after the call, before the JVM
 * can clobber it. Each thread has its own call-state segment.
 *
 * <p><b>Shared shapes.</b> The linker generates and loads a class for every distinct function
 * descriptor (with its options) it links, a few milliseconds of start-up each, most of them on the
 * way to the first spawn (issue 7: ~36 descriptors before the first unit of {@code jinit run}
 * ran). Handles with the same descriptor share that class. So a descriptor whose arguments and
 * result are all {@code int}, {@code long} or plain addresses is linked as its <em>shape</em>: the
 * same number of arguments, every one and the result a 64-bit integer; and adapted back to the
 * type the caller asked for: an {@code int} is widened (sign-extended) into its register, which
 * the C callee reads only the low 32 bits of (the LP64 calling conventions of x86-64 and AArch64
 * leave the upper half of a 32-bit argument unspecified; stack slots are 8 bytes, little-endian);
 * an {@code int} result is the low half of the register; an address argument is the segment's
 * address, after the same checks the linker makes (native, not closed), with the segment kept
 * reachable until the call returned (so memory of an automatic arena cannot be freed during the
 * call); an address result is a zero-length segment as the linker makes one. Callers see exactly
 * the {@link java.lang.invoke.MethodType} of their descriptor. What differs from the linker: a
 * segment of a shared arena closed by another thread <em>during</em> the call is not prevented
 * (jinit closes arenas only on the thread that uses them), and a segment confined to another
 * thread is not refused. Anything else (a short, a struct, an address with a target layout) is
 * linked as asked.
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
        return link(symbol(name), fd, 0, options);
    }

    /** A downcall whose first argument is this thread's call-state segment ({@link #callState()}). */
    public static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return link(symbol(name), fd, 1, all);
    }

    /**
     * A downcall to {@code target} with the Java type of {@code fd}, linked through its shared shape
     * when it has one (see the class comment). {@code lead} is the number of leading parameters the
     * options add (1 for the call-state segment).
     */
    static MethodHandle link(MemorySegment target, FunctionDescriptor fd, int lead, Linker.Option... options) {
        FunctionDescriptor shape = shape(fd);
        if (shape == null) return LINKER.downcallHandle(target, fd, options);
        MethodHandle h = LINKER.downcallHandle(target, shape, options);
        List<MemoryLayout> args = fd.argumentLayouts();
        int padding = shape.argumentLayouts().size() - args.size();
        if (padding > 0) {
            Object[] zeros = new Object[padding];
            Arrays.fill(zeros, 0L);
            h = MethodHandles.insertArguments(h, lead + args.size(), zeros);
        }
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) instanceof java.lang.foreign.AddressLayout) {
                int p = lead + i;
                h = MethodHandles.filterArguments(h, p, ADDRESS_OF);
                // h(..., s, ...) becomes keep(h(..., s, ...), s): s stays reachable until the call returned
                MethodHandle kept = MethodHandles.collectArguments(KEEP, 0, h);
                int[] reorder = new int[kept.type().parameterCount()];
                for (int k = 0; k < reorder.length - 1; k++) reorder[k] = k;
                reorder[reorder.length - 1] = p;
                h = MethodHandles.permuteArguments(kept, h.type(), reorder);
            }
        }
        MethodType want = fd.toMethodType();
        for (int k = 0; k < lead; k++) want = want.insertParameterTypes(k, h.type().parameterType(k));
        if (fd.returnLayout().isPresent() && fd.returnLayout().get() instanceof java.lang.foreign.AddressLayout) {
            h = MethodHandles.filterReturnValue(h, SEGMENT_AT);
        }
        return MethodHandles.explicitCastArguments(h, want);
    }

    /**
     * The shared shape of {@code fd}: {@link #SHAPE_ARGS} arguments when it has at most that many (the
     * missing ones are passed as 0 and ignored by the callee: they travel in argument registers), else
     * as many as it has; each argument and the result (also of a void function, whose register is then
     * ignored) a {@code long}. Null when some layout is not an {@code int}, {@code long} or plain address.
     */
    static FunctionDescriptor shape(FunctionDescriptor fd) {
        List<MemoryLayout> args = fd.argumentLayouts();
        for (MemoryLayout l : args) if (!integral(l)) return null;
        if (fd.returnLayout().isPresent() && !integral(fd.returnLayout().get())) return null;
        MemoryLayout[] longs = new MemoryLayout[Math.max(args.size(), SHAPE_ARGS)];
        Arrays.fill(longs, JAVA_LONG);
        return FunctionDescriptor.of(JAVA_LONG, longs);
    }

    /**
     * Integer arguments that travel in registers on both ABIs jinit runs on (x86-64: 6, AArch64: 8): a
     * shape has at least this many, so that one shape serves every call of up to six arguments.
     */
    static final int SHAPE_ARGS = 6;

    private static boolean integral(MemoryLayout l) {
        return l.equals(JAVA_INT) || l.equals(JAVA_LONG) || l.equals(ADDRESS);
    }

    private static final MethodHandle ADDRESS_OF, KEEP, SEGMENT_AT;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            ADDRESS_OF = lookup.findStatic(Native.class, "addressOf", MethodType.methodType(long.class, MemorySegment.class));
            KEEP = lookup.findStatic(Native.class, "keep", MethodType.methodType(long.class, long.class, MemorySegment.class));
            SEGMENT_AT = lookup.findStatic(MemorySegment.class, "ofAddress", MethodType.methodType(MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An address argument: what the linker checks before it passes a segment, then its address. */
    private static long addressOf(MemorySegment s) {
        if (!s.isNative()) throw new IllegalArgumentException("Heap segment not allowed: " + s);
        if (!s.scope().isAlive()) throw new IllegalStateException("Already closed");
        return s.address();
    }

    /** The result of a call, after which {@code s} (one of its address arguments) may be freed. */
    private static long keep(long result, MemorySegment s) {
        Reference.reachabilityFence(s);
        return result;
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
