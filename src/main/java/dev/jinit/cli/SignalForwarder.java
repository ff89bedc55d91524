package dev.jinit.cli;

import dev.jinit.exec.Reaper;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.SignalDispositions;
import dev.jinit.linux.Signals;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes the signals jinit receives on to its child, or to the child's whole process group. A
 * signal that arrives before the child exists is kept and sent once it does, so a SIGTERM during
 * start-up is not lost.
 *
 * <p>The child is known by its pidfd, so a signal can never reach a process that got its pid after
 * it was reaped. A process group has no pidfd: a signal to the group is sent only while the child
 * (its leader, whose pid is the group's id) has not been reaped, checked through the pidfd while
 * the reaper is held, so the group id cannot be handed to another group in between.
 *
 * <p>Handlers are installed with {@code sun.misc.Signal}, which replaces the JVM's own handling
 * (for TERM, INT and HUP: running shutdown hooks and exiting). The JVM cannot catch QUIT (it
 * prints a thread dump instead), KILL or STOP; CHLD is accepted but never fires, which is why
 * the reaper waits with waitid instead. Real-time signals have no name sun.misc.Signal knows.
 */
final class SignalForwarder {
    /**
     * What jinit forwards, as sun.misc.Signal names them: every signal that is a message from
     * outside, as tini does. Not forwarded: QUIT (the JVM keeps it), KILL and STOP (cannot be
     * caught), CHLD (never fires), TTIN and TTOU (job control for jinit itself, which tini skips
     * too), PIPE (the JVM relies on ignoring it) and the synchronous faults (SEGV, BUS, FPE, ILL,
     * TRAP, ABRT, SYS), which the JVM needs for itself.
     */
    static final List<String> FORWARDED = List.of("TERM", "INT", "HUP", "USR1", "USR2", "WINCH", "CONT", "PWR", "ALRM",
            "TSTP", "URG", "VTALRM", "PROF", "IO", "XCPU", "XFSZ", "STKFLT");

    private final boolean toGroup;
    /** Guarded by this: 0 until the child has been spawned. */
    private int child;
    private Fd pidfd;
    private Reaper reaper;
    private final List<Integer> pending = new ArrayList<>();

    SignalForwarder(boolean toGroup) {
        this.toGroup = toGroup;
    }

    /**
     * Installs the handlers.
     *
     * @return the signals the JVM would not let jinit handle (empty on a normal JVM)
     */
    List<String> install() {
        List<String> refused = new ArrayList<>();
        for (String name : FORWARDED) {
            try {
                // Inherited as ignored (a background job's SIGINT), it would never reach the handler.
                SignalDispositions.unignore(Signals.parse(name));
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> forward(sig.getNumber()));
            } catch (IllegalArgumentException e) {
                refused.add(name);
            }
        }
        return refused;
    }

    /** The child is running: send what arrived before and forward from now on. */
    synchronized void child(int pid, Fd pidfd, Reaper reaper) {
        child = pid;
        this.pidfd = pidfd;
        this.reaper = reaper;
        for (int sig : pending) send(sig);
        pending.clear();
    }

    private synchronized void forward(int signal) {
        if (child == 0) pending.add(signal);
        else send(signal);
    }

    private void send(int signal) {
        try {
            // false: the child is gone already (reaped); its exit is on its way.
            if (!toGroup) {
                Pidfd.sendSignal(pidfd, signal);
                return;
            }
            try (Reaper.Hold held = reaper.hold()) {
                if (Pidfd.sendSignal(pidfd, 0)) Posix.kill(-child, signal);
            }
        } catch (LinuxException e) {
            System.err.println("jinit exec: cannot forward signal: " + e.getMessage());
        }
    }
}
