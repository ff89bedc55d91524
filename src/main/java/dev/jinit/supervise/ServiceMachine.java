package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.SpawnException;
import dev.jinit.linux.Signals;
import dev.jinit.state.ActiveState;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.supervise.ServiceConfig.Role;
import dev.jinit.supervise.notify.NotifyPolicy;
import dev.jinit.supervise.notify.UnitProcesses;
import dev.jinit.supervise.notify.Verdict;
import dev.jinit.unit.ExitStatusSet;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.NotifyAccess;
import dev.jinit.unit.ServiceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The life of one service, after systemd's service.c: states, the Exec* phases, timeouts,
 * readiness, the watchdog, kill phases, restart and the start limit. It does no I/O: it asks its
 * {@link ServiceEffects} to spawn and signal, and schedules its timers on a {@link Clock}, so it
 * runs the same on the manager thread and on a fake clock in tests.
 *
 * <p>Not thread-safe by design: the one thread that owns the clock calls every method.
 *
 * <p>The result of a run is sticky: the first failure wins, as in systemd, so a service that timed
 * out and was then SIGKILLed is {@code failed (Result: timeout)}, not {@code signal}.
 */
public final class ServiceMachine {
    /** How often a forking service's PIDFile is looked for. */
    static final long POLL_MILLIS = 100;
    /** How often leftover processes of a stopping unit are looked for when no event said they went. */
    static final long SAFETY_NET_MILLIS = 1000;

    private final ServiceConfig config;
    private final Clock clock;
    private final ServiceEffects fx;
    private final StartLimit startLimit;

    private ServiceState state = ServiceState.DEAD;
    private long stateSince;
    private ServiceResult result = ServiceResult.SUCCESS;
    private ServiceResult reloadResult = ServiceResult.SUCCESS;
    private int mainPid;
    private Command mainCommand;
    private int mainIndex;
    private ExitStatus mainExit;
    private int controlPid;
    /** The spawn asked of the driver and not yet answered; forgotten when the state changes. */
    private Action.Spawn pendingSpawn;
    private Role controlRole;
    private int controlIndex;
    private boolean forbidRestart;
    private boolean startPending;
    private int restarts;
    private String statusText;
    /** Type=dbus: whether BusName= has an owner, as last reported ({@link #busNameOwner}). */
    private boolean busNameGood;
    /** What the last notify message said of the service's state (systemd's notify_state). */
    private NotifyState notifyState = NotifyState.UNKNOWN;
    /** CLOCK_MONOTONIC (µs) when the current reload began: a RELOADING=1 must be stamped after it. */
    private long reloadBeginMicros;

    private enum NotifyState { UNKNOWN, READY, RELOADING, STOPPING }

    private Clock.Timer stateTimer;
    private long stateDeadline;
    private Clock.Timer watchdogTimer;
    private Clock.Timer pollTimer;

    public ServiceMachine(ServiceConfig config, Clock clock, ServiceEffects effects) {
        this.config = config;
        this.clock = clock;
        this.fx = effects;
        this.startLimit = new StartLimit(config.startLimitIntervalMillis(), config.startLimitBurst());
        this.stateSince = clock.millis();
    }

    // ---- what the outside sees -------------------------------------------------------------

    public ServiceConfig config() { return config; }
    public ServiceState state() { return state; }
    public ActiveState activeState() { return state.active; }
    public ServiceResult result() { return result; }
    public ServiceResult reloadResult() { return reloadResult; }
    public int mainPid() { return mainPid; }
    public int controlPid() { return controlPid; }
    public int restarts() { return restarts; }
    public String statusText() { return statusText; }
    public ExitStatus lastMainExit() { return mainExit; }
    /** Clock millis of the last state change. */
    public long stateSince() { return stateSince; }

    /** Type=dbus: whether its bus name has an owner, as last reported. */
    public boolean busNameGood() { return busNameGood; }

    /** Up for its dependents: running or exited, or reloading. */
    public boolean isActive() {
        return state.active == ActiveState.ACTIVE || state.active == ActiveState.RELOADING;
    }

    // ---- requests -----------------------------------------------------------------------------

    /**
     * A start request (a command, or a dependency being started). Does nothing for a service that is
     * already up or on its way up; a service on its way down starts again once it is down.
     */
    public void start() {
        switch (state) {
            case DEAD, FAILED -> begin(false);
            case AUTO_RESTART -> {
                cancelStateTimer();
                begin(false);
            }
            default -> {
                if (state.isStopping()) startPending = true;
            }
        }
    }

    /** A stop request. It forbids any automatic restart of this run. */
    public void stop() {
        startPending = false;
        stopRun();
    }

