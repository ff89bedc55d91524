package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import java.util.function.Consumer;

/**
 * What the manager needs from the rest of jinit, as small interfaces: {@code jinit run} plugs in the
 * Spawner, the Reaper and the LogPump; tests can plug in their own.
 */
public final class Ports {
    private Ports() {}

    /** Starts a process (the Spawner). */
    @FunctionalInterface
    public interface Launcher {
        Spawned spawn(ProcessSpec spec);
    }

    /** Tells who gets the exit of a pid (the Reaper); the callback runs on another thread. */
    @FunctionalInterface
    public interface ExitWatcher {
        void watch(int pid, Consumer<ExitStatus> onExit);
    }

    /** Where units' output and jinit's notes about them go (the LogPump). */
    public interface LogSink {
        /** Takes ownership of {@code readEnd}: jinit's end of the unit's stdout or stderr pipe. */
        void attach(String unit, Fd readEnd, boolean stderr);

        /** A line from jinit about the unit (state changes, failures). */
        void note(String unit, String text);
    }
}
