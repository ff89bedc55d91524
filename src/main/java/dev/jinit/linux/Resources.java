package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/**
 * Per-process resources that can be set on ANOTHER process: resource limits (prlimit), the nice
 * value (setpriority) and CPU affinity (sched_setaffinity). The exec gate applies them to a child
 * that has not exec'd yet.
 */
public final class Resources {
    private Resources() {}

    public static final int PRIO_PROCESS = 0;
    static final long SYS_GETPRIORITY = 140;

    /** {soft, hard} of struct rlimit; RLIM_INFINITY is all ones (-1 as a long). */
    public record Limits(long soft, long hard) {}

    private static final MethodHandle PRLIMIT = Native.errnoCall("prlimit",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETPRIORITY = Native.errnoCall("setpriority",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // The raw getpriority returns 20 - nice (1..40), so an error (-1) cannot be mistaken for nice
    // 1 the way glibc's wrapper's result can.
    private static final MethodHandle SYSCALL2 = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SCHED_SETAFFINITY = Native.errnoCall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = Native.errnoCall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));

    /** prlimit(pid, resource, new, NULL); pid 0 is the calling process. */
    public static void setLimit(int pid, int resource, Limits limits) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(JAVA_LONG, 2);
            rl.setAtIndex(JAVA_LONG, 0, limits.soft());
            rl.setAtIndex(JAVA_LONG, 1, limits.hard());
            MemorySegment st = Native.callState();
            int r = (int) PRLIMIT.invokeExact(st, pid, resource, rl, MemorySegment.NULL);
            Native.check(r, st, "prlimit", "pid " + pid + " resource " + resource);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The limits of a process (pid 0: this one). */
    public static Limits getLimit(int pid, int resource) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(JAVA_LONG, 2);
            MemorySegment st = Native.callState();
            int r = (int) PRLIMIT.invokeExact(st, pid, resource, MemorySegment.NULL, rl);
            Native.check(r, st, "prlimit", "pid " + pid + " resource " + resource);
            return new Limits(rl.getAtIndex(JAVA_LONG, 0), rl.getAtIndex(JAVA_LONG, 1));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** setpriority(PRIO_PROCESS, pid, nice). */
    public static void setNice(int pid, int nice) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) SETPRIORITY.invokeExact(st, PRIO_PROCESS, pid, nice), st, "setpriority",
                    "pid " + pid + " nice " + nice);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The nice value of a process (pid 0: the calling thread). */
    public static int getNice(int pid) {
        try {
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL2.invokeExact(st, SYS_GETPRIORITY, (long) PRIO_PROCESS, (long) pid);
            Native.check(r, st, "getpriority", "pid " + pid);
            return 20 - (int) r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** sched_setaffinity(pid, mask): the CPUs (bit N = CPU N) the process may run on. */
    public static void setAffinity(int pid, BitSet cpus) {
        long[] words = cpus.toLongArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(JAVA_LONG, Math.max(1, words.length));
            for (int i = 0; i < words.length; i++) mask.setAtIndex(JAVA_LONG, i, words[i]);
            MemorySegment st = Native.callState();
            int r = (int) SCHED_SETAFFINITY.invokeExact(st, pid, mask.byteSize(), mask);
            Native.check(r, st, "sched_setaffinity", "pid " + pid + " cpus " + cpus);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The CPUs a process may run on (pid 0: the calling thread). */
    public static BitSet getAffinity(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            // 1024 CPUs, glibc's cpu_set_t; the kernel refuses a mask smaller than its nr_cpu_ids.
            MemorySegment mask = arena.allocate(JAVA_LONG, 16);
            MemorySegment st = Native.callState();
            int r = (int) SCHED_GETAFFINITY.invokeExact(st, pid, mask.byteSize(), mask);
            Native.check(r, st, "sched_getaffinity", "pid " + pid);
            return BitSet.valueOf(mask.toArray(JAVA_LONG));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
