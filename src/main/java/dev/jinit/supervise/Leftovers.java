package dev.jinit.supervise;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.unit.KillMode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What the units leave behind when jinit exits: the processes a KillMode=process unit (ssh.service,
 * cron.service) spares on stop, daemons that got away from their main process. Stopping a unit
 * rightly leaves them, as systemd does; but once jinit is gone nothing would ever stop them, so at
 * exit they get what systemd's shutdown gives them: SIGTERM, then SIGKILL after a grace period.
 * jinit is their child subreaper, so every one of them is its descendant, with or without cgroups.
 */
public final class Leftovers {
    private Leftovers() {}

    /** Signals jinit's remaining descendants; returns how many there were at first. */
    public static int kill(Duration grace, PrintStream console) {
        List<Integer> left = descendants();
        if (left.isEmpty()) return 0;
        console.println("jinit: " + left.size() + " process(es) left by the units, sending SIGTERM: " + left);
        report(PidfdSignals.send(Signals.SIGTERM, List.of(), left, Leftovers::descendantSet), console);
        int count = left.size();
        left = awaitNone(grace);
        if (!left.isEmpty()) {
            console.println("jinit: still there after " + grace.toSeconds() + " s, sending SIGKILL: " + left);
            // Rounds, because what a dying process forked in the meantime is a new descendant.
            long deadline = System.nanoTime() + KILL_ROUNDS.toNanos();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                report(PidfdSignals.send(Signals.SIGKILL, List.of(), left, Leftovers::descendantSet), console);
                left = awaitNone(Duration.ofMillis(200));
            }
            if (!left.isEmpty()) console.println("jinit: could not end " + left + " (uninterruptible?)");
        }
        return count;
    }

    private static void report(List<String> failures, PrintStream console) {
        for (String f : failures) console.println("jinit: cannot signal a leftover process: " + f);
    }

    private static Set<Integer> descendantSet() {
        return Set.copyOf(descendants());
    }

    /** How long SIGKILL is repeated for processes that keep appearing. */
    private static final Duration KILL_ROUNDS = Duration.ofSeconds(5);

    /** Polls until no descendant is left or {@code wait} has passed; returns those still there. */
    private static List<Integer> awaitNone(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Integer> left;
        while (!(left = descendants()).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return left;
    }

    /** Live descendants of this process (zombies excluded: the reaper collects them). */
    static List<Integer> descendants() {
        int self = Posix.getpid();
        return ProcTable.read().members(Set.of(), Set.of(self)).stream().filter(p -> p != self).toList();
    }
}
