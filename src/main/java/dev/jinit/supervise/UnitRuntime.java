package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the manager keeps about one unit between its jobs: its definition (and a newer one
 * waiting for the unit to go down), its state machine and driver for a service, whether a target is
 * up, and the times shown by {@code status}. Owned by the manager thread.
 */
final class UnitRuntime {
    final String name;
    private final ServiceDriver.Context context;
    UnitDefinition def;
    /** A newer definition read by daemon-reload, applied when the unit is next down. */
    UnitDefinition pending;
    /** Its file is gone: the unit is forgotten once it is down. */
    boolean removed;
    ServiceMachine machine;
    /** Carries out the machine's actions; null for a target or a unit that did not load. */
    ServiceDriver driver;
    /** A loaded socket unit's sockets and state; null otherwise. */
    SocketRuntime socket;
    /**
     * An instance started for one connection of an Accept=yes socket: the connection (its stdin/stdout with
     * StandardInput=socket, and fd 3), and the socket unit that accepted it. The unit is forgotten when it ends.
     */
    dev.jinit.linux.Fd connection;
    String acceptedBy;
    boolean targetUp;
    /** A loaded timer's machine; null otherwise. */
    TimerMachine timer;
    /** Makes the machine of a loaded timer (the manager's clocks and stamps). */
    private final java.util.function.Function<UnitRuntime, TimerMachine> timers;
    /** Monotonic milliseconds the unit last left inactive, and last became inactive (-1: never), for timers. */
    long activatedMillis = -1, deactivatedMillis = -1;
    /** A start was asked of this unit that could not be loaded. */
    boolean loadFailed;
    Instant since, activeEnter, inactiveEnter;
    /** The last main process that ended, and how: kept across definitions for {@code status}. */
    int lastExitPid;
    ExitStatus lastExit;

    UnitRuntime(UnitDefinition def, ServiceDriver.Context context) {
        this(def, context, null);
    }

    UnitRuntime(UnitDefinition def, ServiceDriver.Context context, java.util.function.Function<UnitRuntime, TimerMachine> timers) {
        this.name = def.name();
        this.context = context;
        this.timers = timers;
        replace(def);
    }

    /** Takes a new definition (the unit is down): a fresh machine and driver. */
    void replace(UnitDefinition d) {
        def = d;
        loadFailed = false;
        pending = null;
        if (d.loaded() && d.kind() == UnitDefinition.Kind.SERVICE) {
            driver = new ServiceDriver(this, context);
            machine = new ServiceMachine(d.service(), context.loop(), driver);
            socket = null;
        } else if (d.loaded() && d.kind() == UnitDefinition.Kind.SOCKET) {
            driver = null;
            machine = null;
            socket = new SocketRuntime(this, d.socket(), context, context.listener().socketHost());
        } else {
            driver = null;
            machine = null;
            socket = null;
        }
        timer = d.loaded() && d.kind() == UnitDefinition.Kind.TIMER && timers != null ? timers.apply(this) : null;
    }

    /** The definition the unit will run with next: the pending one when there is one. */
    UnitDefinition newest() {
        return pending != null ? pending : def;
    }

    boolean isInactive() {
        if (machine != null) return machine.state().isInactive();
        if (timer != null) return timer.isInactive();
        if (socket != null) return socket.state().active == ActiveState.INACTIVE || socket.state().active == ActiveState.FAILED;
        return !targetUp;
    }

    boolean isActive() {
        if (machine != null) return machine.isActive();
        if (timer != null) return !timer.isInactive();
        if (socket != null) return socket.state().active == ActiveState.ACTIVE;
        return targetUp;
    }

    ActiveState activeState() {
        if (machine != null) return machine.activeState();
        if (timer != null) return timer.state().active;
        if (socket != null) return socket.state().active;
        if (def.kind() == UnitDefinition.Kind.TARGET && def.loaded()) return targetUp ? ActiveState.ACTIVE : ActiveState.INACTIVE;
        return loadFailed ? ActiveState.FAILED : ActiveState.INACTIVE;
    }

    String subState() {
        if (machine != null) return machine.state().word;
        if (timer != null) return timer.state().word;
        if (socket != null) return socket.state().word;
        if (def.kind() == UnitDefinition.Kind.TARGET && def.loaded()) return targetUp ? "active" : "dead";
        return loadFailed ? "failed" : "dead";
    }

