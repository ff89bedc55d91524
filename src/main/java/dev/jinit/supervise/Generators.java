package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Reaper;
import dev.jinit.exec.SpawnException;
import dev.jinit.exec.Spawned;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Unit generators as systemd.generator(7) describes them: small executables, run before the unit
 * files are read (at start-up and at every daemon-reload), that turn configuration systemd does not
 * read itself into unit files, drop-ins and links. Each is called as {@code GENERATOR NORMAL EARLY
 * LATE} with three output directories in jinit's state (runtime) directory; the unit load path is then
 * EARLY, the unit directory, NORMAL, LATE (systemd's /run/systemd/generator.early, /etc/systemd/system,
 * /run/systemd/generator, /run/systemd/generator.late).
 *
 * <p>As in systemd: the generator directories are searched in order and a name found earlier hides
 * the same name later (a link to /dev/null or an empty file disables it); the output directories are
 * emptied before every run; all generators run at once, in parallel, and must finish within one
 * timeout, after which the stragglers (their whole process group) are killed; their environment is
 * PATH, {@code SYSTEMD_SCOPE=system} and {@code SYSTEMD_IN_INITRD}. What a generator prints is copied
 * to jinit's error stream, each line naming it.
 *
 * <p>Unlike systemd, which keeps whatever a failed generator wrote, each generator writes into a
 * staging copy of the three directories, and only the output of a generator that exited 0 is moved
 * into the load path: a generator killed halfway (or failing after half its work) is logged and
 * skipped as a whole, never half-loaded. When two generators write the same path, the first in name
 * order keeps it and the other is named in a warning.
 *
 * <p>Generators run on the unit reader's thread ({@link UnitFilesReader}), never the manager's. They
 * are spawned with posix_spawn and their exits owned by jinit's {@link Reaper} (no ProcessBuilder:
 * the JDK's reaper would race jinit's).
 */
public final class Generators {
    /**
     * The generator directories of the system manager, in systemd's order (/run/systemd/system-generators
     * is systemd's own runtime directory and left out). /lib is /usr/lib on a merged-/usr system; a
     * directory met twice is read once.
     */
    public static final List<Path> SYSTEM_DIRS = List.of(Path.of("/etc/systemd/system-generators"),
            Path.of("/usr/local/lib/systemd/system-generators"), Path.of("/usr/lib/systemd/system-generators"),
            Path.of("/lib/systemd/system-generators"));

    /**
     * systemd gives all generators together DEFAULT_TIMEOUT_USEC (90 s); jinit's whole load has 60 s by
     * default (UnitFilesReader), to which this is added.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The most of one generator's output that is copied to jinit's error stream. */
    static final long MAX_OUTPUT = 64 * 1024;

    /**
     * Which generators to run.
     *
     * @param dirs    the directories searched for generators, the first the strongest
     * @param timeout how long all of them together may run
     */
    public record Settings(List<Path> dirs, Duration timeout) {
        public static final Settings NONE = new Settings(List.of(), DEFAULT_TIMEOUT);

        public Settings {
            dirs = List.copyOf(dirs);
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("generator timeout must be positive");
        }

        public boolean isEmpty() {
            return dirs.isEmpty();
        }
    }

    /** The three output directories, as the unit load path uses them. */
    public record Output(Path early, Path normal, Path late) {
        /** The load path with {@code units} in its place: early, units, normal, late. */
        public List<Path> loadPath(Path units) {
            return List.of(early, units, normal, late);
        }
    }

    /** What happened to one generator. */
    public record Outcome(Path generator, boolean loaded, String problem) {}

    private final Settings settings;
    private final Path base;
    private final Spawner spawner;
    private final Reaper reaper;
    private final PrintStream err;

