package dev.jinit.boot;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the kernel command line asks of jinit as PID 1 (see {@link KernelCommandLine} for the words).
 *
 * @param units         the unit directory ({@code jinit.units=}, default {@link #DEFAULT_UNITS})
 * @param debug         {@code jinit.debug}: more lines on the console (ignored words, each module)
 * @param shell         {@code jinit.shell=TTY}: a console shell on /dev/TTY
 * @param ip            {@code ip=}, kept for the network part as given
 * @param root          {@code rw}/{@code ro}: what to do with the root filesystem's mount
 * @param hostname      {@code hostname=}
 * @param modules       {@code modules-load=} (and {@code rd.modules-load=}), in order, without repeats
 * @param target        {@code jinit.target=}/{@code systemd.unit=}: the unit to reach instead of the
 *                      startup targets (multi-user.target, default.target)
 * @param api           {@code jinit.api=}, kept for the HTTP API part as given
 * @param ssh           {@code jinit.ssh=}, kept for the SSH part as given
 * @param consoleOutput {@code jinit.console_output=}: units' output copied to the console (default yes)
 */
public record BootOptions(Path units, boolean debug, Optional<String> shell, Optional<String> ip, RootMount root,
                          Optional<String> hostname, List<String> modules, Optional<String> target,
                          Optional<String> api, Optional<String> ssh, boolean consoleOutput) {

    public static final Path DEFAULT_UNITS = Path.of("/etc/jinit/units");

    /** The {@code rw}/{@code ro} words: the kernel mounts / read-only unless told rw, and init may change it. */
    public enum RootMount { UNCHANGED, READ_WRITE, READ_ONLY }

    public BootOptions {
        Objects.requireNonNull(units, "units");
        Objects.requireNonNull(root, "root");
        modules = List.copyOf(modules);
    }

    /** No command line at all. */
    public static BootOptions defaults() {
        return new BootOptions(DEFAULT_UNITS, false, Optional.empty(), Optional.empty(), RootMount.UNCHANGED,
                Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), true);
    }
}
