package dev.jinit.system;

import dev.jinit.exec.Cgroups;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * What a jinit that died without stopping its units (SIGKILL, a crash of its JVM, an OOM kill) left
 * behind on the same state directory: its units' processes, still running in its cgroups. Starting
 * the units again beside them would run every service twice (two databases on one data directory),
 * so before any unit starts, those processes are stopped cleanly (SIGTERM, then SIGKILL after a grace
 * period, as a unit stop does) and the old cgroups removed.
 *
 * <p>Why stop rather than adopt: a service's stdout and stderr are pipes whose read ends died with the
 * old jinit; a pipe cannot be reconnected, so an adopted service would write into a broken pipe
 * (SIGPIPE, or lost output) for the rest of its life. Restarting it gives it working log pipes and a
 * known state, which is what systemd's users expect after a crash of the manager too (systemd keeps
 * services across a re-exec only because it passes the pipes' other ends to its new self, which a
 * crash does not allow).
 *
 * <p>How the old cgroups are found: each jinit records its cgroup in {@code <state>/cgroup}. The
 * control socket is bound first, which proves no live jinit uses this state directory, so a group
 * named there that still exists belongs to a dead one. Without cgroups ({@code --no-cgroup}, no
 * cgroup v2) nothing is recorded and nothing can be found: see the README.
 */
final class PreviousInstance {
    private PreviousInstance() {}

    static final String RECORD = "cgroup";
    /** As long as {@code jinit run} gives what its units leave behind at exit. */
    static final Duration GRACE = Duration.ofSeconds(10);

    /** Stops what a dead predecessor left, then records {@code ours} (null: nothing to record). */
    static void sweep(Path stateDir, Cgroups cgroups, Path ours, PrintStream out, PrintStream err) {
        Path record = stateDir.resolve(RECORD);
        try {
            String old = Files.readString(record, StandardCharsets.UTF_8).strip();
            if (!old.isEmpty() && cgroups != null && !Path.of(old).equals(ours)) stop(cgroups, cgroups.resolve(Path.of(old)), out, err);
        } catch (NoSuchFileException e) {
            // the first start on this state directory, or the last jinit stopped cleanly
        } catch (IOException | RuntimeException e) {
            err.println("jinit: cannot check what a previous jinit left (" + record + "): " + e.getMessage());
        }
        try {
            if (ours == null) {
                Files.deleteIfExists(record);
            } else {
                Path tmp = stateDir.resolve(RECORD + ".tmp");
                Files.writeString(tmp, ours + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            err.println("jinit: cannot record this jinit's cgroup in " + record + ": " + e.getMessage()
                    + "; after a crash its units could not be found");
        }
    }

    /** A clean exit leaves nothing to find. */
    static void forget(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(RECORD));
        } catch (IOException e) {
            // a stale record names a group that no longer exists: harmless
        }
    }

    private static void stop(Cgroups cgroups, Path group, PrintStream out, PrintStream err) {
        if (!Files.isDirectory(group)) return;
        List<Integer> pids = cgroups.allProcs(group);
        if (!pids.isEmpty()) {
            out.println("jinit: a previous jinit died without stopping its units; stopping the " + pids.size()
                    + " process(es) it left in " + group + " before starting anything");
            for (int pid : pids) Posix.kill(pid, Signals.SIGTERM);
            if (!awaitEmpty(cgroups, group, GRACE)) {
                out.println("jinit: processes of the previous jinit still running after " + GRACE.toSeconds() + " s; killing them");
                cgroups.kill(group);
                if (!awaitEmpty(cgroups, group, Duration.ofSeconds(5)))
                    err.println("jinit: processes of the previous jinit survive SIGKILL in " + group + ": " + cgroups.allProcs(group));
            }
        }
        try {
            cgroups.remove(group);
        } catch (RuntimeException e) {
            err.println("jinit: cannot remove the previous jinit's cgroup " + group + ": " + e.getMessage());
        }
    }

    /** Polls until the group tree has no process; they are not our children, so no exit event tells us. */
    private static boolean awaitEmpty(Cgroups cgroups, Path group, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!cgroups.allProcs(group).isEmpty()) {
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(20_000_000L);
        }
        return true;
    }
}
