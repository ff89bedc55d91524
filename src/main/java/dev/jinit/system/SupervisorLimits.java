package dev.jinit.system;

import dev.jinit.control.ClientLimits;
import dev.jinit.supervise.UnitFilesReader;
import java.time.Duration;
import java.util.Objects;

/**
 * The bounds that keep a supervising jinit answering whatever its files and clients do (issue 12):
 * how long reading the unit files may take, and how many control clients it serves and for how long.
 * The defaults suit any real use; tests make them small.
 *
 * @param loadTimeout how long reading the unit directory may take before it is given up
 * @param clients     bounds on the control socket's clients
 */
public record SupervisorLimits(Duration loadTimeout, ClientLimits clients) {
    public static final SupervisorLimits DEFAULTS = new SupervisorLimits(UnitFilesReader.DEFAULT_DEADLINE, ClientLimits.DEFAULTS);

    public SupervisorLimits {
        Objects.requireNonNull(loadTimeout, "loadTimeout");
        Objects.requireNonNull(clients, "clients");
        if (loadTimeout.isNegative() || loadTimeout.isZero()) throw new IllegalArgumentException("load timeout must be positive");
    }
}