    private void stopRun() {
        forbidRestart = true;
        switch (state) {
            case DEAD, FAILED -> { }
            case AUTO_RESTART -> {
                cancelStateTimer();
                setState(ServiceState.DEAD);
            }
            case START_PRE, START, START_POST, RELOAD, RELOAD_SIGNAL, RELOAD_NOTIFY ->
                    enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.SUCCESS);
            case RUNNING, EXITED -> enterStop(ServiceResult.SUCCESS);
            default -> { } // already stopping
        }
    }

    /** Stop, then start again; a service that is down just starts. */
    public void restart() {
        if (state.isInactive() || state == ServiceState.AUTO_RESTART) {
            restarts = 0;
            start();
            return;
        }
        // Pending first: a stop with nothing to wait for reaches dead before stopRun returns.
        startPending = true;
        stopRun();
    }

    /**
     * A reload, as systemd's service_enter_reload: Type=notify-reload sends ReloadSignal= (and SIGCONT)
     * to the main process; ExecReload= runs if there is one (reload), else the machine waits for the
     * service's RELOADING=1, stamped with a MONOTONIC_USEC= not before the signal, and then READY=1
     * (reload-signal, reload-notify). Both wait at most TimeoutStartSec=.
     * @throws IllegalStateException naming why a reload is not possible now
     */
    public void reload() {
        if (state != ServiceState.RUNNING && state != ServiceState.EXITED)
            throw new IllegalStateException(config.name() + " is " + state.active.word() + " (" + state.word + "), not active: cannot reload");
        if (config.reload().isEmpty() && config.type() != ServiceType.NOTIFY_RELOAD)
            throw new IllegalStateException(config.name() + " has no ExecReload=: reload is not applicable");
        reloadResult = ServiceResult.SUCCESS;
        long begin = fx.monotonicMicros();
        boolean signalled = false;
        if (config.type() == ServiceType.NOTIFY_RELOAD && mainPid != 0) {
            fx.perform(new Action.Signal(mainPid, config.reloadSignal()));
            if (config.reloadSignal() != Signals.SIGCONT && config.reloadSignal() != Signals.SIGKILL)
                fx.perform(new Action.Signal(mainPid, Signals.SIGCONT));
            signalled = true;
        }
        reloadBeginMicros = begin;
        if (!config.reload().isEmpty()) {
            setState(ServiceState.RELOAD);
            armStateTimer(config.timeoutStartMillis());
            runControl(Role.RELOAD, 0);
        } else if (signalled) {
            setState(ServiceState.RELOAD_SIGNAL);
            armStateTimer(config.timeoutStartMillis());
        } else {
            enterRunning(ServiceResult.SUCCESS);
        }
    }

    /**
     * Type=dbus: BusName= is now owned by {@code owner} (a unique name), or by nobody (null). The
     * service is up once its name is acquired, and stops (as after its main process exited) once it
     * is released, as systemd's service_bus_name_owner_change.
     */
    public void busNameOwner(String owner) {
        boolean had = busNameGood;
        busNameGood = owner != null;
        if (config.type() != ServiceType.DBUS) return;
        if (state == ServiceState.RUNNING) {
            if (had && !busNameGood) log("D-Bus name " + config.busName() + " released; stopping.");
            if (!busNameGood) enterRunning(ServiceResult.SUCCESS);
        } else if (state == ServiceState.START && busNameGood && pendingSpawn == null && mainPid != 0) {
            log("D-Bus name " + config.busName() + " acquired by " + owner + ".");
            enterStartPost();
        }
    }

    /** Forgets a failure: failed becomes dead, and the start limit and restart counter are reset. */
    public void resetFailed() {
        startLimit.reset();
        restarts = 0;
        if (state == ServiceState.FAILED) {
            result = ServiceResult.SUCCESS;
            setState(ServiceState.DEAD);
        } else if (state == ServiceState.DEAD) {
            result = ServiceResult.SUCCESS;
        }
    }

    /**
     * Takes over a run that an earlier jinit started (after {@code jinit daemon-reexec}, or a crash of
     * jinit): the unit is {@code running} with {@code pid} as its main process (its exit, when it comes,
     * is judged by Restart= as any other), or {@code exited} with no process (RemainAfterExit=). As
     * systemd's deserialization of a service: no Exec* command runs, the start limit is not charged,
     * the watchdog starts afresh.
     *
     * @throws IllegalStateException when the unit is not down, or {@code as} is neither running nor exited
     */
    public void adopt(ServiceState as, int pid, int restartCount) {
        if (state != ServiceState.DEAD && state != ServiceState.FAILED)
            throw new IllegalStateException(config.name() + " is " + state.word + ": only a unit that is down can take over a run");
        if (as == ServiceState.RUNNING && pid <= 0)
            throw new IllegalArgumentException(config.name() + ": a running unit needs its main pid, got " + pid);
        if (as != ServiceState.RUNNING && as != ServiceState.EXITED)
            throw new IllegalArgumentException(config.name() + ": only a running or exited run can be taken over, not " + as.word);
        cancelStateTimer();
        result = ServiceResult.SUCCESS;
        reloadResult = ServiceResult.SUCCESS;
        mainExit = null;
        controlPid = 0;
        forbidRestart = false;
        startPending = false;
        statusText = null;
        restarts = Math.max(0, restartCount);
        mainIndex = Math.max(0, config.start().size() - 1);
        mainCommand = config.start().isEmpty() ? null : config.start().get(mainIndex);
        mainPid = as == ServiceState.RUNNING ? pid : 0;
        notifyState = NotifyState.UNKNOWN;
        if (config.type() == ServiceType.DBUS) {
            // It was up, so it owned its name; the watch says so again (or that it lost it meanwhile).
            busNameGood = true;
            fx.perform(new Action.WatchBusName(config.busName()));
        }
        setState(as);
        if (as == ServiceState.RUNNING) {
            fx.perform(new Action.MainPid(pid));
            if (config.watchdogMillis() > 0 && config.type() != ServiceType.ONESHOT) armWatchdog();
        }
    }

    // ---- events -------------------------------------------------------------------------------

    /** A process ended. Returns false when it is neither the main nor the control process. */
    public boolean processExited(int pid, ExitStatus status) {
        if (pid <= 0) return false;
        if (pid == controlPid) {
            controlExited(status);
            return true;
        }
        if (pid == mainPid) {
            mainExited(status);
            return true;
        }
        return false;
    }

    /**
     * A notify-socket message from {@code senderPid} (credentials already checked by the receiver),
     * as its {@code KEY=VALUE} fields in order.
     */
    public void notify(int senderPid, Map<String, String> fields) {
        Verdict access = NotifyPolicy.check(config.notifyAccess(), senderPid, processesAsSeenBy(senderPid));
        if (access instanceof Verdict.Refuse refused) {
            log(refused.reason());
            return;
        }
        String status = fields.get("STATUS");
        if (status != null) statusText = status;
        String newMain = fields.get("MAINPID");
        if (newMain != null) acceptMainPid(senderPid, newMain);
        long monotonic = -1;
        String mono = fields.get("MONOTONIC_USEC");
        if (mono != null) {
            try {
                monotonic = Long.parseUnsignedLong(mono.trim());
                if (monotonic < 0) monotonic = -1; // above 2^63: not a time this machine has seen
            } catch (NumberFormatException e) {
                log("Failed to parse MONOTONIC_USEC= field in notification message, ignoring: " + mono);
            }
        }
        boolean reloading = "1".equals(fields.get("RELOADING"));
        // systemd's order: STOPPING=1 wins over READY=1, READY=1 over RELOADING=1.
        if ("1".equals(fields.get("STOPPING"))) {
            notifyState = NotifyState.STOPPING;
            if (state == ServiceState.RUNNING || state.isReloading()) {
                // The service stops on its own: wait for it with the stop timeout, without signalling.
                setState(ServiceState.STOP_SIGTERM);
                cancelWatchdog();
                armStateTimer(config.timeoutStopMillis());
            }
        } else if ("1".equals(fields.get("READY"))) {
            notifyState = NotifyState.READY;
            if (state == ServiceState.START && config.type().isNotify()) {
                enterStartPost();
            } else if (state == ServiceState.RELOAD_NOTIFY) {
                // READY=1 while reloading: the reload is complete.
                enterRunning(ServiceResult.SUCCESS);
            } else if (state == ServiceState.RELOAD_SIGNAL && reloading && monotonic >= 0 && monotonic >= reloadBeginMicros) {
                // RELOADING=1 and READY=1 at once, after the signal: started and finished the reload.
                enterRunning(ServiceResult.SUCCESS);
            }
        } else if (reloading) {
            notifyState = NotifyState.RELOADING;
            if (state == ServiceState.RELOAD_SIGNAL && monotonic >= 0 && monotonic >= reloadBeginMicros) {
                // The answer to our signal (stamped after it, so not a reload already under way): wait for
                // READY=1, within the same timeout.
                setState(ServiceState.RELOAD_NOTIFY);
            } else if (state == ServiceState.RUNNING) {
                // A reload the service began by itself.
                reloadResult = ServiceResult.SUCCESS;
                setState(ServiceState.RELOAD_NOTIFY);
                armStateTimer(config.timeoutStartMillis());
            }
        }
        String watchdog = fields.get("WATCHDOG");
        if ("1".equals(watchdog)) {
            if (watchdogTimer != null) armWatchdog();
        } else if ("trigger".equals(watchdog)) {
            watchdogExpired("the service asked for it (WATCHDOG=trigger)");
        }
        String extend = fields.get("EXTEND_TIMEOUT_USEC");
        if (extend != null) extendTimeout(extend);
    }

    // ---- the phases ---------------------------------------------------------------------------

    private void begin(boolean automatic) {
        cancelStateTimer();
        if (!automatic) restarts = 0;
        if (!startLimit.tryStart(clock.millis())) {
            log("Start request repeated too quickly.");
            result = ServiceResult.START_LIMIT_HIT;
            setState(ServiceState.FAILED);
            return;
        }
        result = ServiceResult.SUCCESS;
        reloadResult = ServiceResult.SUCCESS;
        mainExit = null;
        mainPid = 0;
        controlPid = 0;
        forbidRestart = false;
        startPending = false;
        statusText = null;
        notifyState = NotifyState.UNKNOWN;
        if (config.type() == ServiceType.DBUS) {
            // The owner is asked afresh for every run; until it is answered the name counts as not owned.
            busNameGood = false;
            fx.perform(new Action.WatchBusName(config.busName()));
        }
        if (config.startPre().isEmpty()) {
            enterStart();
            return;
        }
        setState(ServiceState.START_PRE);
        armStateTimer(config.timeoutStartMillis());
        runControl(Role.START_PRE, 0);
    }

    private void enterStart() {
        if (config.start().isEmpty()) { // a oneshot with nothing to run
            enterStartPost();
            return;
        }
        setState(ServiceState.START);
        switch (config.type()) {
            case FORKING -> {
                armStateTimer(config.timeoutStartMillis());
                runControl(Role.START, 0);
            }
            case ONESHOT, NOTIFY, NOTIFY_RELOAD -> {
                armStateTimer(config.timeoutStartMillis());
                spawnMain(0);
            }
            case DBUS -> {
                // Like simple, but up only once the bus name is acquired (busNameOwner).
                armStateTimer(config.timeoutStartMillis());
                spawnMain(0);
            }
            case SIMPLE, EXEC -> {
                // Up as soon as the spawn is answered (posix_spawn returns after the child exec'd, so
                // exec is satisfied as soon as simple is); a spawn that hangs (a FIFO nobody reads
                // as its output) meets the start timeout.
                armStateTimer(config.timeoutStartMillis());
                spawnMain(0);
            }
        }
    }

    private void enterStartPost() {
        if (config.startPost().isEmpty()) {
            enterRunning(ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.START_POST);
        armStateTimer(config.timeoutStartMillis());
        runControl(Role.START_POST, 0);
    }

    /** After start-post or a reload: running while the main process lives, else exited or stopping. */
    private void enterRunning(ServiceResult f) {
        record(f);
        cancelStateTimer();
        boolean mainAlive = mainPid != 0 || (config.type() == ServiceType.FORKING && config.pidFile() == null
                && result == ServiceResult.SUCCESS && fx.unitHasProcesses());
        // systemd's service_good: a D-Bus service whose name is gone is no longer functional.
        if (config.type() == ServiceType.DBUS && !busNameGood) mainAlive = false;
        if (result == ServiceResult.SUCCESS && mainAlive) {
            setState(ServiceState.RUNNING);
            if (config.watchdogMillis() > 0 && watchdogTimer == null) armWatchdog();
        } else if (result == ServiceResult.SUCCESS && config.remainAfterExit()) {
            setState(ServiceState.EXITED);
        } else {
            enterStop(f);
        }
    }

    private void enterStop(ServiceResult f) {
        record(f);
        cancelWatchdog();
        if (config.stop().isEmpty()) {
            enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.STOP);
        armStateTimer(config.timeoutStopMillis());
        runControl(Role.STOP, 0);
    }

    /**
     * A kill phase: STOP_SIGTERM/FINAL_SIGTERM send KillSignal (SIGABRT after a watchdog timeout),
     * STOP_SIGKILL/FINAL_SIGKILL send SIGKILL, to whom KillMode says. The phase lasts until the
     * processes it waits for are gone, or TimeoutStopSec.
     */
    private void enterSignal(ServiceState phase, ServiceResult f) {
        record(f);
        cancelWatchdog();
        cancelPoll();
        boolean kill = phase == ServiceState.STOP_SIGKILL || phase == ServiceState.FINAL_SIGKILL;
        if (kill && !config.sendSigkill()) {
            afterSignal(phase, ServiceResult.SUCCESS);
            return;
        }
        setState(phase);
        int sig = kill ? config.finalKillSignal()
                : phase == ServiceState.STOP_SIGTERM && result == ServiceResult.WATCHDOG ? Signals.SIGABRT
                : config.killSignal();
        // SendSIGHUP=: shells and the like get a SIGHUP right after KillSignal, as from a hung-up terminal.
        int hup = !kill && config.sendSighup() ? Signals.SIGHUP : 0;
        boolean others = fx.unitHasProcesses();
        for (int s : hup == 0 ? new int[] {sig} : new int[] {sig, hup}) {
            switch (config.killMode()) {
                case CONTROL_GROUP -> {
                    if (mainPid != 0 || controlPid != 0 || others) fx.perform(new Action.SignalAll(s, mainPid, controlPid));
                }
                case MIXED -> {
                    if (kill) {
                        if (mainPid != 0 || controlPid != 0 || others) fx.perform(new Action.SignalAll(s, mainPid, controlPid));
                    } else {
                        signalMainAndControl(s);
                    }
                }
                case PROCESS -> signalMainAndControl(s);
                case NONE -> { }
            }
        }
        if (waitingForProcesses()) {
            armStateTimer(config.timeoutStopMillis());
            schedulePollIfOnlyOthers();
        } else {
            afterSignal(phase, ServiceResult.SUCCESS);
        }
    }

    private void signalMainAndControl(int sig) {
        if (mainPid != 0) fx.perform(new Action.Signal(mainPid, sig));
        if (controlPid != 0) fx.perform(new Action.Signal(controlPid, sig));
    }

    /**
     * What a kill phase waits for: the main and control processes; with KillMode=control-group or
     * mixed also any other process of the unit (a daemon's children), found by polling.
     */
    private boolean waitingForProcesses() {
        if (mainPid != 0 || controlPid != 0) return true;
        boolean sweepsGroup = config.killMode() == KillMode.CONTROL_GROUP || config.killMode() == KillMode.MIXED;
        return sweepsGroup && fx.unitHasProcesses();
    }

    /**
     * Only other processes of the unit are left (a daemon's children): the driver says when they
     * may be gone ({@link Action.AwaitEmpty}, the kernel's event); a slow look every
     * {@link #SAFETY_NET_MILLIS} covers an event that never comes.
     */
    private void schedulePollIfOnlyOthers() {
        cancelPoll();
        if (mainPid != 0 || controlPid != 0) return;
        fx.perform(new Action.AwaitEmpty());
        pollTimer = clock.schedule(clock.millis() + SAFETY_NET_MILLIS, () -> {
            pollTimer = null;
            unitEmpty();
        });
    }

    /** The driver's answer to {@link Action.AwaitEmpty}: the unit may have no processes left. */
    public void unitEmpty() {
        if (!isKillPhase(state)) return;
        if (waitingForProcesses()) schedulePollIfOnlyOthers();
        else afterSignal(state, ServiceResult.SUCCESS);
    }

    private static boolean isKillPhase(ServiceState s) {
        return s == ServiceState.STOP_SIGTERM || s == ServiceState.STOP_SIGKILL
                || s == ServiceState.FINAL_SIGTERM || s == ServiceState.FINAL_SIGKILL;
    }

    /** A kill phase is over (everything gone, or gave up). */
    private void afterSignal(ServiceState phase, ServiceResult f) {
        cancelPoll();
        if (phase == ServiceState.STOP_SIGTERM || phase == ServiceState.STOP_SIGKILL) enterStopPost(f);
        else enterDead(f);
    }

    private void enterStopPost(ServiceResult f) {
        record(f);
        cancelPoll();
        if (config.stopPost().isEmpty()) {
            enterSignal(ServiceState.FINAL_SIGTERM, ServiceResult.SUCCESS);
            return;
        }
        setState(ServiceState.STOP_POST);
        armStateTimer(config.timeoutStopMillis());
        runControl(Role.STOP_POST, 0);
    }

    private void enterDead(ServiceResult f) {
        record(f);
        cancelStateTimer();
        cancelWatchdog();
        cancelPoll();
        mainPid = 0;
        controlPid = 0;
        if (startPending) {
            // A restart request (or a start that arrived while stopping): the stop is complete and
            // the start follows at once, without passing through an inactive state that would make
            // the manager think the unit went down (and stop what is bound to it).
            startPending = false;
            log("Stopped for restart (result " + result.word + ").");
            begin(false);
            return;
        }
        boolean again = !forbidRestart && RestartRules.shallRestart(config.restart(), result, mainExit,
                config.restartPreventExitStatus(), config.restartForceExitStatus());
        if (!again) {
            setState(result == ServiceResult.SUCCESS ? ServiceState.DEAD : ServiceState.FAILED);
            return;
        }
        long delay = RestartRules.restartDelay(config.restartMillis(), config.restartSteps(),
                config.restartMaxDelayMillis(), restarts + 1);
        // systemd passes through dead/failed with a "will auto-restart" flag so that dependents are
        // not stopped; jinit goes straight to auto-restart for the same effect.
        setState(ServiceState.AUTO_RESTART);
        log("Scheduled restart in " + delay + " ms (result " + result.word + ").");
        stateDeadline = clock.millis() + delay;
        stateTimer = clock.schedule(stateDeadline, () -> {
            stateTimer = null;
            if (state != ServiceState.AUTO_RESTART) return;
            restarts++;
            log("Scheduled restart job, restart counter is at " + restarts + ".");
            begin(true);
        });
    }

    // ---- processes ----------------------------------------------------------------------------

    private Map<String, String> spawnEnv(Role role) {
        Map<String, String> env = new LinkedHashMap<>();
        if (mainPid != 0) env.put("MAINPID", Integer.toString(mainPid));
        if (role == Role.STOP || role == Role.STOP_POST) {
            env.put("SERVICE_RESULT", result.word);
            if (mainExit != null) {
                env.put("EXIT_CODE", mainExit.isSignal() ? (mainExit.coreDumped() ? "dumped" : "killed") : "exited");
                env.put("EXIT_STATUS", mainExit.isSignal()
                        ? Signals.name(mainExit.signal()).substring(3) : Integer.toString(mainExit.code()));
            }
        }
        return env;
    }

    /** Asks for main command {@code index}; {@link #spawned} or {@link #spawnFailed} goes on from there. */
    private void spawnMain(int index) {
        Command cmd = config.start().get(index);
        mainCommand = cmd;
        mainIndex = index;
        mainPid = 0;
        request(new Action.Spawn(Role.START, index, cmd, spawnEnv(Role.START)));
    }

    /** Asks for control command {@code index} of {@code role}; answered as {@link #spawnMain}'s. */
    private void runControl(Role role, int index) {
        Command cmd = config.commands(role).get(index);
        controlRole = role;
        controlIndex = index;
        controlPid = 0;
        request(new Action.Spawn(role, index, cmd, spawnEnv(role)));
    }

    /**
     * Hands a spawn to the driver, which answers later, or at once from inside this call: so every
     * caller asks last, and everything that follows a spawn happens in the answer.
     */
    private void request(Action.Spawn spawn) {
        pendingSpawn = spawn;
        fx.spawn(spawn);
    }

    /** Whether {@code spawn} is the ExecStart= process of a type whose start command is the main process. */
    private boolean isMain(Action.Spawn spawn) {
        return spawn.role() == Role.START && config.type() != ServiceType.FORKING;
    }

    /**
     * The driver started {@code spawn} as {@code pid}.
     *
     * @return false when the machine no longer waits for it (it moved on: a stop, a timeout): the
     *         driver must then kill that process, nobody else will
     */
    public boolean spawned(Action.Spawn spawn, int pid) {
        if (spawn != pendingSpawn || pid <= 0) return false;
        pendingSpawn = null;
        if (!isMain(spawn)) {
            controlPid = pid;
            return true;
        }
        mainPid = pid;
        fx.perform(new Action.MainPid(pid));
        if (config.watchdogMillis() > 0 && config.type() != ServiceType.ONESHOT) armWatchdog();
        if ((config.type() == ServiceType.SIMPLE || config.type() == ServiceType.EXEC) && state == ServiceState.START)
            enterStartPost();
        else if (config.type() == ServiceType.DBUS && state == ServiceState.START && busNameGood)
            enterStartPost(); // the name's owner was reported before the spawn was answered
        return true;
    }

    /**
     * The driver could not start {@code spawn}: a missing program, an output that cannot be opened,
     * a directory that cannot be made. Returns false when the machine no longer waits for it.
     */
    public boolean spawnFailed(Action.Spawn spawn, SpawnException e) {
        if (spawn != pendingSpawn) return false;
        pendingSpawn = null;
        Command cmd = spawn.command();
        log("Failed to start " + spawn.role().directive + "=" + cmd + ": " + e.getMessage());
        if (isMain(spawn)) {
            mainPid = 0;
            if (cmd.ignoreFailure()) {
                // What a "-" command whose exec failed looks like under systemd: an ignored exit 203.
                mainExited(ExitStatus.exited(203));
            } else {
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.RESOURCES);
            }
        } else {
            controlPid = 0;
            if (cmd.ignoreFailure()) controlFinished(ServiceResult.SUCCESS);
            else controlDone(ServiceResult.RESOURCES);
        }
        return true;
    }

    /** The spawn asked of the driver and not answered yet, or null. */
    public Action.Spawn pendingSpawn() {
        return pendingSpawn;
    }

    private void controlExited(ExitStatus status) {
        controlPid = 0;
        Command cmd = config.commands(controlRole).get(controlIndex);
        // SuccessExitStatus applies to the main process only; control commands must exit 0.
        boolean clean = RestartRules.isClean(status, false, ExitStatusSet.EMPTY);
        if (!clean) {
            log("Control process " + controlRole.directive + "=" + cmd + " " + status
                    + (cmd.ignoreFailure() ? " (ignored)" : ""));
        }
        if (clean || cmd.ignoreFailure()) controlFinished(ServiceResult.SUCCESS);
        else controlDone(RestartRules.failureOf(status));
    }

    /** A control command succeeded: the next one of its list, or the end of the phase. */
    private void controlFinished(ServiceResult f) {
        if (roleOf(state) == controlRole && controlIndex + 1 < config.commands(controlRole).size()) {
            runControl(controlRole, controlIndex + 1);
            return;
        }
        controlDone(f);
    }

    private static Role roleOf(ServiceState s) {
        return switch (s) {
            case START_PRE -> Role.START_PRE;
            case START -> Role.START;
            case START_POST -> Role.START_POST;
            case RELOAD -> Role.RELOAD;
            case STOP -> Role.STOP;
            case STOP_POST -> Role.STOP_POST;
            default -> null;
        };
    }

    /** The control phase ended with {@code f} (success, or the failure that ended it). */
    private void controlDone(ServiceResult f) {
        switch (state) {
            case START_PRE -> {
                if (f == ServiceResult.SUCCESS) enterStart();
                else enterSignal(ServiceState.STOP_SIGTERM, f);
            }
            case START -> { // Type=forking: the ExecStart process is the control process
                if (f == ServiceResult.SUCCESS) forkingStarted();
                else enterSignal(ServiceState.STOP_SIGTERM, f);
            }
            case START_POST -> {
                if (f == ServiceResult.SUCCESS) enterRunning(ServiceResult.SUCCESS);
                else enterStop(f);
            }
            case RELOAD -> {
                reloadResult = f;
                if (f != ServiceResult.SUCCESS) log("Reload failed (" + f.word + ").");
                // The service said RELOADING=1 meanwhile (notify-reload with ExecReload=): its READY=1 ends it.
                if (notifyState == NotifyState.RELOADING) setState(ServiceState.RELOAD_NOTIFY);
                else enterRunning(ServiceResult.SUCCESS);
            }
            case STOP -> enterSignal(ServiceState.STOP_SIGTERM, f);
            case STOP_SIGTERM, STOP_SIGKILL -> {
                if (!waitingForProcesses()) enterStopPost(ServiceResult.SUCCESS);
                else schedulePollIfOnlyOthers();
            }
            case STOP_POST -> enterSignal(ServiceState.FINAL_SIGTERM, f);
            case FINAL_SIGTERM, FINAL_SIGKILL -> {
                if (!waitingForProcesses()) enterDead(ServiceResult.SUCCESS);
                else schedulePollIfOnlyOthers();
            }
            default -> { } // a control process we stopped waiting for
        }
    }

    /** Type=forking: the start command exited 0; the main pid comes from the PIDFile. */
    private void forkingStarted() {
        if (config.pidFile() == null) {
            enterStartPost();
            return;
        }
        int pid = fx.readPidFile(config.pidFile());
        if (pid > 0) {
            mainPid = pid;
            mainCommand = config.start().getFirst();
            fx.perform(new Action.MainPid(pid));
            if (config.watchdogMillis() > 0) armWatchdog();
            enterStartPost();
            return;
        }
        // Not written yet (some daemons write it after the parent exits): look again until the start timeout.
        cancelPoll();
        pollTimer = clock.schedule(clock.millis() + POLL_MILLIS, () -> {
            pollTimer = null;
            if (state == ServiceState.START && controlPid == 0) forkingStarted();
        });
    }

    private void mainExited(ExitStatus status) {
        mainPid = 0;
        mainExit = status;
        cancelWatchdog();
        boolean daemon = config.type() != ServiceType.ONESHOT;
        boolean clean = RestartRules.isClean(status, daemon, config.successExitStatus());
        boolean ignored = !clean && mainCommand != null && mainCommand.ignoreFailure();
        ServiceResult f = clean || ignored ? ServiceResult.SUCCESS : RestartRules.failureOf(status);
        if (f != ServiceResult.SUCCESS || state == ServiceState.RUNNING || state == ServiceState.START)
            log("Main process " + status + (ignored ? " (ignored)" : ""));
        switch (state) {
            case START -> {
                if (config.type() == ServiceType.ONESHOT) {
                    if (f != ServiceResult.SUCCESS) enterSignal(ServiceState.STOP_SIGTERM, f);
                    else if (mainIndex + 1 < config.start().size()) spawnMain(mainIndex + 1);
                    else enterStartPost();
                } else if (config.type().isNotify()) {
                    // It exited without ever saying READY=1: it never was, and never will be, up.
                    enterSignal(ServiceState.STOP_SIGTERM, f != ServiceResult.SUCCESS ? f : ServiceResult.PROTOCOL);
                } else if (f != ServiceResult.SUCCESS) {
                    enterSignal(ServiceState.STOP_SIGTERM, f);
                } else {
                    enterStartPost();
                }
            }
            case START_POST, RELOAD, STOP -> record(f); // the running control command decides what follows
            case RELOAD_SIGNAL, RELOAD_NOTIFY -> {
                // No control process to wait for: the reload cannot complete. systemd waits for the reload
                // timeout and then finds the main process gone; the outcome is the same, without the wait.
                log("Main process exited during the reload.");
                enterRunning(f);
            }
            case RUNNING -> enterRunning(f);
            case STOP_SIGTERM, STOP_SIGKILL -> {
                record(f);
                if (!waitingForProcesses()) enterStopPost(ServiceResult.SUCCESS);
                else schedulePollIfOnlyOthers();
            }
            case FINAL_SIGTERM, FINAL_SIGKILL -> {
                record(f);
                if (!waitingForProcesses()) enterDead(ServiceResult.SUCCESS);
                else schedulePollIfOnlyOthers();
            }
            default -> record(f);
        }
    }

    // ---- notify helpers -----------------------------------------------------------------------

    /**
     * The unit's processes for a notify decision about {@code pid}: main and control, plus {@code pid}
     * itself when the driver says it belongs to the unit (only NotifyAccess=all and MAINPID= ask).
     */
    private UnitProcesses processesAsSeenBy(int pid) {
        boolean member = pid > 0 && pid != mainPid && pid != controlPid
                && (config.notifyAccess() == NotifyAccess.ALL) && fx.isUnitProcess(pid);
        return new UnitProcesses(mainPid, controlPid, member ? java.util.Set.of(pid) : java.util.Set.of());
    }

    private void acceptMainPid(int sender, String value) {
        int pid;
        try {
            pid = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            log("Failed to parse MAINPID=" + value + " from PID " + sender + ", ignoring.");
            return;
        }
        if (pid <= 0 || pid == mainPid) return;
        if (state != ServiceState.START && state != ServiceState.START_POST && state != ServiceState.RUNNING
                && !state.isReloading()) {
            log("MAINPID=" + pid + " from PID " + sender + " ignored in state " + state.word + ".");
            return;
        }
        String why = fx.refuseMainPid(pid);
        if (why != null) {
            log("MAINPID=" + pid + " refused: " + why + " (from PID " + sender + ")");
            return;
        }
        UnitProcesses unit = new UnitProcesses(mainPid, controlPid,
                fx.isUnitProcess(pid) ? java.util.Set.of(pid) : java.util.Set.of());
        Verdict v = NotifyPolicy.checkMainPid(pid, unit, 0); // jinit itself is refused above, through the driver
        if (v instanceof Verdict.Refuse refused) {
            log(refused.reason() + " (from PID " + sender + ")");
            return;
        }
        mainPid = pid;
        fx.perform(new Action.MainPid(pid));
    }

    private void extendTimeout(String usecText) {
        long usec;
        try {
            usec = Long.parseLong(usecText.trim());
        } catch (NumberFormatException e) {
            log("Failed to parse EXTEND_TIMEOUT_USEC=" + usecText + ", ignoring.");
            return;
        }
        if (usec < 0 || stateTimer == null || state == ServiceState.AUTO_RESTART) return;
        long wanted = clock.millis() + usec / 1000;
        if (wanted > stateDeadline) rescheduleStateTimer(wanted);
    }

    // ---- timers -------------------------------------------------------------------------------

    private void armStateTimer(long timeoutMillis) {
        cancelStateTimer();
        if (timeoutMillis <= 0) return;
        rescheduleStateTimer(clock.millis() + timeoutMillis);
    }

    private void rescheduleStateTimer(long deadline) {
        if (stateTimer != null) stateTimer.cancel();
        stateDeadline = deadline;
        ServiceState armedIn = state;
        stateTimer = clock.schedule(deadline, () -> {
            stateTimer = null;
            if (state == armedIn) stateTimeout();
        });
    }

    private void cancelStateTimer() {
        if (stateTimer != null) stateTimer.cancel();
        stateTimer = null;
    }

    private void cancelPoll() {
        if (pollTimer != null) pollTimer.cancel();
        pollTimer = null;
    }

    private void armWatchdog() {
        cancelWatchdog();
        watchdogTimer = clock.schedule(clock.millis() + config.watchdogMillis(), () -> {
            watchdogTimer = null;
            watchdogExpired("watchdog timeout (limit " + config.watchdogMillis() + " ms)");
        });
    }

    private void cancelWatchdog() {
        if (watchdogTimer != null) watchdogTimer.cancel();
        watchdogTimer = null;
    }

    private void watchdogExpired(String why) {
        if (state != ServiceState.RUNNING && !state.isReloading() && state != ServiceState.START
                && state != ServiceState.START_POST)
            return;
        log("Watchdog: " + why + "!");
        enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.WATCHDOG);
    }

    /** systemd's service_dispatch_timer: what each state does when its time is up. */
    private void stateTimeout() {
        if (pendingSpawn != null)
            log("Timed out while " + pendingSpawn.role().directive + "=" + pendingSpawn.command() + " was being started: its"
                    + " process never came up (an output, terminal or directory that does not open?).");
        switch (state) {
            case START_PRE, START -> {
                log(state.word + " operation timed out. Terminating.");
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.TIMEOUT);
            }
            case START_POST -> {
                log("start-post operation timed out. Stopping.");
                enterStop(ServiceResult.TIMEOUT);
            }
            case RELOAD, RELOAD_SIGNAL, RELOAD_NOTIFY -> {
                log("Reload operation timed out. Killing reload process.");
                if (controlPid != 0) fx.perform(new Action.Signal(controlPid, Signals.SIGKILL));
                controlPid = 0;
                reloadResult = ServiceResult.TIMEOUT;
                enterRunning(ServiceResult.SUCCESS);
            }
            case STOP -> {
                log("Stopping timed out. Terminating.");
                enterSignal(ServiceState.STOP_SIGTERM, ServiceResult.TIMEOUT);
            }
            case STOP_SIGTERM -> {
                if (config.sendSigkill()) {
                    log("State 'stop-sigterm' timed out. Killing.");
                    enterSignal(ServiceState.STOP_SIGKILL, ServiceResult.TIMEOUT);
                } else {
                    log("State 'stop-sigterm' timed out. Skipping SIGKILL.");
                    forgetProcesses();
                    enterStopPost(ServiceResult.TIMEOUT);
                }
            }
            case STOP_SIGKILL -> {
                log("Processes still around after SIGKILL. Ignoring.");
                forgetProcesses();
                enterStopPost(ServiceResult.TIMEOUT);
            }
            case STOP_POST -> {
                log("State 'stop-post' timed out. Terminating.");
                enterSignal(ServiceState.FINAL_SIGTERM, ServiceResult.TIMEOUT);
            }
            case FINAL_SIGTERM -> {
                if (config.sendSigkill()) {
                    log("State 'final-sigterm' timed out. Killing.");
                    enterSignal(ServiceState.FINAL_SIGKILL, ServiceResult.TIMEOUT);
                } else {
                    log("State 'final-sigterm' timed out. Skipping SIGKILL. Entering failed mode.");
                    forgetProcesses();
                    enterDead(ServiceResult.TIMEOUT);
                }
            }
            case FINAL_SIGKILL -> {
                log("Processes still around after final SIGKILL. Entering failed mode.");
                forgetProcesses();
                enterDead(ServiceResult.TIMEOUT);
            }
            default -> { }
        }
    }

    /** Gives up on processes that outlived every signal: their exits no longer move this machine. */
    private void forgetProcesses() {
        mainPid = 0;
        controlPid = 0;
    }

    // ---- bookkeeping --------------------------------------------------------------------------

    private void record(ServiceResult f) {
        if (f != ServiceResult.SUCCESS && result == ServiceResult.SUCCESS) result = f;
    }

    private void setState(ServiceState to) {
        ServiceState from = state;
        if (from == to) return;
        // A spawn still unanswered belongs to the state that asked for it: answered later, the
        // driver is told it is not wanted and kills what it started.
        pendingSpawn = null;
        state = to;
        stateSince = clock.millis();
        fx.perform(new Action.StateChanged(from, to, result));
    }

    private void log(String message) {
        fx.perform(new Action.Log(message));
    }

    /** For tests and status output: the timers this machine has armed, by purpose. */
    public List<String> armedTimers() {
        List<String> armed = new java.util.ArrayList<>();
        if (stateTimer != null) armed.add("state@" + stateDeadline);
        if (watchdogTimer != null) armed.add("watchdog");
        if (pollTimer != null) armed.add("poll");
        return armed;
    }
}
