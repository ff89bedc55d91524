package dev.jinit.exec;

import java.util.Locale;

/** The RLIMIT_* resources, named as systemd's {@code Limit*=} directives name them. */
public enum Rlimit {
    CPU(0), FSIZE(1), DATA(2), STACK(3), CORE(4), RSS(5), NPROC(6), NOFILE(7), MEMLOCK(8), AS(9),
    LOCKS(10), SIGPENDING(11), MSGQUEUE(12), NICE(13), RTPRIO(14), RTTIME(15);

    /** The resource number for prlimit(2). */
    public final int resource;

    Rlimit(int resource) {
        this.resource = resource;
    }

    /** {@code LimitNOFILE}. */
    public String directive() {
        return "Limit" + name();
    }

    /** The resource for a directive such as {@code LimitNOFILE}, or null. */
    public static Rlimit forDirective(String directive) {
        if (!directive.startsWith("Limit")) return null;
        try {
            return valueOf(directive.substring(5).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** RLIM_INFINITY. */
    public static final long INFINITY = -1L;

    /** A soft and hard limit; {@link #INFINITY} for no limit. */
    public record Limit(long soft, long hard) {
        public Limit {
            if (hard != INFINITY && (soft == INFINITY || Long.compareUnsigned(soft, hard) > 0))
                throw new IllegalArgumentException("soft limit " + soft + " exceeds hard limit " + hard);
        }
    }
}