    /**
     * @param base    the directory that receives generator, generator.early and generator.late (jinit's
     *                state directory)
     * @param reaper  jinit's reaper, which owns every child's exit
     */
    public Generators(Settings settings, Path base, Spawner spawner, Reaper reaper, PrintStream err) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.base = Objects.requireNonNull(base, "base");
        this.spawner = Objects.requireNonNull(spawner, "spawner");
        this.reaper = Objects.requireNonNull(reaper, "reaper");
        this.err = Objects.requireNonNull(err, "err");
    }

    public Settings settings() {
        return settings;
    }

    public Output output() {
        return new Output(base.resolve("generator.early"), base.resolve("generator"), base.resolve("generator.late"));
    }

    /**
     * Empties the output directories and runs every generator; returns when all have ended or the
     * timeout has passed (the rest killed). Never throws for a generator's fault: each is reported on
     * the error stream and in the outcomes. Only one run at a time (a reload waits for a slow run).
     */
    public synchronized List<Outcome> run() throws IOException {
        Output out = output();
        Path staging = base.resolve("generator.staging");
        for (Path p : List.of(out.early(), out.normal(), out.late(), staging)) deleteTree(p);
        for (Path p : List.of(out.early(), out.normal(), out.late())) Files.createDirectories(p);
        Map<String, Path> found = find(settings.dirs());
        if (found.isEmpty()) return List.of();
        Files.createDirectories(staging);

        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Map<String, Running> running = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (var e : found.entrySet()) {
            try {
                running.put(e.getKey(), start(e.getKey(), e.getValue(), staging));
            } catch (IOException | SpawnException e2) {
                outcomes.add(report(e.getValue(), "could not be started: " + e2.getMessage()));
            }
        }
        for (var e : running.entrySet()) {
            Running r = e.getValue();
            Path generator = found.get(e.getKey());
            ExitStatus status = null;
            try {
                status = r.exit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException t) {
                // The generator and whatever it started in its process group.
                Posix.kill(-r.spawned.pid(), Signals.SIGKILL);
                Pidfd.sendSignal(r.spawned.pidfd(), Signals.SIGKILL);
            } catch (InterruptedException i) {
                Thread.currentThread().interrupt();
                Posix.kill(-r.spawned.pid(), Signals.SIGKILL);
            } catch (ExecutionException x) {
                // the exit future is only ever completed normally
            } finally {
                r.spawned.pidfd().close();
            }
            printOutput(generator, r.log);
            if (status == null) {
                outcomes.add(report(generator, "did not finish within " + settings.timeout().toSeconds()
                        + " s and was killed; what it wrote is not loaded"));
            } else if (status.code() != 0 || status.isSignal()) {
                outcomes.add(report(generator, "failed (" + status + "); what it wrote is not loaded"));
            } else {
                List<String> clashes = new ArrayList<>();
                merge(r.dirs.early(), out.early(), clashes);
                merge(r.dirs.normal(), out.normal(), clashes);
                merge(r.dirs.late(), out.late(), clashes);
                for (String c : clashes)
                    err.println("jinit: warning: generator " + generator + " wrote " + c + ", which an earlier generator"
                            + " wrote too; the earlier one's is kept");
                outcomes.add(new Outcome(generator, true, null));
            }
        }
        try {
            deleteTree(staging);
        } catch (IOException e) {
            err.println("jinit: warning: cannot remove " + staging + ": " + e.getMessage());
        }
        return outcomes;
    }

    private Outcome report(Path generator, String problem) {
        err.println("jinit: generator " + generator + " " + problem);
        return new Outcome(generator, false, problem);
    }

    private record Running(Spawned spawned, CompletableFuture<ExitStatus> exit, Output dirs, Path log) {}

    private Running start(String name, Path generator, Path staging) throws IOException {
        Path own = staging.resolve(name);
        Output dirs = new Output(own.resolve("early"), own.resolve("normal"), own.resolve("late"));
        for (Path p : List.of(dirs.early(), dirs.normal(), dirs.late())) Files.createDirectories(p);
        Path log = own.resolve("output");
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        FdSource output = new FdSource.WriteFile(log, FdSource.WriteFile.Mode.APPEND);
        ProcessSpec spec = ProcessSpec.builder(generator.toString(), dirs.normal().toString(), dirs.early().toString(),
                        dirs.late().toString())
                .env(Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "SYSTEMD_SCOPE", "system",
                        "SYSTEMD_IN_INITRD", Files.exists(Path.of("/etc/initrd-release")) ? "1" : "0"))
                .workingDirectory(Path.of("/"))
                .stdin(FdSource.NULL).stdout(output).stderr(output)
                .processGroup(0)
                .build();
        Spawned s = spawner.spawn(spec, Duration.ofSeconds(5), reaper, exit::complete);
        return new Running(s, exit, dirs, log);
    }

    /** The generators to run by file name, the first directory's winning; disabled and non-executable ones left out. */
    static Map<String, Path> find(List<Path> dirs) {
        Map<String, Path> found = new TreeMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<Path> readDirs = new java.util.HashSet<>();
        for (Path dir : dirs) {
            Path real;
            try {
                real = dir.toRealPath();
            } catch (IOException missing) {
                continue;
            }
            if (!readDirs.add(real)) continue;
            List<Path> entries;
            try (Stream<Path> s = Files.list(dir)) {
                entries = s.sorted().toList();
            } catch (IOException e) {
                continue;
            }
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!seen.add(name)) continue; // hidden by the same name in an earlier directory
                try {
                    Path target = p.toRealPath();
                    if (target.equals(Path.of("/dev/null"))) continue; // disabled
                    if (!Files.isRegularFile(target) || Files.size(target) == 0 || !Files.isExecutable(target)) continue;
                } catch (IOException dangling) {
                    continue;
                }
                found.put(name, p);
            }
        }
        return found;
    }

    private void printOutput(Path generator, Path log) {
        try {
            // jinit made the file; the generator (root, like jinit) could have replaced it: regular files only.
            if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) return;
            long size = Files.size(log);
            byte[] bytes;
            try (var in = Files.newInputStream(log, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes((int) MAX_OUTPUT);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            for (String line : text.split("\n")) if (!line.isBlank()) err.println("jinit: generator " + generator + ": " + line);
            if (size > MAX_OUTPUT) err.println("jinit: generator " + generator + ": (" + (size - MAX_OUTPUT) + " more bytes not shown)");
        } catch (IOException | RuntimeException e) {
            err.println("jinit: warning: cannot read the output of generator " + generator + ": " + e.getMessage());
        }
    }

    /** Moves what {@code from} holds into {@code into}; a path {@code into} already has is left and named in {@code clashes}. */
    private static void merge(Path from, Path into, List<String> clashes) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(from)) {
            all = walk.sorted().toList();
        }
        for (Path p : all) {
            if (p.equals(from)) continue;
            Path target = into.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) clashes.add(target.toString());
                    else Files.createDirectory(target);
                }
            } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(target.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                clashes.add(target.toString());
            } else {
                Files.move(p, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** Removes {@code dir} and what it holds without following any link. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
