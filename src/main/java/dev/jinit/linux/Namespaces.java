package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * unshare(2). Namespaces and the fs state (CLONE_FS) are per thread: a thread that unshares moves
 * alone into the new namespace, and children it spawns start there. CLONE_NEWUSER is refused by
 * the kernel in a multithreaded process, which is why user namespaces are handed to util-linux.
 */
public final class Namespaces {
    private Namespaces() {}

    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    private static final MethodHandle UNSHARE = Native.errnoCall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    public static void unshare(int flags) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) UNSHARE.invokeExact(st, flags), st, "unshare", "0x" + Integer.toHexString(flags));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
