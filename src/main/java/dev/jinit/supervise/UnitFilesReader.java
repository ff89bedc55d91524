package dev.jinit.supervise;

import dev.jinit.unit.Diagnostic;
import dev.jinit.unit.LoadResult;
import dev.jinit.unit.UnitLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a unit directory into definitions, on a thread of its own and within a deadline, for the
 * start-up load and every daemon-reload. The manager thread never reads a file: what it receives is
 * the finished list. Each file is opened so that it cannot block (see {@code RegularFile}), but a
 * directory on a hung network file system can still stall any system call: past the deadline the
 * read is given up (its thread is left to end on its own; it holds no lock and no state) and the
 * caller gets a {@link TimeoutException} naming the directory, so jinit keeps answering and a
 * later reload can try again.
 */
public final class UnitFilesReader {
    /** Loading 5,000 units takes about 1.5 s here; a read still going after a minute is stuck. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    private final Path dir;
    private final Duration deadline;
    private final PrintStream err;
    /** Diagnostics already printed: a reload repeats only new ones. Read threads may overlap (a stuck one). */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** Generators run before each read (null: none); their output directories join the load path. */
    private final Generators generators;

    public UnitFilesReader(Path dir, Duration deadline, PrintStream err) {
        this(dir, deadline, err, null);
    }

    /**
     * With {@code generators} (may be null) run before each read; the deadline is then extended by
     * their timeout.
     */
    public UnitFilesReader(Path dir, Duration deadline, PrintStream err, Generators generators) {
        this.dir = dir;
        this.generators = generators == null || generators.settings().isEmpty() ? null : generators;
        this.deadline = this.generators == null ? deadline : deadline.plus(this.generators.settings().timeout());
        this.err = err;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Starts a read and returns its definitions; completes exceptionally with an
     * {@link UncheckedIOException} when the directory cannot be listed, or a {@link TimeoutException}
     * after the deadline.
     */
    public CompletableFuture<List<UnitDefinition>> read() {
        CompletableFuture<List<UnitDefinition>> result = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().name("jinit-unit-reader").daemon(true).unstarted(() -> {
            try {
                result.complete(readNow());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        reader.start();
        return result.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                reader.interrupt(); // harmless if it is stuck in a system call; ends a wait if it is in one
                return CompletableFuture.failedFuture(new TimeoutException("reading the unit files in " + dir
                        + " took longer than " + deadline.toSeconds() + " s (a stuck file system?); nothing was changed"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private List<UnitDefinition> readNow() {
        LoadResult result;
        try {
            if (generators == null) {
                result = UnitLoader.load(dir);
            } else {
                // The unit directory must be there before anything runs (the same error as without generators).
                if (!java.nio.file.Files.isDirectory(dir)) result = UnitLoader.load(dir);
                generators.run();
                result = UnitLoader.load(dir, generators.output().loadPath(dir), dev.jinit.unit.SystemContext.current());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        for (Diagnostic d : result.diagnostics())
            if (reported.add(d.toString())) err.println("jinit: " + (d.isError() ? "error: " : "warning: ") + d);
        return UnitMapping.map(result);
    }
}
