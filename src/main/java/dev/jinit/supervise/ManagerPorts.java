package dev.jinit.supervise;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Every port the manager uses (see {@link Ports}), in one value: the real ones for {@code jinit run}
 * and {@code boot}, fakes for tests.
 */
public record ManagerPorts(Ports.Launcher launcher, Ports.ExitWatcher exits, Ports.LogSink logs,
                           Ports.Processes processes, Ports.Scopes scopes, Executor spawner) {
    public ManagerPorts {
        Objects.requireNonNull(spawner, "spawner");
        Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(exits, "exits");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(scopes, "scopes");
    }

    /** With a {@link #spawnExecutor()} of its own. */
    public ManagerPorts(Ports.Launcher launcher, Ports.ExitWatcher exits, Ports.LogSink logs,
                        Ports.Processes processes, Ports.Scopes scopes) {
        this(launcher, exits, logs, processes, scopes, spawnExecutor());
    }

    /**
     * Where spawns and the unit's directory work run, so that nothing that may block (an open, a
     * mkdir on a slow disk, a recursive delete) runs on the manager thread. Daemon platform threads
     * made on demand and reused, one per spawn in progress: a spawn that hangs holds its thread,
     * never another unit's spawn (a downcall would pin a virtual thread's carrier the same way).
     */
    public static ExecutorService spawnExecutor() {
        // Idle threads end after SPAWNER_KEEP_ALIVE, so an unused executor costs nothing. A start of many
        // units makes dozens of them (one per spawn in progress); each holds its stack and the C
        // library's per-thread caches, and their exits wake the JVM's housekeeping threads, so they
        // should not outlive the burst by a minute (the JDK's cached pool) before jinit is idle.
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, SPAWNER_KEEP_ALIVE.toNanos(), TimeUnit.NANOSECONDS,
                new SynchronousQueue<>(), Thread.ofPlatform().name("jinit-spawner-", 0).daemon(true).factory());
    }

    /** How long an idle spawner thread waits for the next spawn before it ends. */
    static final Duration SPAWNER_KEEP_ALIVE = Duration.ofSeconds(5);

    /**
     * The kernel's processes, and scopes as {@code options} ask: a cgroup per unit under the cgroup
     * parent when there is one (process groups when it cannot be made), else process groups.
     */
    public static ManagerPorts kernel(Manager.Options options, Ports.Launcher launcher, Ports.ExitWatcher exits,
                                      Ports.LogSink logs) {
        ScopeWatcher watcher = new ScopeWatcher(System.err);
        java.util.Set<Integer> groupRoots = new java.util.HashSet<>(); // shared by the Groups scopes, manager thread only
        Ports.Scopes scopes = new Ports.Scopes() {
            @Override
            public ProcessScope create(String unit) {
                if (options.cgroupParent() != null) {
                    try {
                        return new ProcessScope.Cgroup(options.cgroups(), options.cgroupParent().resolve(unit), watcher);
                    } catch (RuntimeException e) {
                        logs.note(unit, "No cgroup for " + unit + " (" + e.getMessage() + "); using process groups.");
                    }
                }
                return new ProcessScope.Groups(watcher, groupRoots);
            }

            @Override
            public ProcessScope adopt(String unit, java.nio.file.Path cgroup) {
                if (cgroup != null && options.cgroups() != null) {
                    try {
                        return new ProcessScope.Cgroup(options.cgroups(), options.cgroups().resolve(cgroup), watcher);
                    } catch (RuntimeException e) {
                        logs.note(unit, "Cannot use the cgroup " + cgroup + " of the run taken over (" + e.getMessage() + ").");
                    }
                }
                return create(unit);
            }

            @Override
            public void drain() {
                watcher.drain();
            }
        };
        return new ManagerPorts(launcher, exits, logs, KernelProcesses.INSTANCE, scopes, spawnExecutor());
    }
}
