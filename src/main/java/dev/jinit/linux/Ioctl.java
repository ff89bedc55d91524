package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** ioctl(2), which is variadic: the third argument is either a pointer or a plain value. */
public final class Ioctl {
    private Ioctl() {}

    public static final long TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCNOTTY = 0x5422,
            TIOCGPTN = 0x80045430L, TIOCSPTLCK = 0x40045431L;

    private static final MethodHandle IOCTL_PTR = Native.errnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = Native.errnoCall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));

    /** ioctl(fd, request, pointer). */
    public static int ioctl(int fd, long request, MemorySegment argument) {
        try {
            MemorySegment st = Native.callState();
            int r = (int) IOCTL_PTR.invokeExact(st, fd, request, argument);
            return Native.check(r, st, "ioctl", "fd " + fd + " 0x" + Long.toHexString(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** ioctl(fd, request, value). */
    public static int ioctl(int fd, long request, long value) {
        try {
            MemorySegment st = Native.callState();
            int r = (int) IOCTL_LONG.invokeExact(st, fd, request, value);
            return Native.check(r, st, "ioctl", "fd " + fd + " 0x" + Long.toHexString(request));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
