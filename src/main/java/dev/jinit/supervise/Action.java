package dev.jinit.supervise;

import java.util.Map;

/** What a {@link ServiceMachine} asks its driver to do; the machine itself does no I/O. */
public sealed interface Action {
    /** Start command {@code index} of the {@code role} list, with these variables added to the unit's environment. */
    record Spawn(ServiceConfig.Role role, int index, ServiceConfig.Command command, Map<String, String> env) implements Action {
        public Spawn {
            env = Map.copyOf(env);
        }
    }

    /** Send {@code signal} to one process. */
    record Signal(int pid, int signal) implements Action {}

    /**
     * Send {@code signal} to every process of the unit (its cgroup, or its process group and the
     * descendants found), including {@code mainPid} and {@code controlPid} when not 0.
     */
    record SignalAll(int signal, int mainPid, int controlPid) implements Action {}

    /** The main process is now {@code pid} (MAINPID=, PIDFile=); exits of that pid belong to this unit. */
    record MainPid(int pid) implements Action {}

    /** The sub-state changed; {@code result} is the result of the current or last run. */
    record StateChanged(ServiceState from, ServiceState to, ServiceResult result) implements Action {}

    /**
     * Call {@link ServiceMachine#unitEmpty} once the unit may have no processes left (its cgroup
     * emptied, its processes exited): a stop waiting for a daemon's children waits on that event.
     */
    record AwaitEmpty() implements Action {}

    /**
     * Watch who owns {@code name} on the system bus (Type=dbus) and tell the machine
     * ({@link ServiceMachine#busNameOwner}): the current owner first, then every change.
     */
    record WatchBusName(String name) implements Action {}

    /** A line for the unit's log, as systemd writes them to the journal. */
    record Log(String message) implements Action {}
}
