package dev.jinit.log;

import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Mount;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Test helpers: writer processes with piped stdout/stderr, their reaping, and polling with a deadline. */
final class Procs implements AutoCloseable {
    /** mount -t tmpfs -o size=SIZE tmpfs DIR (needs root). */
    static void mountTmpfs(java.nio.file.Path dir, String size) {
        Mount.mount("tmpfs", dir.toString(), "tmpfs", 0, "size=" + size + ",mode=0755");
    }

    /** umount2(dir, MNT_DETACH): lazy, so a file still open somewhere cannot fail the test's cleanup. */
    static void unmount(java.nio.file.Path dir) {
        Mount.umount(dir.toString(), Mount.MNT_DETACH);
    }

    record Proc(int pid, Fd out, Fd err) {}

    private final List<Integer> pids = new ArrayList<>();

    /** {@code /bin/sh -c script} with stdout and stderr on pipes; the caller hands the ends to the pump. */
    Proc sh(String script) {
        ProcessSpec spec = ProcessSpec.builder("/bin/sh", "-c", script)
                .putEnv("PATH", "/usr/bin:/bin")
                .stdin(FdSource.NULL)
                .stdout(new FdSource.Pipe(true))
                .stderr(new FdSource.Pipe(true))
                .build();
        Spawned s = new Spawner().spawn(spec);
        pids.add(s.pid());
        return new Proc(s.pid(), s.pipes().get(1), s.pipes().get(2));
    }

    /** As {@link #sh} with stdout to a file directly (the {@code append:} path). */
    int shToFile(String script, java.nio.file.Path file) {
        ProcessSpec spec = ProcessSpec.builder("/bin/sh", "-c", script)
                .putEnv("PATH", "/usr/bin:/bin")
                .stdin(FdSource.NULL)
                .stdout(new FdSource.WriteFile(file, FdSource.WriteFile.Mode.APPEND))
                .build();
        int pid = new Spawner().spawn(spec).pid();
        pids.add(pid);
        return pid;
    }

    /**
     * Waits for a child to exit, polling with WNOHANG until the deadline. Another reaper in the same
     * JVM (waitid P_ALL) may have collected it first: ECHILD then also means "gone".
     */
    static boolean reap(int pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG) != null) return true;
            // null is also ECHILD: another reaper took it, and then the process no longer exists.
            if (!Posix.kill(pid, 0)) return true;
            if (System.nanoTime() - deadline > 0) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Polls {@code condition} until it holds or the deadline passes; fails with {@code message} then. */
    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out after " + timeout + ": " + message.get());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Kills every child this helper started and reaps them. */
    @Override
    public void close() {
        for (int pid : pids) Posix.kill(pid, 9);
        for (int pid : pids) reap(pid, Duration.ofSeconds(10));
        pids.clear();
    }
}
