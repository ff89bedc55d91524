package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** waitid(2), the one call the reaper is built on. */
public final class Wait {
    private Wait() {}

    public static final int P_ALL = 0, P_PID = 1, P_PGID = 2;
    public static final int WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    /** si_code values for a child that ended. */
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    /** siginfo_t is 128 bytes on x86_64: si_code at 8, si_pid at 16, si_status at 24. */
    private static final long SIGINFO_SIZE = 128, SI_CODE = 8, SI_PID = 16, SI_STATUS = 24;

    private static final MethodHandle WAITID = Native.errnoCall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    /**
     * One child that ended: {@code code} is CLD_EXITED (status = exit code) or CLD_KILLED /
     * CLD_DUMPED (status = signal number).
     */
    public record Child(int pid, int code, int status) {}

    /**
     * waitid(idtype, id, &info, options), retried on EINTR. Returns null when there is no child to
     * wait for (ECHILD) or, with WNOHANG, when none has ended yet.
     */
    public static Child waitid(int idtype, int id, int options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIGINFO_SIZE, 8);
            MemorySegment st = Native.callState();
            while (true) {
                int r = (int) WAITID.invokeExact(st, idtype, id, info, options);
                if (r == 0) {
                    int pid = info.get(JAVA_INT, SI_PID);
                    return pid == 0 ? null : new Child(pid, info.get(JAVA_INT, SI_CODE), info.get(JAVA_INT, SI_STATUS));
                }
                int errno = Native.errno(st);
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.ECHILD) return null;
                throw new LinuxException("waitid", idtype == P_ALL ? "P_ALL" : Integer.toString(id), errno);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
