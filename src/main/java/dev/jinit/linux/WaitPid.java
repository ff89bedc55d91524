package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * waitid(P_PID) for one known child. The supervisor reaps with waitid(P_ALL) in its Reaper; this is
 * for the few places that own exactly one child and must reap it themselves (a child killed at the
 * exec gate, the benchmark, tests).
 */
public final class WaitPid {
    private WaitPid() {}

    static final int P_PID = 1, WNOHANG = 1, WEXITED = 4;
    /** si_code values. */
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    private static final MethodHandle WAITID = Native.errnoCall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    /**
     * How a child ended: {@code code} is CLD_EXITED (status = exit code) or CLD_KILLED/CLD_DUMPED
     * (status = signal).
     */
    public record Exit(int pid, int code, int status) {
        public boolean exited() {
            return code == CLD_EXITED;
        }
    }

    /**
     * Reaps {@code pid}. With {@code noHang}, returns empty when it is still running. Returns empty
     * too when it is not (or no longer) our child (ECHILD): somebody else reaped it.
     */
    public static Optional<Exit> waitid(int pid, boolean noHang) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(128, 8);
            MemorySegment st = Native.callState();
            while (true) {
                int r = (int) WAITID.invokeExact(st, P_PID, pid, info, WEXITED | (noHang ? WNOHANG : 0));
                if (r == 0) break;
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.ECHILD) return Optional.empty();
                throw new LinuxException("waitid", "pid " + pid, errno);
            }
            // siginfo_t: si_code at 8, si_pid at 16, si_status at 24; si_pid 0 means "nothing yet".
            int reaped = info.get(JAVA_INT, 16);
            if (reaped == 0) return Optional.empty();
            return Optional.of(new Exit(reaped, info.get(JAVA_INT, 8), info.get(JAVA_INT, 24)));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
