package dev.jinit.supervise.notify;

import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Spawns real helper processes for the tests and waits for them with deadlines. */
public final class TestProcesses {
    private TestProcesses() {}

    public static final String PYTHON = "/usr/bin/python3";

    /** Sends argv[2] as one datagram to argv[1] (a path, or @name for the abstract namespace). */
    public static final String SENDER = """
            import socket, sys
            addr = sys.argv[1]
            if addr.startswith('@'): addr = '\\0' + addr[1:]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(sys.argv[2].encode('latin-1'), addr)
            """;

    /** Spawns {@code argv} with stdio on /dev/null and returns its pid. */
    public static int spawn(List<String> argv) {
        ProcessSpec spec = ProcessSpec.builder(argv).putEnv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .stdin(FdSource.NULL).stdout(FdSource.NULL).stderr(FdSource.NULL).build();
        return new Spawner().spawn(spec).pid();
    }

    /**
     * Runs the sender as root, or as numeric {@code user} (uid = gid) through setpriv (the pid stays
     * the same: setpriv execs), and checks that it succeeded.
     */
    public static int sendDatagram(String address, String payload, Integer user) {
        List<String> argv = new ArrayList<>();
        if (user != null) argv.addAll(List.of("/usr/bin/setpriv", "--reuid=" + user, "--regid=" + user, "--clear-groups"));
        argv.addAll(List.of(PYTHON, "-c", SENDER, address, payload));
        int pid = spawn(argv);
        int status = waitExit(pid, Duration.ofSeconds(30));
        if (status != 0 && status != REAPED_ELSEWHERE) throw new AssertionError("sender " + argv + " failed: wait status " + status);
        return pid;
    }

    /** waitExit's answer when a reaper elsewhere in the test JVM (waitid P_ALL) took the exit first. */
    public static final int REAPED_ELSEWHERE = -1;

    /**
     * Waits for a child to end and returns its raw wait status; another reaper in the JVM may have
     * taken it (ECHILD), in which case the child is gone when /proc no longer lists it and the
     * answer is {@link #REAPED_ELSEWHERE}: callers then judge the child by what it did.
     */
    public static int waitExit(int pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Wait.Child c = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG);
            // As waitpid(2) encodes it: exit code in the second byte, else the signal (| 0x80 for a core).
            if (c != null) return c.code() == Wait.CLD_EXITED ? c.status() << 8
                    : c.status() | (c.code() == Wait.CLD_DUMPED ? 0x80 : 0);
            if (!Files.exists(Path.of("/proc/" + pid))) return REAPED_ELSEWHERE;
            if (System.nanoTime() > deadline) throw new AssertionError("pid " + pid + " still running after " + timeout);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for pid " + pid, e);
            }
        }
    }

    /** Asserts a child's wait status when this thread was the one that reaped it. */
    public static void assertExit(int expectedRawStatus, int pid, Duration timeout, String what) {
        int status = waitExit(pid, timeout);
        if (status != REAPED_ELSEWHERE && status != expectedRawStatus)
            throw new AssertionError(what + ": wait status " + status + ", expected " + expectedRawStatus);
    }

    /** Polls {@code condition} until it holds or the deadline passes. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
