package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * seccomp(2) with SECCOMP_SET_MODE_FILTER and no flags: the filter is attached to the calling thread only
 * (not SECCOMP_FILTER_FLAG_TSYNC), and every process it then creates inherits it. The kernel copies the
 * program, so its memory is freed at once.
 */
public final class Seccomp {
    private Seccomp() {}

    static final long SYS_SECCOMP = 317;
    static final long SECCOMP_SET_MODE_FILTER = 1;

    private static final MethodHandle SYSCALL = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));

    /**
     * Loads and initialises this class. A spawn thread calls it before it mounts a private /tmp or a
     * sandbox: the filter is installed after those, when jinit's own class path (a checkout under
     * /tmp, say) may be hidden from the thread, and a class loaded then is not found.
     */
    public static void preload() {
        // Class initialisation (the downcall handle above) is the whole point.
    }

    /**
     * Installs a classic BPF program on this thread. Needs no_new_privs on the thread or CAP_SYS_ADMIN.
     *
     * @param program struct sock_filter entries packed as code | jt &lt;&lt; 16 | jf &lt;&lt; 24 | k &lt;&lt; 32
     */
    public static void installOnThisThread(long[] program) {
        if (program.length == 0 || program.length > 4096) throw new IllegalArgumentException("program length " + program.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8L * program.length, 8);
            for (int i = 0; i < program.length; i++) insns.setAtIndex(JAVA_LONG, i, program[i]);
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            MemorySegment fprog = arena.allocate(16, 8);
            fprog.set(JAVA_SHORT, 0, (short) program.length);
            fprog.set(ADDRESS, 8, insns);
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL.invokeExact(st, SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, 0L, fprog);
            Native.check(r, st, "seccomp", "SECCOMP_SET_MODE_FILTER (" + program.length + " instructions)");
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
