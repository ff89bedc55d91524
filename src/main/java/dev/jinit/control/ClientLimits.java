package dev.jinit.control;

import java.time.Duration;

/**
 * Bounds on the control socket's clients, so that no client (or flood of clients) can use up
 * jinit's descriptors, threads or memory: what OpenSSH's MaxStartups and LoginGraceTime, and
 * dnsmasq's limit on TCP children, do for their servers.
 *
 * @param maxConnections connections served at once; one more is answered "too many connections" and closed
 * @param idleTimeout    how long a client may take to send its request, and to take its answer;
 *                       a client that is silent longer (a half-open connection) is closed. A
 *                       running job ({@code start} waits for the unit) and {@code logs -f} are not idle.
 */
public record ClientLimits(int maxConnections, Duration idleTimeout) {
    /**
     * 64 concurrent clients is far more than any person or script needs (the CLI holds one for a
     * command's duration); 10 s covers a loaded machine's slowest honest client, which sends its
     * request line right after connecting.
     */
    public static final ClientLimits DEFAULTS = new ClientLimits(64, Duration.ofSeconds(10));

    public ClientLimits {
        if (maxConnections < 1) throw new IllegalArgumentException("maximum connections must be at least 1, not " + maxConnections);
        if (idleTimeout.isNegative() || idleTimeout.isZero())
            throw new IllegalArgumentException("idle timeout must be positive, not " + idleTimeout);
    }
}
