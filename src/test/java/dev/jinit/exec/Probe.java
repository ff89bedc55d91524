package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.util.concurrent.locks.LockSupport;

/** Test helper: runs a child with stdout and stderr on pipes, reaps it with a deadline, returns what it said. */
final class Probe {
    private Probe() {}

    static final long DEADLINE_NANOS = 30_000_000_000L;

    record Result(int pid, Wait.Child exit, String out, String err, java.util.List<String> warnings) {
        int exitCode() {
            return exit.code() == Wait.CLD_EXITED ? exit.status() : 128 + exit.status();
        }

        /** The value of a "Key:" line of a /proc status-like text. */
        String field(String key) {
            for (String line : out.split("\n")) if (line.startsWith(key + ":")) return line.substring(key.length() + 1).trim();
            throw new AssertionError("no " + key + " line in:\n" + out);
        }
    }

    static Result run(ProcessSpec.Builder builder) {
        return run(new Spawner(), builder);
    }

    static Result run(Spawner spawner, ProcessSpec.Builder builder) {
        ProcessSpec spec = builder.stdout(new FdSource.Pipe(true)).stderr(new FdSource.Pipe(true)).build();
        Spawned s = spawner.spawn(spec);
        try (Fd out = s.pipes().get(1); Fd err = s.pipes().get(2)) {
            Wait.Child exit = await(s.pid());
            // The child has exited, so its output is all in the pipe buffers: these reads end at EOF.
            return new Result(s.pid(), exit, SpawnerBasicTest.readAll(out), SpawnerBasicTest.readAll(err), s.warnings());
        }
    }

    /** Reaps pid, polling until the deadline; kills it and fails the test when it does not end. */
    static Wait.Child await(int pid) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            Wait.Child exit = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG);
            if (exit != null) return exit;
            LockSupport.parkNanos(2_000_000);
        }
        Posix.kill(pid, Signals.SIGKILL);
        Wait.waitid(Wait.P_PID, pid, Wait.WEXITED);
        return fail("child " + pid + " did not exit within 30 s");
    }

    /** A shell command as the child. */
    static ProcessSpec.Builder sh(String script) {
        return ProcessSpec.builder("/bin/sh", "-c", script).putEnv("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
    }
}
