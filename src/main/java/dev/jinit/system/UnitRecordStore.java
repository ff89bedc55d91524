package dev.jinit.system;

import dev.jinit.supervise.UnitRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The units' records ({@link UnitRecord}) in {@code <state>/units/<unit>}: saved and removed on a writer
 * thread of its own, never on the manager's (a full or slow disk stalls only this thread), the latest
 * change of a unit winning over one not yet written. What only /proc knows (the main process's start
 * time, which pipes its stdout and stderr are) is read here, when the record is written.
 */
final class UnitRecordStore implements UnitRecord.Sink, AutoCloseable {
    static final String DIR = "units";

    private final Path dir;
    private final PrintStream err;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("jinit-unit-records").daemon(true).factory());
    /** Unit → its record to write, or empty to remove; guarded by this. */
    private final Map<String, Optional<UnitRecord>> pending = new LinkedHashMap<>();
    private boolean scheduled;
    private String lastFailure;

    UnitRecordStore(Path stateDir, PrintStream err) {
        this.dir = stateDir.resolve(DIR);
        this.err = err;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void save(UnitRecord record) {
        put(record.unit(), Optional.of(record));
    }

    @Override
    public void remove(String unit) {
        put(unit, Optional.empty());
    }

    private void put(String unit, Optional<UnitRecord> r) {
        synchronized (this) {
            pending.put(unit, r);
            if (scheduled) return;
            scheduled = true;
        }
        try {
            writer.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            synchronized (this) {
                scheduled = false;
            }
        }
    }

    /** Waits until every change asked so far is on disk (for daemon-reexec); false after {@code millis}. */
    boolean flush(long millis) {
        try {
            writer.submit(() -> { }).get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void drain() {
        while (true) {
            Map<String, Optional<UnitRecord>> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    scheduled = false;
                    return;
                }
                batch = new LinkedHashMap<>(pending);
                pending.clear();
            }
            for (Map.Entry<String, Optional<UnitRecord>> e : batch.entrySet()) write(e.getKey(), e.getValue());
        }
    }

    private void write(String unit, Optional<UnitRecord> r) {
        Path file = dir.resolve(unit);
        try {
            if (r.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            UnitRecord record = r.get();
            if (record.pid() > 0) {
                String start = Takeover.startTime(record.pid());
                if (start == null) { // gone already: its exit is on its way to the manager, which removes the record
                    Files.deleteIfExists(file);
                    return;
                }
                record = record.withProcess(start, link(record.pid(), 1), link(record.pid(), 2));
            }
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + unit + ".tmp");
            Files.writeString(tmp, record.format(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lastFailure = null;
        } catch (IOException | RuntimeException e) {
            String why = "jinit: cannot record " + unit + " in " + file + " (" + e.getMessage()
                    + "); after a crash or daemon-reexec it would be stopped and started again, not taken over";
            if (!why.equals(lastFailure)) err.println(why);
            lastFailure = why;
        }
    }

    /** /proc/PID/fd/N's link ("pipe:[1234]"), or "" when it cannot be read. */
    static String link(int pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd))).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
