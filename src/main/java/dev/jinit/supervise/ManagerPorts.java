package dev.jinit.supervise;

import java.util.Objects;

/**
 * Every port the manager uses (see {@link Ports}), in one value: the real ones for {@code jinit run}
 * and {@code boot}, fakes for tests.
 */
public record ManagerPorts(Ports.Launcher launcher, Ports.ExitWatcher exits, Ports.LogSink logs,
                           Ports.Processes processes, Ports.Scopes scopes) {
    public ManagerPorts {
        Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(exits, "exits");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(scopes, "scopes");
    }

    /**
     * The kernel's processes, and scopes as {@code options} ask: a cgroup per unit under the cgroup
     * parent when there is one (process groups when it cannot be made), else process groups.
     */
    public static ManagerPorts kernel(Manager.Options options, Ports.Launcher launcher, Ports.ExitWatcher exits,
                                      Ports.LogSink logs) {
        Ports.Scopes scopes = unit -> {
            if (options.cgroupParent() != null) {
                try {
                    return new ProcessScope.Cgroup(options.cgroups(), options.cgroupParent().resolve(unit));
                } catch (RuntimeException e) {
                    logs.note(unit, "No cgroup for " + unit + " (" + e.getMessage() + "); using process groups.");
                }
            }
            return new ProcessScope.Groups();
        };
        return new ManagerPorts(launcher, exits, logs, KernelProcesses.INSTANCE, scopes);
    }
}
