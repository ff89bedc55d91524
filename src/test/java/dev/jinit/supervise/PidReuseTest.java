package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Reaper;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.ServiceType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unit's pid recycled before jinit sends it a signal: the signal must not reach the new process.
 * Real processes, the real Spawner and Reaper, the manager on its real loop and the kernel's ports
 * (process groups, no cgroup). The manager thread is held busy while the unit's main process is
 * killed, reaped and its number given to a new process (steered with /proc/sys/kernel/ns_last_pid,
 * root only; other processes on the machine may take the number first, so this retries); then the
 * unit is stopped, and its SIGTERM goes out before the manager has handled the exit.
 */
class PidReuseTest {
    static Reaper reaper;

    @BeforeAll
    static void startReaper() {
        reaper = Reaper.start();
    }

    @AfterAll
    static void stopReaper() {
        reaper.close();
    }

    @TempDir
    Path dir;

    @Test
    void aStopAfterThePidWasRecycledDoesNotSignalTheNewProcess() throws Exception {
        Spawner spawner = new Spawner();
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        Ports.LogSink logs = new Ports.LogSink() {
            @Override
            public void attach(String unit, Fd readEnd, boolean stderr) {
                readEnd.close();
            }

            @Override
            public void note(String unit, String text) {
                notes.add(text);
            }
        };
        EventLoop loop = new EventLoop("pid-reuse-manager", System.err).start();
        Manager manager = new Manager(loop, new Manager.Options(dir, dir, dir, null, null, null),
                (spec, openWait, onExit) -> spawner.spawn(spec, openWait, reaper, onExit), reaper::register, logs,
                new PrintStream(new ByteArrayOutputStream(), true));
        try {
            manager.load(List.of(ManagerTest.service("victim", ServiceConfig.builder("victim", ServiceType.SIMPLE)
                    .start(Command.of("/bin/sleep", "1000")), UnitDefinition.Dependencies.NONE))).get(10, TimeUnit.SECONDS);
            for (int attempt = 0; attempt < 50; attempt++) {
                assertTrue(manager.start("victim").get(30, TimeUnit.SECONDS).ok());
                int old = manager.snapshot("victim").get(10, TimeUnit.SECONDS).mainPid();
                assertTrue(old > 0);

                CountDownLatch release = new CountDownLatch(1);
                CountDownLatch holding = new CountDownLatch(1);
                loop.post(() -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(holding.await(30, TimeUnit.SECONDS));
                // Posted at once, so queued behind the busy manager thread and ahead of the exit the
                // reaper is about to post.
                CompletableFuture<JobOutcome> stop = manager.stop("victim");
                Posix.kill(old, Signals.SIGKILL);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Files.exists(Path.of("/proc", Integer.toString(old)))) {
                    assertTrue(System.nanoTime() < deadline, "pid " + old + " was not reaped");
                    Thread.sleep(2);
                }
                Files.writeString(Path.of("/proc/sys/kernel/ns_last_pid"), Integer.toString(old - 1));
                CompletableFuture<ExitStatus> newcomerExit = new CompletableFuture<>();
                int newcomer = spawner.spawn(ProcessSpec.builder("/bin/sleep", "1000").build(), reaper, newcomerExit::complete).pid();
                release.countDown();
                assertTrue(stop.get(30, TimeUnit.SECONDS).ok());
                // Whatever the stop sent went out; now end the newcomer: SIGKILL must be what it dies of.
                Posix.kill(newcomer, Signals.SIGKILL);
                ExitStatus status = newcomerExit.get(30, TimeUnit.SECONDS);
                if (newcomer != old) continue; // somebody else took the number: try again
                assertEquals(ExitStatus.killed(Signals.SIGKILL, false), status,
                        "the process that got pid " + old + " after the unit's was hit by the unit's stop; notes: " + notes);
                return;
            }
            throw new AssertionError("could not get a pid reused in 50 attempts");
        } finally {
            manager.close();
        }
    }
}
