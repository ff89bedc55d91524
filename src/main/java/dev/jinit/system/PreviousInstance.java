package dev.jinit.system;

import dev.jinit.exec.Cgroups;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.supervise.Ports;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * What an earlier jinit on the same state directory left behind (it died without stopping its units:
 * SIGKILL, a crash of its JVM, an OOM kill; or it re-executed itself): its cgroups. The units it
 * recorded as up are taken over (see {@link Takeover}); everything else it left in its cgroups is
 * stopped cleanly (SIGTERM, then SIGKILL after a grace period, as a unit stop does) and the groups
 * removed, before any unit starts, so that no service ever runs twice.
 *
 * <p>How the old cgroups are found: each jinit records its cgroup parent in {@code <state>/cgroup},
 * with the older parents that still hold units it took over (one per line). The control socket is
 * bound first, which proves no live jinit uses this state directory, so a group named there that
 * still exists belongs to a dead one (or to this very process before its re-exec). Without cgroups
 * ({@code --no-cgroup}, no cgroup v2) only the recorded main processes can be found: see the README.
 */
final class PreviousInstance {
    private PreviousInstance() {}

    static final String RECORD = "cgroup";
    /** As long as {@code jinit run} gives what its units leave behind at exit. */
    static final Duration GRACE = Duration.ofSeconds(10);

    /** The cgroup directories named in the record that still exist, in the record's order. */
    static List<Path> parents(Path stateDir, Cgroups cgroups, PrintStream err) {
        Path record = stateDir.resolve(RECORD);
        List<Path> out = new ArrayList<>();
        if (cgroups == null) return out;
        try {
            for (String line : Files.readString(record, StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                Path p = cgroups.resolve(Path.of(line.strip()));
                if (Files.isDirectory(p) && !out.contains(p)) out.add(p);
            }
        } catch (NoSuchFileException e) {
            // the first start on this state directory, or the last jinit stopped cleanly
        } catch (IOException | RuntimeException e) {
            err.println("jinit: cannot check what a previous jinit left (" + record + "): " + e.getMessage());
        }
        return out;
    }

    /** Records {@code parents} (ours first); an empty list removes the record. */
    static void record(Path stateDir, List<Path> parents, PrintStream err) {
        Path record = stateDir.resolve(RECORD);
        try {
            if (parents.isEmpty()) {
                Files.deleteIfExists(record);
                return;
            }
            StringBuilder text = new StringBuilder();
            for (Path p : new LinkedHashSet<>(parents)) text.append(p).append('\n');
            Path tmp = stateDir.resolve(RECORD + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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

    /**
     * Stops what the previous jinit left and nobody took over: every group directly under
     * {@code parents} that is not (or does not lie inside) one of {@code keep}, the processes in the
     * parents themselves, and {@code processes} (main processes of units not taken over, by pidfd;
     * closed here). Then removes those groups, and each parent but {@code ours} that is left empty.
     */
    static void stopLeftovers(Cgroups cgroups, List<Path> parents, Set<Path> keep, Path ours, List<Ports.Handle> processes,
                              PrintStream out, PrintStream err) {
        List<Path> groups = new ArrayList<>();
        if (cgroups != null) {
            for (Path parent : parents) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, Files::isDirectory)) {
                    for (Path g : ds) if (keep.stream().noneMatch(k -> k.startsWith(g) || g.startsWith(k))) groups.add(g);
                } catch (IOException | RuntimeException e) {
                    err.println("jinit: cannot list the previous jinit's cgroup " + parent + ": " + e.getMessage());
                }
            }
        }
        try {
            List<Integer> pids = pids(cgroups, groups, parents);
            List<Ports.Handle> live = new ArrayList<>();
            for (Ports.Handle h : processes) if (h.alive()) live.add(h);
            if (!pids.isEmpty() || !live.isEmpty()) {
                out.println("jinit: stopping the " + (pids.size() + live.size()) + " process(es) a previous jinit left and this"
                        + " one does not take over" + (groups.isEmpty() ? "" : " (in " + groups + ")") + ", before starting anything");
                for (int pid : pids) Posix.kill(pid, Signals.SIGTERM);
                for (Ports.Handle h : live) signal(h, Signals.SIGTERM, err);
                if (!awaitGone(cgroups, groups, parents, live, GRACE)) {
                    out.println("jinit: processes of the previous jinit still running after " + GRACE.toSeconds() + " s; killing them");
                    for (Path g : groups) {
                        try {
                            cgroups.kill(g);
                        } catch (RuntimeException e) {
                            err.println("jinit: cannot kill " + g + ": " + e.getMessage());
                        }
                    }
                    for (int pid : pids(cgroups, List.of(), parents)) Posix.kill(pid, Signals.SIGKILL);
                    for (Ports.Handle h : live) signal(h, Signals.SIGKILL, err);
                    if (!awaitGone(cgroups, groups, parents, live, Duration.ofSeconds(5)))
                        err.println("jinit: processes of the previous jinit survive SIGKILL: " + pids(cgroups, groups, parents));
                }
            }
        } finally {
            for (Ports.Handle h : processes) h.close();
        }
        for (Path g : groups) {
            try {
                cgroups.remove(g);
            } catch (RuntimeException e) {
                err.println("jinit: cannot remove the previous jinit's cgroup " + g + ": " + e.getMessage());
            }
        }
        if (cgroups != null) {
            for (Path parent : parents) {
                if (parent.equals(ours) || keep.stream().anyMatch(k -> k.startsWith(parent))) continue;
                try {
                    cgroups.remove(parent);
                } catch (RuntimeException e) {
                    err.println("jinit: cannot remove the previous jinit's cgroup " + parent + ": " + e.getMessage());
                }
            }
        }
    }

    private static void signal(Ports.Handle h, int sig, PrintStream err) {
        try {
            h.signal(sig);
        } catch (RuntimeException e) {
            err.println("jinit: cannot send " + Signals.name(sig) + " to pid " + h.pid() + ": " + e.getMessage());
        }
    }

    private static List<Integer> pids(Cgroups cgroups, List<Path> groups, List<Path> parents) {
        List<Integer> pids = new ArrayList<>();
        if (cgroups == null) return pids;
        for (Path g : groups) pids.addAll(cgroups.allProcs(g));
        for (Path p : parents) pids.addAll(cgroups.procs(p));
        return pids;
    }

    /** Polls until the groups are empty and the processes gone; they are not our children, so no exit event tells us. */
    private static boolean awaitGone(Cgroups cgroups, List<Path> groups, List<Path> parents, List<Ports.Handle> live, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!pids(cgroups, groups, parents).isEmpty() || live.stream().anyMatch(Ports.Handle::alive)) {
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(20_000_000L);
        }
        return true;
    }
}
