package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The few terminal questions {@code jinit exec} asks about the terminal it was started on. */
public final class Terminals {
    private Terminals() {}

    private static final MethodHandle ISATTY = Native.errnoCall("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle TCGETPGRP = Native.errnoCall("tcgetpgrp", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPGRP = Native.call("getpgrp", FunctionDescriptor.of(JAVA_INT));

    /** Whether {@code fd} is a terminal. */
    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.invokeExact(Native.callState(), fd) == 1;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The terminal's foreground process group, or -1 when {@code fd} is not this process's controlling terminal. */
    public static int foregroundGroup(int fd) {
        try {
            return (int) TCGETPGRP.invokeExact(Native.callState(), fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** This process's process group. */
    public static int processGroup() {
        try {
            return (int) GETPGRP.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
