package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.SpawnException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A fake driver: hands out pids, records every action, and plays the outside world. */
final class Recorder implements ServiceEffects {
    final List<Action> actions = new ArrayList<>();
    final Set<Integer> alive = new HashSet<>();
    final Map<Path, Integer> pidFiles = new HashMap<>();
    /** Commands (first word) whose spawn fails as if the program did not exist. */
    final Set<String> missing = new HashSet<>();
    /** Extra live processes of the unit that are neither main nor control (a daemon's children). */
    final Set<Integer> others = new HashSet<>();
    final List<Started> started = new ArrayList<>();
    private int nextPid = 100;
    /** The machine this driver answers; set by {@link #drive}. */
    private ServiceMachine machine;
    /** When set, spawns stay unanswered until {@link #answer} (a spawn that hangs, as on a FIFO nobody reads). */
    boolean holdSpawns;
    /** Spawns asked for and not yet answered, when {@link #holdSpawns} is set. */
    final List<Action.Spawn> unanswered = new ArrayList<>();
    /** Pids the machine refused when their spawn was answered (the driver kills them). */
    final List<Integer> refused = new ArrayList<>();

    /** A machine driven by this recorder. */
    ServiceMachine drive(ServiceConfig config, Clock clock) {
        machine = new ServiceMachine(config, clock, this);
        return machine;
    }

    @Override
    public void spawn(Action.Spawn spawn) {
        actions.add(spawn);
        if (holdSpawns) unanswered.add(spawn);
        else answer(spawn);
    }

    /** Answers a spawn: fails it for a missing program, else starts it with the next pid. */
    void answer(Action.Spawn spawn) {
        unanswered.remove(spawn);
        if (missing.contains(spawn.command().argv().getFirst())) {
            machine.spawnFailed(spawn, new SpawnException(spawn.command().argv().getFirst() + ": no such file or directory", 127));
            return;
        }
        int pid = nextPid++;
        alive.add(pid);
        started.add(new Started(spawn, pid));
        if (!machine.spawned(spawn, pid)) {
            refused.add(pid);
            alive.remove(pid);
        }
    }

    /** The fake CLOCK_MONOTONIC (µs): moves only when a test moves it. */
    long monotonic = 1_000_000;

    @Override
    public long monotonicMicros() {
        return monotonic;
    }

    @Override
    public void perform(Action action) {
        actions.add(action);
    }

    @Override
    public int readPidFile(Path pidFile) {
        return pidFiles.getOrDefault(pidFile, 0);
    }

    /** Pids the driver refuses as main process, with why. */
    final Map<Integer, String> refusedMainPids = new HashMap<>();

    @Override
    public String refuseMainPid(int pid) {
        return refusedMainPids.get(pid);
    }

    @Override
    public boolean isUnitProcess(int pid) {
        return alive.contains(pid) || others.contains(pid);
    }

    @Override
    public boolean unitHasProcesses() {
        return !others.isEmpty();
    }

    /** The pid the last successful spawn of this role got. */
    int lastPid(ServiceConfig.Role role) {
        for (int i = started.size() - 1; i >= 0; i--)
            if (started.get(i).spawn().role() == role) return started.get(i).pid();
        throw new AssertionError("no " + role + " process was started");
    }

    record Started(Action.Spawn spawn, int pid) {}

    List<Action.Spawn> spawns() {
        List<Action.Spawn> out = new ArrayList<>();
        for (Action a : actions) if (a instanceof Action.Spawn s) out.add(s);
        return out;
    }

    List<Action.Spawn> spawns(ServiceConfig.Role role) {
        List<Action.Spawn> out = new ArrayList<>();
        for (Action.Spawn s : spawns()) if (s.role() == role) out.add(s);
        return out;
    }

    List<Action> signals() {
        List<Action> out = new ArrayList<>();
        for (Action a : actions) if (a instanceof Action.Signal || a instanceof Action.SignalAll) out.add(a);
        return out;
    }

    List<ServiceState> states() {
        List<ServiceState> out = new ArrayList<>();
        for (Action a : actions) if (a instanceof Action.StateChanged c) out.add(c.to());
        return out;
    }

    List<String> logs() {
        List<String> out = new ArrayList<>();
        for (Action a : actions) if (a instanceof Action.Log l) out.add(l.message());
        return out;
    }

    /** Makes a live process exit and tells the machine. */
    void exit(ServiceMachine m, int pid, ExitStatus status) {
        alive.remove(pid);
        m.processExited(pid, status);
    }

    void clear() {
        actions.clear();
    }
}
