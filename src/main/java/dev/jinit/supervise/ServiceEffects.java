package dev.jinit.supervise;

import java.nio.file.Path;

/**
 * The driver of a {@link ServiceMachine}: carries out its {@link Action}s and answers the few
 * questions about the outside world it needs. The manager implements it with real processes;
 * tests implement it with a recorder.
 */
public interface ServiceEffects {
    /**
     * Asks for a process. The answer is {@link ServiceMachine#spawned} or {@link
     * ServiceMachine#spawnFailed}, given later on the machine's thread (the manager's driver spawns
     * on an executor, so nothing that may block runs on the manager thread) or from inside this call
     * (a fake); the machine accepts either. When the machine answers false, the process is no longer
     * wanted and the driver kills it.
     */
    void spawn(Action.Spawn spawn);

    /** Anything that is not a spawn. */
    void perform(Action action);

    /**
     * The pid a PIDFile names, or 0 when it is missing, empty, not a number, or refused as systemd
     * refuses it (jinit itself, pid 1, another unit's process, a process outside the unit unless
     * the file is root-owned); a refusal is logged.
     */
    int readPidFile(Path pidFile);

    /**
     * Why {@code pid} cannot become the main process whoever names it: it is jinit itself, pid 1,
     * the control process, a process of another unit, or gone. Null when none of these holds.
     */
    String refuseMainPid(int pid);

    /** Whether {@code pid} belongs to the unit (its cgroup, or its process group or descendants). */
    boolean isUnitProcess(int pid);

    /** Whether any process of the unit is still alive (other than ones already reaped). */
    boolean unitHasProcesses();

    /**
     * CLOCK_MONOTONIC in microseconds, the clock services stamp MONOTONIC_USEC= with (sd_notify(3));
     * the JVM's nanoTime reads that clock on Linux.
     */
    default long monotonicMicros() {
        return System.nanoTime() / 1000;
    }
}