    String resultWord() {
        if (machine != null) return machine.result().word;
        if (timer != null) return timer.state() == TimerMachine.State.FAILED ? "resources" : "success";
        if (socket != null) return socket.result();
        return loadFailed ? "resources" : "success";
    }

    /** A target reached or left. */
    void targetActive(boolean up) {
        if (targetUp == up) return;
        ActiveState oldActive = activeState();
        String oldSub = subState();
        targetUp = up;
        since = Instant.now();
        if (up) activeEnter = since;
        else inactiveEnter = since;
        context.console().println("jinit: " + (up ? "Reached target " : "Stopped target ") + def.description() + ".");
        context.listener().published(new UnitTransition(0, name, oldActive, activeState(), oldSub, subState(),
                resultWord(), since));
    }

    /** A timer's state changed: published like any other unit's. */
    void timerChanged(TimerMachine.State old) {
        ActiveState oldActive = old.active;
        since = Instant.now();
        if (oldActive == ActiveState.INACTIVE || oldActive == ActiveState.FAILED) {
            if (!timer.isInactive()) activeEnter = since;
        } else if (timer.isInactive()) {
            inactiveEnter = since;
        }
        context.listener().published(new UnitTransition(0, name, oldActive, activeState(), old.word, subState(),
                resultWord(), since));
    }

    /** A socket unit's state changed: its times, the console and the transition stream. */
    void socketChanged(ActiveState oldActive, String oldSub) {
        since = Instant.now();
        if (activeState() == ActiveState.ACTIVE && oldActive != ActiveState.ACTIVE) activeEnter = since;
        if (isInactive() && oldActive != ActiveState.INACTIVE && oldActive != ActiveState.FAILED) inactiveEnter = since;
        context.listener().published(new UnitTransition(0, name, oldActive, activeState(), oldSub, subState(),
                resultWord(), since));
    }

    void note(String text) {
        context.ports().logs().note(name, text);
    }

    /**
     * An event of this unit, contained: a bug met while handling it is reported in the unit's log
     * and on jinit's console, and the manager goes on with every other unit.
     */
    Runnable guarded(String what, Runnable event) {
        return () -> {
            try {
                event.run();
            } catch (RuntimeException e) {
                note("Internal error while handling " + what + " (contained): " + e);
                context.console().println("jinit: " + name + ": internal error while handling " + what + " (contained): " + e);
            }
        };
    }

    UnitSnapshot snapshot() {
        LoadState load = def.loadState();
        int pid = 0, restarts = 0;
        String result = null, statusText = null, execStart = null;
        if (machine != null) {
            pid = machine.mainPid();
            restarts = machine.restarts();
            result = machine.result().word;
            statusText = machine.statusText();
            execStart = String.join("; ", def.service().start().stream().map(ServiceConfig.Command::toString).toList());
        } else if (socket != null) {
            result = socket.result();
            statusText = "Listen: " + socket.describe() + "; Triggers: " + socket.config().service()
                    + (socket.config().socket().accept() ? "; Connections: " + socket.connections() : "");
        } else if (loadFailed && !(def.kind() == UnitDefinition.Kind.TARGET && def.loaded())) {
            result = "resources";
        }
        // What to read is decided here; the reads happen on the asker's thread (UnitSnapshot.listProcesses).
        int mainPid = pid;
        java.util.function.Supplier<List<Integer>> others = driver == null ? List::of : driver.processesLater();
        java.util.function.Supplier<List<Integer>> procs = () -> {
            List<Integer> all = new ArrayList<>();
            if (mainPid != 0) all.add(mainPid);
            for (int p : others.get()) if (p != mainPid) all.add(p);
            return all;
        };
        List<String> warnings = new ArrayList<>(def.warnings());
        if (pending != null) warnings.add("The unit file changed on disk; the new definition applies at the next start.");
        if (removed && acceptedBy == null) warnings.add("The unit file was removed; the unit is kept until it stops.");
        if (acceptedBy != null) warnings.add("Started for a connection of " + acceptedBy + "; forgotten when it ends.");
        return new UnitSnapshot(name, load, activeState(), subState(), pid, restarts, since, def.description(), result,
                statusText, lastExitPid, lastExit, def.source() == null ? null : def.source().toString(), def.loadError(),
                execStart, activeEnter, inactiveEnter, procs, warnings, pending != null,
                timer == null ? null : new UnitSnapshot.TimerInfo(timer.config().unit(), timer.nextElapse(), timer.lastTrigger()));
    }
}
