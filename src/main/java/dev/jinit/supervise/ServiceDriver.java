package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.SpawnException;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.NotifyAccess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Carries out one service's {@link ServiceMachine} actions against the outside world: spawns its
 * processes (in the unit's scope, with its environment and directories), watches their exits,
 * signals them, adopts a MAINPID=, and reports each state change to the manager. Everything it
 * touches outside the JVM goes through {@link ManagerPorts}. Runs on the manager thread.
 */
final class ServiceDriver implements ServiceEffects {
    /** How often a main process that is not jinit's child is checked for life. */
    static final long FOREIGN_POLL_MILLIS = 500;

    /** What a driver is given by the manager. */
    record Context(EventLoop loop, Manager.Options options, ManagerPorts ports, PrintStream console, Listener listener) {}

    /** The manager's side of a driver: state changes go there, after the machine's call returned. */
    interface Listener {
        /** One change of the unit's state (its sequence is given by the stream): publish it. */
        void published(UnitTransition change);

        /** The machine settled in these states (a batch, in order): the jobs and dependencies react. */
        void settled(UnitRuntime unit, List<Action.StateChanged> batch);
    }

    private final UnitRuntime unit;
    private final Context ctx;
    private final String name;
    private ProcessScope scope;
    private String invocationId = "";
    /** The sender of the notify message being handled, found to be this unit's when it was received. */
    private int verifiedSender;
    private final List<Action.StateChanged> transitions = new ArrayList<>();

    ServiceDriver(UnitRuntime unit, Context ctx) {
        this.unit = unit;
        this.ctx = ctx;
        this.name = unit.name;
    }

    /** The unit's live processes other than those the machine knows, for {@code status}. */
    List<Integer> processes() {
        return scope == null ? List.of() : scope.pids();
    }

    /** Whether a process (seen when its message was received) belongs to this unit's current run. */
    boolean owns(int pid, String cgroup, ProcTable.Entry entry) {
        return scope != null && (scope.owned(cgroup, entry) || scope.contains(pid));
    }

    /**
     * SIGKILL to every process of the unit, now (the overall stop deadline passed, or a forced
     * stop): the machine hears of their exits as usual.
     */
    void killAll() {
        ServiceMachine m = unit.machine;
        try {
            if (scope != null) scope.signalAll(Signals.SIGKILL, m.mainPid(), m.controlPid());
            else for (int p : new int[] {m.mainPid(), m.controlPid()}) if (p > 0) ctx.ports().processes().kill(p, Signals.SIGKILL);
        } catch (RuntimeException e) {
            note("Failed to kill the unit's processes: " + e.getMessage());
        }
    }

    /** Hands a notify message to the machine, with the sender known to be this unit's. */
    void notifyFrom(int pid, Map<String, String> fields) {
        verifiedSender = pid;
        try {
            unit.machine.notify(pid, fields);
        } finally {
            verifiedSender = 0;
        }
    }

    private void note(String text) {
        unit.note(text);
    }

    // ---- ServiceEffects ------------------------------------------------------------------

    @Override
    public int spawn(Action.Spawn s) throws SpawnException {
        UnitDefinition def = unit.def;
        boolean firstOfRun = (s.role() == ServiceConfig.Role.START_PRE && s.index() == 0)
                || (s.role() == ServiceConfig.Role.START && s.index() == 0 && def.service().startPre().isEmpty());
        if (firstOfRun) beginRun();
        Map<String, String> env = new LinkedHashMap<>(s.env());
        env.put("INVOCATION_ID", invocationId);
        if (ctx.options().notifySocket() != null && def.service().notifyAccess() != NotifyAccess.NONE)
            env.put("NOTIFY_SOCKET", ctx.options().notifySocket());
        if (s.role() == ServiceConfig.Role.START && def.service().watchdogMillis() > 0)
            env.put("WATCHDOG_USEC", Long.toString(def.service().watchdogMillis() * 1000));
        addDirectoryEnv(env);
        ProcessSpec spec;
        try {
            spec = scope.prepare(def.plan().spec(s.role(), s.index(), env).toBuilder()).build();
        } catch (IllegalArgumentException e) {
            throw new SpawnException(name + ": " + s.role().directive + "=" + s.command() + ": " + e.getMessage(), 1, e);
        } catch (RuntimeException e) {
            // Contained here so that the machine sees a failed start, not a half-done transition.
            throw new SpawnException(name + ": " + s.role().directive + "=" + s.command() + ": " + e, 1, e);
        }
        Spawned spawned;
        try {
            spawned = ctx.ports().launcher().spawn(spec);
        } catch (SpawnException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SpawnException(name + ": cannot start " + spec.program() + ": " + e.getMessage(), 1, e);
        }
        int pid = spawned.pid();
        try {
            scope.adopt(pid);
        } catch (RuntimeException e) {
            note("Could not place pid " + pid + " in " + scope.describe() + ": " + e.getMessage());
        }
        for (Map.Entry<Integer, Fd> pipe : spawned.pipes().entrySet()) {
            if (pipe.getKey() == 1 || pipe.getKey() == 2) ctx.ports().logs().attach(name, pipe.getValue(), pipe.getKey() == 2);
            else pipe.getValue().close();
        }
        watch(pid);
        return pid;
    }

    private void watch(int pid) {
        ctx.ports().exits().watch(pid, status -> ctx.loop().post(unit.guarded("the exit of pid " + pid, () -> exited(pid, status))));
    }

    /**
     * A main process that is not jinit's child (MAINPID= naming a grandchild whose parent lives on)
     * never reaches the reaper: watch it through a pidfd (immune to pid reuse) and, once it is
     * gone, report it as ended. Its exit status cannot be known, so it counts as a clean exit.
     * A process that is reparented to jinit before it ends is reported by the reaper as usual.
     */
    private void watchForeign(int pid) {
        ProcTable.Entry e = ctx.ports().processes().stat(pid);
        if (e != null && e.ppid() == ctx.ports().processes().self()) return; // our child: the reaper sees it
        pollForeign(pid, ctx.ports().processes().watch(pid), false);
    }

    private void pollForeign(int pid, Ports.Liveness liveness, boolean goneBefore) {
        ctx.loop().schedule(ctx.loop().millis() + FOREIGN_POLL_MILLIS, () -> {
            if (unit.driver != this || unit.machine.mainPid() != pid) {
                if (liveness != null) liveness.close();
                return;
            }
            boolean gone = liveness == null || !liveness.alive();
            if (!gone) {
                pollForeign(pid, liveness, false);
            } else if (!goneBefore) {
                // One more round: if it was reparented to jinit, the reaper's report (with the real
                // status) arrives first.
                pollForeign(pid, liveness, true);
            } else {
                if (liveness != null) liveness.close();
                note("Main process " + pid + " (not a child of jinit) is gone; its exit status is unknown.");
                exited(pid, ExitStatus.exited(0));
            }
        });
    }

    private void exited(int pid, ExitStatus status) {
        if (scope != null) scope.exited(pid);
        if (unit.driver != this) return;
        if (pid == unit.machine.mainPid()) {
            unit.lastExitPid = pid;
            unit.lastExit = status;
        }
        unit.machine.processExited(pid, status);
    }

    @Override
    public void perform(Action action) {
        switch (action) {
            case Action.Signal s -> {
                try {
                    ctx.ports().processes().kill(s.pid(), s.signal());
                } catch (RuntimeException e) {
                    note("Failed to send " + Signals.name(s.signal()) + " to " + s.pid() + ": " + e.getMessage());
                }
            }
            case Action.SignalAll s -> {
                try {
                    if (scope != null) scope.signalAll(s.signal(), s.mainPid(), s.controlPid());
                    else for (int p : new int[] {s.mainPid(), s.controlPid()}) if (p > 0) ctx.ports().processes().kill(p, s.signal());
                } catch (RuntimeException e) {
                    note("Failed to send " + Signals.name(s.signal()) + " to the unit's processes: " + e.getMessage());
                }
            }
            case Action.MainPid m -> {
                if (scope != null) {
                    try {
                        scope.adopt(m.pid());
                    } catch (RuntimeException e) {
                        note("Could not place main pid " + m.pid() + " in " + scope.describe() + ": " + e.getMessage());
                    }
                }
                watch(m.pid());
                watchForeign(m.pid());
            }
            case Action.Log l -> note(l.message());
            case Action.StateChanged c -> stateChanged(c);
            case Action.Spawn s -> throw new IllegalArgumentException("spawns go through spawn()");
        }
    }

    @Override
    public int readPidFile(Path pidFile) {
        try {
            String text = Files.readString(pidFile).trim();
            int pid = Integer.parseInt(text);
            return pid > 0 && ctx.ports().processes().stat(pid) != null ? pid : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public boolean isUnitProcess(int pid) {
        return pid == verifiedSender || scope != null && scope.contains(pid);
    }

    @Override
    public boolean unitHasProcesses() {
        return scope != null && !scope.pids().isEmpty();
    }

    // ---- runs and states ----------------------------------------------------------------

    /** A start begins: a new invocation, a process scope, the unit's directories. */
    private void beginRun() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        StringBuilder hex = new StringBuilder();
        for (byte b : id) hex.append(String.format("%02x", b));
        invocationId = hex.toString();
        if (scope == null) scope = ctx.ports().scopes().create(name);
        makeDirectories();
    }

    private void makeDirectories() {
        UnitDefinition.Directories d = unit.def.directories();
        make(ctx.options().runtimeBase(), d.runtime(), d.runtimeMode(), d);
        make(ctx.options().stateBase(), d.state(), d.stateMode(), d);
        make(ctx.options().logsBase(), d.logs(), d.logsMode(), d);
    }

    private void make(Path base, List<String> names, int mode, UnitDefinition.Directories d) {
        for (String n : names) {
            Path dir = base.resolve(n);
            try {
                Files.createDirectories(dir);
                if (d.uid() != null) {
                    Files.setAttribute(dir, "unix:uid", d.uid());
                    Files.setAttribute(dir, "unix:gid", d.gid() != null ? d.gid() : d.uid());
                }
                // chmod(2) with the whole mode, after the chown: the setgid and sticky bits
                // (redis' RuntimeDirectoryMode=2755, a shared 1777) have no PosixFilePermission.
                Files.setAttribute(dir, "unix:mode", mode & 07777);
            } catch (IOException | UnsupportedOperationException e) {
                // The start fails on the spawn if the service needs it; say why here.
                note("Failed to set up directory " + dir + ": " + e);
            }
        }
    }

    private void addDirectoryEnv(Map<String, String> env) {
        UnitDefinition.Directories d = unit.def.directories();
        if (!d.runtime().isEmpty()) env.put("RUNTIME_DIRECTORY", join(ctx.options().runtimeBase(), d.runtime()));
        if (!d.state().isEmpty()) env.put("STATE_DIRECTORY", join(ctx.options().stateBase(), d.state()));
        if (!d.logs().isEmpty()) env.put("LOGS_DIRECTORY", join(ctx.options().logsBase(), d.logs()));
    }

    private static String join(Path base, List<String> names) {
        return String.join(":", names.stream().map(n -> base.resolve(n).toString()).toList());
    }

    private void removeRuntimeDirectories() {
        for (String n : unit.def.directories().runtime()) {
            Path dir = ctx.options().runtimeBase().resolve(n);
            try {
                deleteTree(dir);
            } catch (IOException e) {
                note("Failed to remove runtime directory " + dir + ": " + e);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private void stateChanged(Action.StateChanged c) {
        Instant now = Instant.now();
        UnitDefinition def = unit.def;
        if (c.from().active != c.to().active) unit.since = now;
        if (c.to().active == ActiveState.ACTIVE && c.from().active != ActiveState.RELOADING) {
            unit.activeEnter = now;
            if (c.from().active != ActiveState.ACTIVE) {
                ctx.console().println("jinit: Started " + def.description() + " (" + name + ").");
                note("Started " + def.description() + ".");
            }
        }
        if (c.to().isInactive()) {
            unit.inactiveEnter = now;
            ctx.console().println(c.to() == ServiceState.FAILED
                    ? "jinit: " + name + ": Failed with result '" + c.result().word + "'."
                    : "jinit: Stopped " + def.description() + " (" + name + ").");
            note(c.to() == ServiceState.FAILED ? "Failed with result '" + c.result().word + "'." : "Deactivated successfully.");
            removeRuntimeDirectories();
            if (scope != null) {
                scope.release();
                scope = null;
            }
        }
        ctx.listener().published(new UnitTransition(0, name, c.from().active, c.to().active, c.from().word, c.to().word,
                c.result().word, now));
        // Job and dependency consequences run as their own event, after the machine's call returns,
        // so the machine is never re-entered from inside its own transition.
        transitions.add(c);
        if (transitions.size() == 1) ctx.loop().post(unit.guarded("a state change", this::drainTransitions));
    }

    private void drainTransitions() {
        List<Action.StateChanged> batch = List.copyOf(transitions);
        transitions.clear();
        ctx.listener().settled(unit, batch);
    }
}
