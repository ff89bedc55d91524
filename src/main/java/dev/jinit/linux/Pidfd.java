package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Process file descriptors (Linux 5.3+): a pidfd names one process for good, so a signal sent
 * through it can never hit a recycled pid. Raw system calls, as older glibc versions lack the
 * wrappers.
 */
public final class Pidfd {
    private Pidfd() {}

    static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_PIDFD_OPEN = 434;

    private static final MethodHandle SYSCALL4 = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    /** pidfd_open(pid, 0); the descriptor is close-on-exec. */
    public static Fd open(int pid) {
        try {
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL4.invokeExact(st, SYS_PIDFD_OPEN, (long) pid, 0L, 0L, 0L);
            return Fd.adopt((int) Native.check(r, st, "pidfd_open", pid));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** pidfd_send_signal(pidfd, signal, NULL, 0). Returns false when the process has exited (ESRCH). */
    public static boolean sendSignal(Fd pidfd, int signal) {
        try {
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL4.invokeExact(st, SYS_PIDFD_SEND_SIGNAL, (long) pidfd.get(), (long) signal, 0L, 0L);
            if (r == -1 && Native.errno(st) == Errno.ESRCH) return false;
            Native.check(r, st, "pidfd_send_signal", pidfd.get() + " " + Signals.name(signal));
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
