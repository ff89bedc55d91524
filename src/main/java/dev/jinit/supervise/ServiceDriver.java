package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.SpawnException;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import dev.jinit.linux.RegularFile;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.NotifyAccess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import dev.jinit.exec.Spawner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Carries out one service's {@link ServiceMachine} actions against the outside world: spawns its
 * processes (in the unit's scope, with its environment and directories), watches their exits,
 * signals them, adopts a MAINPID=, and reports each state change to the manager. Everything it
 * touches outside the JVM goes through {@link ManagerPorts}. Runs on the manager thread.
 */
final class ServiceDriver implements ServiceEffects {
    /** How much longer than its unit's timeout a spawn may wait for an output to open. */
    static final Duration OPEN_GRACE = Duration.ofSeconds(5);

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

        /** A spawn of this unit was answered (started or failed): notify messages held for it may go now. */
        void spawnAnswered();

        /** The unit other than {@code asking} that holds {@code pid} as one of its processes, or null. */
        String unitHolding(int pid, UnitRuntime asking);

        /** Type=dbus: report the owner of {@code busName}, now and at each change, to the units that have it. */
        void watchBusName(String busName);

        /** {@code unit} went down: its bus name need not be watched unless another unit up or starting has it. */
        void unwatchBusName(String busName, UnitRuntime unit);

        /** What socket units ask of the manager. */
        SocketRuntime.Host socketHost();

        /** The socket units (listening or running) whose sockets {@code service} gets, in name order. */
        List<UnitRuntime> socketsOf(UnitRuntime service);

        /** Where a unit that is up is recorded for a later jinit ({@link UnitRecord}). */
        default UnitRecord.Sink records() {
            return UnitRecord.Sink.NONE;
        }
    }

    private final UnitRuntime unit;
    private final Context ctx;
    private final String name;
    private ProcessScope scope;
    private String invocationId = "";
    /** The sender of the notify message being handled, found to be this unit's when it was received. */
    private int verifiedSender;
    private final List<Action.StateChanged> transitions = new ArrayList<>();
    /** The unit's processes jinit holds by pidfd (spawned, MAINPID=, PIDFile=), until their exit is reported. */
    private final Map<Integer, Ports.Handle> handles = new HashMap<>();
    /** The pids whose exit this unit is told of (spawned by it, or watched). */
    private final Set<Integer> watching = new HashSet<>();
    /** The unit's last piece of work on the spawn executor: the next one runs after it. */
    private CompletableFuture<Void> executorWork = CompletableFuture.completedFuture(null);
    /** Spawns asked of the executor and not answered yet. */
    private int unanswered;

    ServiceDriver(UnitRuntime unit, Context ctx) {
        this.unit = unit;
        this.ctx = ctx;
        this.name = unit.name;
    }

    /**
     * The unit's live processes, for {@code status}: a question prepared on the manager thread and
     * asked later on the caller's (see {@link ProcessScope#pidsLater}).
     */
    java.util.function.Supplier<List<Integer>> processesLater() {
        return scope == null ? List::of : scope.pidsLater();
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
        signalAll(Signals.SIGKILL, unit.machine.mainPid(), unit.machine.controlPid());
    }

    /**
     * {@code signal} to every process of the unit and to its main and control processes (through
     * their handles); each process that could not be signalled is noted, none stops the others.
     */
    private void signalAll(int signal, int mainPid, int controlPid) {
        List<Ports.Handle> known = new ArrayList<>();
        for (int p : new int[] {mainPid, controlPid}) if (handles.get(p) instanceof Ports.Handle h) known.add(h);
        List<String> failures;
        try {
            failures = scope != null ? scope.signalAll(signal, known) : PidfdSignals.send(signal, known, List.of(), java.util.Set::of);
        } catch (RuntimeException e) {
            failures = List.of(e.toString());
        }
        for (String f : failures) note("Failed to send " + Signals.name(signal) + " to a process of the unit: " + f);
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

    /**
     * Asks the spawn executor for the process. Everything that may block (making the unit's
     * directories, opening its output files, posix_spawn itself) runs there; the answer comes back
     * to the manager thread as an event. The unit's executor work runs in order (a start's spawn
     * after the last stop's directory removal), and never holds up another unit's.
     */
    @Override
    public void spawn(Action.Spawn s) {
        UnitDefinition def = unit.def;
        ServiceMachine machine = unit.machine;
        boolean firstOfRun = (s.role() == ServiceConfig.Role.START_PRE && s.index() == 0)
                || (s.role() == ServiceConfig.Role.START && s.index() == 0 && def.service().startPre().isEmpty());
        ProcessSpec spec;
        UnitDirectories directories = null;
        List<Fd> passed = new ArrayList<>();
        try {
            if (firstOfRun) directories = beginRun();
            Map<String, String> env = new LinkedHashMap<>(s.env());
            env.put("INVOCATION_ID", invocationId);
            if (ctx.options().notifySocket() != null && def.service().notifyAccess() != NotifyAccess.NONE)
                env.put("NOTIFY_SOCKET", ctx.options().notifySocket());
            if (s.role() == ServiceConfig.Role.START && def.service().watchdogMillis() > 0)
                env.put("WATCHDOG_USEC", Long.toString(def.service().watchdogMillis() * 1000));
            addDirectoryEnv(env);
            ProcessSpec.Builder b = def.plan().spec(s.role(), s.index(), env).toBuilder();
            if (s.role() == ServiceConfig.Role.START) passSockets(b, passed);
            spec = scope.prepare(b).build();
        } catch (RuntimeException e) {
            for (Fd fd : passed) fd.close();
            // Contained here so that the machine sees a failed start, not a half-done transition.
            String why = e instanceof IllegalArgumentException ? e.getMessage() : e.toString();
            machine.spawnFailed(s, new SpawnException(name + ": " + s.role().directive + "=" + s.command() + ": " + why, 1, e));
            return;
        }
        // Output files may take until the start (or stop) timeout to open: a FIFO nobody reads yet.
        long timeout = s.role() == ServiceConfig.Role.STOP || s.role() == ServiceConfig.Role.STOP_POST
                ? def.service().timeoutStopMillis() : def.service().timeoutStartMillis();
        // A little longer than the unit's timeout, so that the timeout is what fails the unit (with
        // its result), and the executor's later failure only names what hung.
        Duration openWait = timeout > 0 ? Duration.ofMillis(timeout).plus(OPEN_GRACE) : Spawner.DEFAULT_OPEN_WAIT;
        Launch launch = new Launch(s, machine);
        unanswered++;
        UnitDirectories dirs = directories;
        offThread(() -> {
            try (SpawnCopies copies = new SpawnCopies(passed)) {
                if (dirs != null) dirs.create();
                Spawned spawned = ctx.ports().launcher().spawn(spec, openWait,
                        status -> ctx.loop().post(unit.guarded("the exit of a process of " + s.role().directive,
                                () -> launchExited(launch, status))));
                ctx.loop().post(unit.guarded("the start of " + s.role().directive + "=", () -> launched(launch, spawned)));
            } catch (RuntimeException e) {
                SpawnException failure = e instanceof SpawnException se ? se
                        : new SpawnException(name + ": cannot start " + spec.program() + ": " + e.getMessage(), 1, e);
                ctx.loop().post(unit.guarded("a failed start of " + s.role().directive + "=", () -> launchFailed(launch, failure)));
            }
        }).whenComplete((v, e) -> {
            if (e == null) return;
            // No thread to spawn on (the thread or memory limit): the start fails with that reason,
            // and the unit goes where a failed spawn takes it (failed, or retried per Restart=).
            Throwable why = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            for (Fd fd : passed) fd.close(); // closing twice is harmless
            ctx.loop().post(unit.guarded("a start of " + s.role().directive + "= that found no thread", () -> {
                if (!launch.answered) launchFailed(launch, new SpawnException(name + ": cannot start " + spec.program()
                        + ": no thread to spawn it on (" + why + ")", 1, why));
            }));
        });
    }

    /** The copies of passed sockets, closed once the child has its own. */
    private record SpawnCopies(List<Fd> fds) implements AutoCloseable {
        @Override
        public void close() {
            for (Fd fd : fds) fd.close();
        }
    }

    /**
     * Socket activation (sd_listen_fds(3)): the sockets of the unit's socket units, or the connection of an
     * Accept=yes instance, from descriptor 3 on, with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID (the child's
     * own pid, written at the exec gate). StandardInput=/StandardOutput=/StandardError=socket take the one
     * socket. {@code passed} gets jinit's copies, closed after the spawn.
     */
    private void passSockets(ProcessSpec.Builder b, List<Fd> passed) {
        List<String> names = new ArrayList<>();
        if (unit.connection != null) {
            passed.add(dev.jinit.linux.Fcntl.dupCloexec(unit.connection.get()));
            names.add("connection");
        } else {
            for (UnitRuntime so : ctx.listener().socketsOf(unit)) {
                List<Fd> copies = so.socket.duplicates();
                passed.addAll(copies);
                for (int i = 0; i < copies.size(); i++) names.add(so.socket.config().fdName(so.name));
            }
        }
        int stdio = unit.def.stdioSocket();
        if (stdio != 0 && passed.size() != 1)
            throw new IllegalArgumentException("StandardInput=/StandardOutput=socket needs exactly one socket (an Accept=yes "
                    + "connection, or one socket unit with one Listen…= line), found " + passed.size());
        if (passed.isEmpty()) return;
        for (int i = 0; i < passed.size(); i++) b.fd(3 + i, new dev.jinit.exec.FdSource.OpenFd(passed.get(i).get()));
        b.putEnv("LISTEN_FDS", Integer.toString(passed.size()));
        b.putEnv("LISTEN_FDNAMES", String.join(":", names));
        b.listenPid(true);
        for (int fd = 0; fd < 3; fd++)
            if ((stdio & (1 << fd)) != 0) b.fd(fd, new dev.jinit.exec.FdSource.OpenFd(passed.getFirst().get()));
    }

    /**
     * One spawn asked of the executor. Its exit can be reported before its answer is (the reaper's
     * thread may win over the executor's post), so an early exit waits here for the answer.
     */
    private static final class Launch {
        final Action.Spawn request;
        final ServiceMachine machine;
        int pid;
        boolean answered;
        ExitStatus earlyExit;

        Launch(Action.Spawn request, ServiceMachine machine) {
            this.request = request;
            this.machine = machine;
        }
    }

    /** The scope's pending "may be empty now" event, or null. */
    private AutoCloseable emptyWatch;

    /**
     * Tells the machine when the unit's processes may all be gone, from the scope's kernel event.
     * Checked once more right after the watch is set, so a change just before it is not missed.
     */
    private void awaitEmpty() {
        if (emptyWatch != null || scope == null) return;
        ProcessScope watched = scope;
        ServiceMachine machine = unit.machine;
        try {
            emptyWatch = watched.whenChanged(() -> ctx.loop().post(unit.guarded("a change of the unit's processes", () -> {
                emptyWatch = null;
                if (unit.machine == machine) machine.unitEmpty();
            })));
        } catch (RuntimeException e) {
            note("Cannot follow the unit's processes (" + e.getMessage() + "); looking again every "
                    + ServiceMachine.SAFETY_NET_MILLIS + " ms instead.");
            return;
        }
        if (watched.pids().isEmpty()) {
            cancelEmptyWatch();
            ctx.loop().post(unit.guarded("the unit's processes gone", () -> {
                if (unit.machine == machine) machine.unitEmpty();
            }));
        }
    }

    private void cancelEmptyWatch() {
        if (emptyWatch == null) return;
        try {
            emptyWatch.close();
        } catch (Exception e) {
            note("Closing the watch of the unit's processes failed: " + e);
        }
        emptyWatch = null;
    }

    /** Whether a spawn of this unit has been asked for and not answered yet. */
    boolean launching() {
        return unanswered > 0;
    }

    /** Runs {@code task} on the spawn executor after the unit's earlier executor work. */
    /**
     * Runs {@code task} on the spawn executor after the unit's earlier work. The result completes
     * exceptionally when the task never ran (the executor could not make a thread: jinit at its
     * thread or memory limit) or ended with an Error.
     */
    private java.util.concurrent.CompletableFuture<Void> offThread(Runnable task) {
        executorWork = executorWork.handle((v, e) -> null).thenRunAsync(task, ctx.ports().spawner());
        return executorWork;
    }

    /** The spawn executor started the process: hold it, hand its output to the logs, tell the machine. */
    private void launched(Launch launch, Spawned spawned) {
        int pid = spawned.pid();
        launch.pid = pid;
        launch.answered = true;
        unanswered--;
        for (String w : spawned.warnings()) note(w);
        for (Map.Entry<Integer, Fd> pipe : spawned.pipes().entrySet()) {
            if (pipe.getKey() == 1 || pipe.getKey() == 2) ctx.ports().logs().attach(name, pipe.getValue(), pipe.getKey() == 2);
            else pipe.getValue().close();
        }
        Ports.Handle handle = ctx.ports().processes().adopt(pid, spawned.pidfd());
        if (handle != null) handles.put(pid, handle);
        watching.add(pid);
        if (scope != null) {
            try {
                scope.adoptSpawned(pid, handle);
            } catch (RuntimeException e) {
                note("Could not place pid " + pid + " in " + scope.describe() + ": " + e.getMessage());
            }
        }
        boolean wanted = unit.driver == this && unit.machine == launch.machine && launch.machine.spawned(launch.request, pid);
        if (!wanted) {
            // Started for a phase the unit has left (a stop, a timeout): nobody else would end it.
            note("Killing pid " + pid + " (" + launch.request.role().directive + "=" + launch.request.command()
                    + "): it was started for a step the unit is no longer in.");
            killNow(pid);
        }
        if (launch.earlyExit != null) exited(pid, launch.earlyExit);
        ctx.listener().spawnAnswered();
    }

    private void launchFailed(Launch launch, SpawnException failure) {
        launch.answered = true;
        unanswered--;
        if (failure.shellCode() >= UnitDirectories.EXIT_RUNTIME_DIRECTORY && unit.driver == this
                && launch.request.role() == ServiceConfig.Role.START) {
            // What systemd shows for a directory that could not be made: the process "exited" with it.
            unit.lastExit = ExitStatus.exited(failure.shellCode());
        }
        boolean wanted = unit.driver == this && unit.machine == launch.machine && launch.machine.spawnFailed(launch.request, failure);
        // Answered after the unit gave up on it (its timeout): still the clearest reason why it hung.
        if (!wanted) note("The start of " + launch.request.role().directive + "=" + launch.request.command()
                + " that the unit gave up on failed: " + failure.getMessage());
        ctx.listener().spawnAnswered();
    }

    private void launchExited(Launch launch, ExitStatus status) {
        if (!launch.answered) {
            launch.earlyExit = status;
            return;
        }
        exited(launch.pid, status);
    }

    /** SIGKILL through the process's handle; a process jinit holds no handle for is left alone. */
    private void killNow(int pid) {
        Ports.Handle h = handles.get(pid);
        if (h == null) return;
        try {
            h.signal(Signals.SIGKILL);
        } catch (RuntimeException e) {
            note("Failed to kill pid " + pid + ": " + e.getMessage());
        }
    }

    /** Asks for the exit of a process jinit did not spawn (MAINPID=, PIDFile=); once per pid. */
    private void watch(int pid) {
        if (!watching.add(pid)) return; // its exit comes to this unit already
        try {
            ctx.ports().exits().watch(pid, status -> ctx.loop().post(unit.guarded("the exit of pid " + pid, () -> exited(pid, status))));
        } catch (IllegalStateException owned) {
            // The reaper has another owner for it: not this unit's to follow.
            watching.remove(pid);
            note("Not following the exit of pid " + pid + ": " + owned.getMessage());
        }
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
        watching.remove(pid);
        if (scope != null) scope.exited(pid); // first: the scope may still look at the handle
        Ports.Handle h = handles.remove(pid);
        if (h != null) h.close();
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
                Ports.Handle h = handles.get(s.pid());
                if (h == null) {
                    // Not a process jinit holds any more (its exit was reported): the number may be another's now.
                    note("Not sending " + Signals.name(s.signal()) + " to " + s.pid() + ": it is no longer a process of this unit.");
                    return;
                }
                try {
                    h.signal(s.signal());
                } catch (RuntimeException e) {
                    note("Failed to send " + Signals.name(s.signal()) + " to " + s.pid() + ": " + e.getMessage());
                }
            }
            case Action.SignalAll s -> signalAll(s.signal(), s.mainPid(), s.controlPid());
            case Action.MainPid m -> {
                if (unit.machine.state() == ServiceState.RUNNING) recordRun();
                if (watching.contains(m.pid())) return; // a process this unit spawned: held and followed already
                if (!handles.containsKey(m.pid())) {
                    // MAINPID=: held from now on (a PIDFile= process was held when its file was read).
                    Ports.Handle h = ctx.ports().processes().open(m.pid());
                    if (h != null) handles.put(m.pid(), h);
                }
                if (scope != null) {
                    try {
                        scope.adopt(m.pid(), handles.get(m.pid()));
                    } catch (RuntimeException e) {
                        note("Could not place main pid " + m.pid() + " in " + scope.describe() + ": " + e.getMessage());
                    }
                }
                watch(m.pid());
                watchForeign(m.pid());
            }
            case Action.AwaitEmpty a -> awaitEmpty();
            case Action.Log l -> note(l.message());
            case Action.WatchBusName w -> ctx.listener().watchBusName(w.name());
            case Action.StateChanged c -> stateChanged(c);
            case Action.Spawn s -> throw new IllegalArgumentException("spawns go through spawn()");
        }
    }

    /**
     * systemd's service_load_pid_file and service_is_suitable_main_pid: the pid named must be a live
     * process that is not jinit, not pid 1, not the control process and not another unit's; one
     * outside the unit (its cgroup, or its processes and their descendants) is accepted only from a
     * root-owned file, since anyone who can write the file could otherwise have jinit adopt (and
     * later kill) any process. The process is held by a pidfd before the checks, so what passed
     * them is what becomes the main process.
     */
    @Override
    public int readPidFile(Path pidFile) {
        String text;
        boolean rootOwned;
        try {
            // Read on the manager thread, so never a blocking open: a FIFO or device named by
            // PIDFile= is refused (O_NONBLOCK, fstat), as it is no pid file.
            Path real = pidFile.toRealPath();
            text = new String(RegularFile.read(real, 4096), StandardCharsets.US_ASCII).trim();
            rootOwned = ((Number) Files.getAttribute(real, "unix:uid")).intValue() == 0;
        } catch (RegularFile.NotRegularException e) {
            refusePidFile(pidFile, "", "PID file " + e.getMessage() + ", refusing.");
            return 0;
        } catch (IOException | RuntimeException e) {
            return 0; // not written yet: looked for again until the start timeout
        }
        int pid;
        try {
            pid = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            refusePidFile(pidFile, text, "PID file " + pidFile + " does not contain a pid: \"" + text + "\"");
            return 0;
        }
        if (pid <= 0) {
            refusePidFile(pidFile, text, "PID file " + pidFile + " names pid " + pid + ", not a process");
            return 0;
        }
        String why = refuseMainPid(pid);
        if (why != null) {
            refusePidFile(pidFile, text, "New main PID " + pid + " (from " + pidFile + ") " + why + ", refusing.");
            return 0;
        }
        Ports.Handle h = ctx.ports().processes().open(pid);
        if (h == null) {
            refusePidFile(pidFile, text, "New main PID " + pid + " (from " + pidFile + ") does not exist or is a zombie.");
            return 0;
        }
        boolean ours = scope != null && scope.contains(pid);
        if (!ours && !rootOwned) {
            h.close();
            refusePidFile(pidFile, text, "New main PID " + pid + " (from " + pidFile + ") does not belong to the service, and the"
                    + " PID file is not owned by root. Refusing.");
            return 0;
        }
        if (!ours) note("New main PID " + pid + " does not belong to the service, but it is accepted since the PID file "
                + pidFile + " is owned by root.");
        if (!h.alive()) {
            h.close();
            return 0;
        }
        Ports.Handle old = handles.put(pid, h);
        if (old != null) old.close();
        return pid;
    }

    /** The PID file content last refused: a file polled every 100 ms is reported once per content. */
    private String refusedPidFile;

    private void refusePidFile(Path pidFile, String content, String message) {
        String key = pidFile + "\0" + content;
        if (key.equals(refusedPidFile)) return;
        refusedPidFile = key;
        note(message);
    }

    @Override
    public String refuseMainPid(int pid) {
        if (pid == ctx.ports().processes().self()) return "is jinit itself";
        if (pid == 1) return "is the init process (pid 1)";
        if (pid == unit.machine.controlPid()) return "is the control process";
        String other = ctx.listener().unitHolding(pid, unit);
        if (other != null) return "belongs to unit " + other;
        if (ctx.ports().processes().stat(pid) == null) return "does not exist";
        return null;
    }

    /** Whether {@code pid} is a process this unit holds (spawned, main, or control). */
    boolean holds(int pid) {
        return handles.containsKey(pid) || unit.machine.mainPid() == pid || unit.machine.controlPid() == pid;
    }

    @Override
    public boolean isUnitProcess(int pid) {
        if (pid == verifiedSender) return true;
        try {
            return scope != null && scope.contains(pid);
        } catch (RuntimeException e) {
            note("Cannot list the unit's processes (" + e.getMessage() + "); process " + pid + " not taken as the unit's.");
            return false;
        }
    }

    @Override
    public boolean unitHasProcesses() {
        if (scope == null) return false;
        try {
            return !scope.pids().isEmpty();
        } catch (RuntimeException e) {
            // Unknown is taken as "some left": the stop goes on signalling and waiting (its timeout
            // and SIGKILL stand), where "none" would declare a live unit gone.
            note("Cannot list the unit's processes (" + e.getMessage() + "); taking it that some are left.");
            return true;
        }
    }

    // ---- taking over a run ----------------------------------------------------------------

    /** Set while {@link #adopt} moves the machine, so the state change says "taken over", not "Started". */
    private boolean adopting;

    /**
     * Takes over a run an earlier jinit left up: its cgroup (or its process as a root of process
     * groups), invocation id, main process (held by the adoptee's pidfd; its exit comes from the reaper
     * when it is still jinit's child, else from polling the pidfd, status unknown), and the output
     * pipes that could be had again. The machine then shows it running (or exited).
     */
    void adopt(Adoptee a) {
        UnitRecord r = a.record();
        invocationId = r.invocation();
        if (scope == null) scope = ctx.ports().scopes().adopt(name, a.cgroup());
        int pid = r.pid();
        if (a.handle() != null) {
            handles.put(pid, a.handle());
            try {
                scope.adopt(pid, a.handle());
            } catch (RuntimeException e) {
                note("Could not place main pid " + pid + " in " + scope.describe() + ": " + e.getMessage());
            }
            watching.add(pid); // the MainPid action that follows must not register it a second time
        }
        for (Adoptee.Log l : a.logs()) {
            try {
                ctx.ports().logs().attach(name, l.readEnd(), l.stderr());
            } catch (RuntimeException e) {
                note("Cannot read the unit's " + (l.stderr() ? "stderr" : "stdout") + " again: " + e.getMessage());
            }
        }
        adopting = true;
        try {
            unit.machine.adopt(r.state().equals("running") ? ServiceState.RUNNING : ServiceState.EXITED, pid, r.restarts());
        } finally {
            adopting = false;
        }
        if (a.handle() != null) {
            if (a.exits() != null) {
                a.exits().to(status -> ctx.loop().post(unit.guarded("the exit of pid " + pid, () -> exited(pid, status))));
            } else {
                Ports.Handle h = a.handle();
                pollForeign(pid, new Ports.Liveness() {
                    @Override
                    public boolean alive() {
                        return h.alive();
                    }

                    @Override
                    public void close() {
                        // the handle itself is closed with the unit's other handles (exited)
                    }
                }, false);
            }
        }
    }

    /** Keeps the unit's record in step with its state: up (running, exited) is recorded, anything else is not. */
    private void recordRun() {
        ServiceState s = unit.machine.state();
        if ((s == ServiceState.RUNNING && unit.machine.mainPid() > 1) || s == ServiceState.EXITED) {
            String cgroup = scope instanceof ProcessScope.Cgroup c ? c.dir().toString() : "";
            ctx.listener().records().save(new UnitRecord(name, s.word, s == ServiceState.RUNNING ? unit.machine.mainPid() : 0,
                    "", cgroup, invocationId, unit.machine.restarts(), "", ""));
        } else {
            ctx.listener().records().remove(name);
        }
    }

    // ---- runs and states ----------------------------------------------------------------

    /**
     * A start begins: a new invocation and a process scope; returns the unit's directories, which
     * the spawn executor makes before the first process.
     */
    private UnitDirectories beginRun() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        StringBuilder hex = new StringBuilder();
        for (byte b : id) hex.append(String.format("%02x", b));
        invocationId = hex.toString();
        if (scope == null) scope = ctx.ports().scopes().create(name);
        UnitDirectories dirs = UnitDirectories.of(unit.def.directories(), ctx.options());
        return dirs.dirs().isEmpty() ? null : dirs;
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

    /** RuntimeDirectory= goes when the unit is down: removed on the spawn executor, before its next start. */
    private void removeRuntimeDirectories() {
        UnitDirectories dirs = UnitDirectories.of(unit.def.directories(), ctx.options());
        if (dirs.dirs().isEmpty()) return;
        offThread(() -> {
            List<String> failures = dirs.removeRuntime();
            if (!failures.isEmpty()) ctx.loop().post(() -> failures.forEach(this::note));
        });
    }

    private void stateChanged(Action.StateChanged c) {
        Instant now = Instant.now();
        UnitDefinition def = unit.def;
        if (c.from().active != c.to().active) unit.since = now;
        if (c.to().active == ActiveState.ACTIVE && c.from().active != ActiveState.RELOADING) {
            unit.activeEnter = now;
            if (adopting) {
                String what = unit.machine.mainPid() > 0 ? "main PID " + unit.machine.mainPid() : "no process";
                ctx.console().println("jinit: Took over " + def.description() + " (" + name + "), " + what + ".");
                note("Taken over from the previous jinit (" + what + ").");
            } else if (c.from().active != ActiveState.ACTIVE) {
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
            cancelEmptyWatch();
            String busName = unit.machine.config().busName();
            if (busName != null && unit.machine.config().type() == dev.jinit.unit.ServiceType.DBUS)
                ctx.listener().unwatchBusName(busName, unit);
            if (scope != null) {
                scope.release();
                scope = null;
            }
        }
        recordRun();
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
