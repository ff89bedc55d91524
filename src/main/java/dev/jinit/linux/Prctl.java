package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;

/**
 * prctl(2). Most options act on the calling thread only (no_new_privs, the capability bounding
 * set), which is why the Spawner calls them on a throwaway thread: the child copies the thread's
 * state, and the thread ends before anything else can inherit it.
 */
public final class Prctl {
    private Prctl() {}

    public static final int PR_SET_PDEATHSIG = 1, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24,
            PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38,
            PR_GET_NO_NEW_PRIVS = 39;

    // int prctl(int option, ...): variadic after the option; every argument is passed as a full
    // unsigned long because the kernel reads whole registers.
    private static final MethodHandle PRCTL = Native.errnoCall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** prctl(option, a2, a3, a4, a5); returns the result or throws naming the option. */
    public static int prctl(int option, long a2, long a3, long a4, long a5) {
        try {
            MemorySegment st = Native.callState();
            int r = (int) PRCTL.invokeExact(st, option, a2, a3, a4, a5);
            return Native.check(r, st, "prctl", optionName(option) + (a2 != 0 ? " " + a2 : ""));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** PR_SET_NO_NEW_PRIVS on the calling thread (irreversible, inherited by children). */
    public static void setNoNewPrivileges() {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }

    /** Drops one capability from the calling thread's bounding set (needs CAP_SETPCAP). */
    public static void dropBoundingCapability(int capability) {
        prctl(PR_CAPBSET_DROP, capability, 0, 0, 0);
    }

    /** Whether a capability is in the calling thread's bounding set. */
    public static boolean inBoundingSet(int capability) {
        return prctl(PR_CAPBSET_READ, capability, 0, 0, 0) == 1;
    }

    /** Makes the calling process a child subreaper: orphaned descendants are reparented to it. */
    public static void setChildSubreaper(boolean on) {
        prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0);
    }

    /** The highest capability number this kernel knows ({@code /proc/sys/kernel/cap_last_cap}). */
    public static int lastCapability() {
        // One read(2) of the whole value: a sysctl file answers a read at a non-zero offset with
        // nothing, so Java's readAllBytes (which reads a size-0 file a byte first) gets just "4" of "40".
        try (Fd fd = Posix.open("/proc/sys/kernel/cap_last_cap", Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32);
            long n = Posix.read(fd.get(), buf, buf.byteSize());
            return Integer.parseInt(new String(buf.asSlice(0, Math.max(0, n)).toArray(JAVA_BYTE), StandardCharsets.US_ASCII).trim());
        } catch (LinuxException | NumberFormatException e) {
            // Kernels without the file (before 3.2) know at most CAP_BLOCK_SUSPEND (36).
            return 36;
        }
    }

    private static String optionName(int option) {
        return switch (option) {
            case PR_SET_PDEATHSIG -> "PR_SET_PDEATHSIG";
            case PR_GET_DUMPABLE -> "PR_GET_DUMPABLE";
            case PR_SET_DUMPABLE -> "PR_SET_DUMPABLE";
            case PR_SET_NAME -> "PR_SET_NAME";
            case PR_CAPBSET_READ -> "PR_CAPBSET_READ";
            case PR_CAPBSET_DROP -> "PR_CAPBSET_DROP";
            case PR_SET_CHILD_SUBREAPER -> "PR_SET_CHILD_SUBREAPER";
            case PR_GET_CHILD_SUBREAPER -> "PR_GET_CHILD_SUBREAPER";
            case PR_SET_NO_NEW_PRIVS -> "PR_SET_NO_NEW_PRIVS";
            case PR_GET_NO_NEW_PRIVS -> "PR_GET_NO_NEW_PRIVS";
            default -> "option " + option;
        };
    }
}
