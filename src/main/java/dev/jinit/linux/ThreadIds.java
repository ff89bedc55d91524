package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Credential changes of the CALLING THREAD only. glibc's setuid/setgid/setgroups wrappers change
 * every thread of the process (they signal each thread to make POSIX semantics hold); the raw
 * system calls change only the caller, which is exactly what a throwaway spawn thread needs: the
 * child copies the thread's credentials and the rest of jinit stays root.
 */
public final class ThreadIds {
    private ThreadIds() {}

    // x86_64 system call numbers.
    static final long SYS_SETGROUPS = 116, SYS_SETRESUID = 117, SYS_SETRESGID = 119, SYS_GETRESUID = 118,
            SYS_GETRESGID = 120;
    /** "Leave unchanged" for setresuid/setresgid. */
    public static final int UNCHANGED = -1;

    // long syscall(long number, ...): variadic after the number; arguments as full longs because
    // glibc's syscall() reads them with va_arg(ap, long).
    private static final MethodHandle SYSCALL3 = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle GETTID = Native.call("gettid", FunctionDescriptor.of(JAVA_INT));

    /** The calling thread's kernel thread id. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** setgroups(2) for this thread only. */
    public static void setGroups(List<Integer> groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(JAVA_INT, Math.max(1, groups.size()));
            for (int i = 0; i < groups.size(); i++) list.setAtIndex(JAVA_INT, i, groups.get(i));
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL3.invokeExact(st, SYS_SETGROUPS, (long) groups.size(), list.address(), 0L);
            Native.check(r, st, "setgroups", groups);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** setresgid(2) for this thread only; {@link #UNCHANGED} keeps a value. */
    public static void setResGid(int real, int effective, int saved) {
        raw(SYS_SETRESGID, "setresgid", real, effective, saved);
    }

    /** setresuid(2) for this thread only; {@link #UNCHANGED} keeps a value. */
    public static void setResUid(int real, int effective, int saved) {
        raw(SYS_SETRESUID, "setresuid", real, effective, saved);
    }

    /**
     * This thread's real, effective and saved uid, then its real, effective and saved gid
     * (getresuid(2) and getresgid(2) of this thread, which may differ from another thread's).
     */
    public static int[] ids() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(JAVA_INT, 6);
            MemorySegment st = Native.callState();
            Native.check((long) SYSCALL3.invokeExact(st, SYS_GETRESUID, ids.address(), ids.address() + 4, ids.address() + 8),
                    st, "getresuid", "");
            Native.check((long) SYSCALL3.invokeExact(st, SYS_GETRESGID, ids.address() + 12, ids.address() + 16,
                    ids.address() + 20), st, "getresgid", "");
            return ids.toArray(JAVA_INT);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void raw(long number, String name, int a, int b, int c) {
        try {
            MemorySegment st = Native.callState();
            // uid_t and gid_t are unsigned 32-bit: "unchanged" (-1) is 0xffffffff.
            long r = (long) SYSCALL3.invokeExact(st, number, Integer.toUnsignedLong(a), Integer.toUnsignedLong(b),
                    Integer.toUnsignedLong(c));
            Native.check(r, st, name, a + " " + b + " " + c);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
