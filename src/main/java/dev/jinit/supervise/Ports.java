package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What the manager needs from the rest of jinit and from the kernel, as small interfaces: {@code jinit
 * run} plugs in the Spawner, the Reaper, the LogPump and {@link KernelProcesses}; tests plug in fakes.
 * Nothing in the manager, its job queue or its service drivers touches the kernel except through
 * these (and the {@link Clock} of its event loop), so a test decides when a process ends and when
 * time passes, however slow the machine is.
 */
public final class Ports {
    private Ports() {}

    /**
     * Starts a process (the Spawner, holding the Reaper): {@code onExit} is registered as the one
     * owner of its exit before anything could reap it, and the result carries its pidfd. Runs on the
     * spawn executor, never on the manager thread: it may wait up to {@code openWait} for an output
     * (a FIFO nobody reads yet).
     */
    @FunctionalInterface
    public interface Launcher {
        Spawned spawn(ProcessSpec spec, Duration openWait, Consumer<ExitStatus> onExit);
    }

    /**
     * Tells who gets the exit of a pid the manager did not spawn (MAINPID=, PIDFile=: a daemon
     * reparented to jinit); the callback runs on another thread.
     */
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

    /**
     * What the manager asks the kernel about processes it did not necessarily start: a notify
     * sender, a MAINPID=/PIDFile= process, one that is not jinit's child.
     */
    public interface Processes {
        /** The /proc stat entry of {@code pid}, or null when it is gone. */
        ProcTable.Entry stat(int pid);

        /** The cgroup v2 path of {@code pid} ("/jinit/1/web.service"), or null when gone or none. */
        String cgroupOf(int pid);

        /** jinit's own pid: a process whose parent is jinit is reported by the reaper. */
        int self();

        /**
         * Starts watching a process that is not jinit's child (a pidfd: immune to pid reuse); null
         * when it is already gone.
         */
        Liveness watch(int pid);

        /** Sends {@code signal} to {@code pid}; throws (naming the errno) when it cannot. */
        void kill(int pid, int signal);

        /** The process {@code pid} is now, known for good (a pidfd); null when there is none. */
        Handle open(int pid);

        /** A just spawned child, with the pidfd its launcher opened (null: a fake, or none to be had). */
        Handle adopt(int pid, Fd pidfd);
    }

    /**
     * One process, known for good: signals through it can never reach a process that got its pid
     * after it ended (a pidfd, pidfd_send_signal). Owned by whoever opened it.
     */
    public interface Handle extends Liveness {
        int pid();

        /**
         * Sends {@code signal}; false when the process has been reaped already.
         *
         * @throws RuntimeException naming the errno when the kernel refuses (EPERM)
         */
        boolean signal(int signal);
    }

    /** A watched process that is not jinit's child. */
    public interface Liveness extends AutoCloseable {
        /** Whether it is still alive (not yet a zombie). */
        boolean alive();

        @Override
        void close();
    }

    /** Makes the scope (cgroup, or process groups) a unit's processes live in, at the start of a run. */
    @FunctionalInterface
    public interface Scopes {
        ProcessScope create(String unit);

        /**
         * The scope of a unit taken over from an earlier jinit, whose processes are in {@code cgroup}
         * already (null: none recorded); the default makes a fresh one.
         */
        default ProcessScope adopt(String unit, java.nio.file.Path cgroup) {
            return create(unit);
        }

        /**
         * Runs, on the manager thread and without waiting, the {@link ProcessScope#whenChanged}
         * callbacks whose kernel events are already there (see {@link EventLoop#beforeTimers}).
         */
        default void drain() {}
    }

    /**
     * The system bus, for Type=dbus services: who owns a bus name. The answers come back through
     * {@link Manager#busNameOwner}, from any thread.
     */
    public interface BusNames {
        /** Report the owner of {@code name} now, and each change of it from now on. Must not block. */
        void watch(String name);

        /**
         * Nobody waits for {@code name} any more. With no name watched, a lost bus connection is not
         * made again: a connection to dbus.socket would start dbus.service nobody needs.
         */
        void unwatch(String name);

        /** No bus: a Type=dbus service never sees its name acquired, and meets its start timeout. */
        BusNames NONE = new BusNames() {
            @Override
            public void watch(String name) { }

            @Override
            public void unwatch(String name) { }
        };
    }
}
