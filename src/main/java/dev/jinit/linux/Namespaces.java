package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * unshare(2) and setns(2). Namespaces and the fs state (CLONE_FS) are per thread: a thread that
 * unshares or joins one moves alone into the new namespace, and children it spawns start there.
 * CLONE_NEWUSER is refused by the kernel in a multithreaded process, which is why user namespaces are handed to util-linux.
 */
public final class Namespaces {
    private Namespaces() {}

    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    private static final MethodHandle UNSHARE = Native.errnoCall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static final MethodHandle SETNS = Native.errnoCall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    /**
     * setns(2): moves the calling thread into the namespace {@code fd} refers to (a
     * {@code /proc/PID/ns/*} file); {@code nstype} is the CLONE_NEW* flag it must be, or 0 for any.
     * Network and UTS namespaces can be joined by one thread of a multithreaded process.
     */
    public static void setns(Fd fd, int nstype, String what) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) SETNS.invokeExact(st, fd.get(), nstype), st, "setns", what);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void unshare(int flags) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) UNSHARE.invokeExact(st, flags), st, "unshare", "0x" + Integer.toHexString(flags));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
