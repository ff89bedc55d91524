package dev.jinit.supervise;

import dev.jinit.exec.Rlimit;
import dev.jinit.linux.Resources;

/**
 * jinit's own descriptor limit and the one its services start with, as systemd sets them
 * (systemd.exec(5), "Process Properties"; systemd 240+): the supervisor raises its own soft
 * RLIMIT_NOFILE to the hard limit, because it holds a descriptor per pipe, pidfd and client of every
 * unit; its services start with a soft limit of 1024 (select(2) breaks on descriptors above 1023, and
 * most programs never need more) and jinit's hard limit, so that a service can raise its own soft
 * limit, unless the unit says {@code LimitNOFILE=}.
 */
public final class FdLimits {
    private FdLimits() {}

    /** systemd's DefaultLimitNOFILESoft=. */
    public static final long CHILD_SOFT = 1024;

    /**
     * Raises this process's soft limit to its hard limit and returns the limits now in force. (HotSpot
     * does the same at start-up unless -XX:-MaxFDLimit; doing it here makes it jinit's decision.)
     */
    public static Resources.Limits raiseOwn() {
        Resources.Limits now = Resources.getLimit(0, Rlimit.NOFILE.resource);
        if (now.soft() != now.hard()) {
            Resources.setLimit(0, Rlimit.NOFILE.resource, new Resources.Limits(now.hard(), now.hard()));
            now = Resources.getLimit(0, Rlimit.NOFILE.resource);
        }
        return now;
    }

    /** What a service gets without LimitNOFILE=: soft 1024 (or less when the hard limit is lower), jinit's hard limit. */
    public static Rlimit.Limit childDefault() {
        long hard = Resources.getLimit(0, Rlimit.NOFILE.resource).hard();
        long soft = hard == Rlimit.INFINITY ? CHILD_SOFT : Math.min(CHILD_SOFT, hard);
        return new Rlimit.Limit(soft, hard);
    }
}
