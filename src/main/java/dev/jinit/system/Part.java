package dev.jinit.system;

/**
 * A piece of jinit that lives beside the manager for the supervisor's whole life: the network, the
 * HTTP API, an SSH server, the console shell. The supervisor starts its parts in the order given,
 * after the manager, log pump and control socket exist and before the units are loaded (so a unit
 * ordered after the network finds it configured), and closes them in reverse order after every unit
 * has stopped.
 *
 * <p>A part that throws while starting is reported on the console and left out; jinit goes on without
 * it (as PID 1 it must). A part that needs to stop jinit (a poweroff request arriving over HTTP) calls
 * {@link Supervisor#requestStop}.
 */
public interface Part {
    /** Short name for messages ("network", "http-api"). */
    String name();

    /**
     * Starts the part. Must not block for long: a part that has slow work (DHCP) starts a thread of its
     * own. The returned handle is closed when the supervisor stops; it must not throw for a part that
     * already failed on its own.
     */
    AutoCloseable start(Supervisor supervisor) throws Exception;
}
