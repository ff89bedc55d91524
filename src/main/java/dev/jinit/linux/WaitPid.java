package dev.jinit.linux;

import java.util.Optional;

/**
 * waitid(P_PID) for one known child, for the few places that own exactly one child and reap it
 * themselves (tests, benchmarks, the exec gate's killed child); the supervisor reaps everything
 * else with {@link Wait} from its Reaper. A thin, Optional-returning form of {@link Wait#waitid}.
 */
public final class WaitPid {
    private WaitPid() {}

    /** si_code values. */
    public static final int CLD_EXITED = Wait.CLD_EXITED, CLD_KILLED = Wait.CLD_KILLED, CLD_DUMPED = Wait.CLD_DUMPED;

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
        Wait.Child c = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | (noHang ? Wait.WNOHANG : 0));
        return c == null ? Optional.empty() : Optional.of(new Exit(c.pid(), c.code(), c.status()));
    }
}
