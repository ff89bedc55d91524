package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.ServiceType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PIDFile= checked as systemd's service_load_pid_file checks it: never jinit itself, never pid 1,
 * never a process of another unit; a process outside the unit only from a root-owned file. On the
 * manager's real event loop with the honest fakes (the clock moves when the test moves it).
 */
class PidFileCheckTest {
    @TempDir
    Path dir;
    final FakeKernel fake = new FakeKernel();
    final EventLoop loop = fake.loop("pidfile-manager");
    final Manager manager = new Manager(loop, ManagerTest.OPTIONS, fake.ports(), new PrintStream(new ByteArrayOutputStream(), true));

    @AfterEach
    void stop() {
        manager.close();
    }

    UnitDefinition forking(Path pidFile) {
        return ManagerTest.service("f", ServiceConfig.builder("f", ServiceType.FORKING).start(Command.of("/bin/f"))
                .pidFile(pidFile).timeoutStartMillis(5_000), UnitDefinition.Dependencies.NONE);
    }

    /** Starts f, whose start command exits 0 after writing {@code pid} to its PID file; returns the start job. */
    CompletableFuture<JobOutcome> startForkingNaming(int pid, Path pidFile) throws Exception {
        manager.load(List.of(forking(pidFile), ManagerTest.simple("other", UnitDefinition.Dependencies.NONE)))
                .get(10, TimeUnit.SECONDS);
        CompletableFuture<JobOutcome> job = manager.start("f");
        FakeKernel.await("f's start command", () -> fake.pidOf.containsKey("/bin/f"));
        Files.writeString(pidFile, pid + "\n");
        fake.exit("/bin/f", ExitStatus.exited(0));
        return job;
    }

    /** The refusal is noted, the PID file is not trusted however long it stays, and the start times out. */
    void refused(CompletableFuture<JobOutcome> job, String expected) throws Exception {
        FakeKernel.await("the refusal in f's log: " + expected, () -> fake.notes.stream().anyMatch(n -> n.startsWith("f: ") && n.contains(expected)));
        assertEquals(0, manager.snapshot("f").get(10, TimeUnit.SECONDS).mainPid(), "no main pid taken from the file");
        fake.advance(loop, 5_000);
        JobOutcome outcome = job.get(10, TimeUnit.SECONDS);
        assertFalse(outcome.ok(), outcome.toString());
        assertEquals(1, fake.notes.stream().filter(n -> n.contains(expected)).count(), "reported once, not on every look: " + fake.notes);
    }

    @Test
    void aPidFileNamingJinitItselfIsRefused() throws Exception {
        Path pidFile = dir.resolve("f.pid");
        refused(startForkingNaming(FakeKernel.FAKE_SELF, pidFile),
                "New main PID " + FakeKernel.FAKE_SELF + " (from " + pidFile + ") is jinit itself, refusing.");
    }

    @Test
    void aPidFileNamingPid1IsRefused() throws Exception {
        Path pidFile = dir.resolve("f.pid");
        refused(startForkingNaming(1, pidFile), "New main PID 1 (from " + pidFile + ") is the init process (pid 1), refusing.");
    }

    @Test
    void aPidFileNamingAnotherUnitsProcessIsRefused() throws Exception {
        Path pidFile = dir.resolve("f.pid");
        manager.load(List.of(forking(pidFile), ManagerTest.simple("other", UnitDefinition.Dependencies.NONE)))
                .get(10, TimeUnit.SECONDS);
        assertTrue(manager.start("other").get(10, TimeUnit.SECONDS).ok());
        int others = fake.pidOf.get("/bin/other");
        refused(startForkingNaming(others, pidFile),
                "New main PID " + others + " (from " + pidFile + ") belongs to unit other, refusing.");
        assertEquals(others, manager.snapshot("other").get(10, TimeUnit.SECONDS).mainPid(), "other keeps its process");
    }

    /** A process outside the unit: taken from a root-owned file (with a note), refused from anyone else's. */
    @Test
    void aProcessOutsideTheUnitOnlyFromARootOwnedFile() throws Exception {
        int stray = fake.spawn(ProcessSpec.builder("/bin/stray").build(), java.time.Duration.ZERO, status -> { }).pid();
        Path pidFile = dir.resolve("f.pid");
        Files.writeString(pidFile, "");
        Files.setAttribute(pidFile, "unix:uid", 65534);
        refused(startForkingNaming(stray, pidFile), "New main PID " + stray + " (from " + pidFile
                + ") does not belong to the service, and the PID file is not owned by root. Refusing.");
    }

    @Test
    void aProcessOutsideTheUnitFromARootOwnedFileIsAccepted() throws Exception {
        int stray = fake.spawn(ProcessSpec.builder("/bin/stray").build(), java.time.Duration.ZERO, status -> { }).pid();
        Path pidFile = dir.resolve("f.pid");
        JobOutcome outcome = startForkingNaming(stray, pidFile).get(10, TimeUnit.SECONDS);
        assertTrue(outcome.ok(), outcome.toString());
        assertEquals(stray, manager.snapshot("f").get(10, TimeUnit.SECONDS).mainPid());
        assertTrue(fake.notes.contains("f: New main PID " + stray + " does not belong to the service, but it is accepted since"
                + " the PID file " + pidFile + " is owned by root."), fake.notes.toString());
    }

    /** A FIFO as PID file is refused without a blocking open: the manager thread goes on (other starts). */
    @Test
    void aFifoAsPidFileIsRefusedAndBlocksNothing() throws Exception {
        Path pidFile = dir.resolve("f.pid");
        manager.load(List.of(forking(pidFile), ManagerTest.simple("other", UnitDefinition.Dependencies.NONE)))
                .get(10, TimeUnit.SECONDS);
        dev.jinit.linux.Fs.mkfifo(pidFile.toString(), 0644);
        CompletableFuture<JobOutcome> job = manager.start("f");
        FakeKernel.await("f's start command", () -> fake.pidOf.containsKey("/bin/f"));
        fake.exit("/bin/f", ExitStatus.exited(0));
        FakeKernel.await("the refusal in f's log", () -> fake.notes.stream()
                .anyMatch(n -> n.startsWith("f: ") && n.contains("PID file " + pidFile + " is a FIFO") && n.endsWith("refusing.")));
        assertTrue(manager.start("other").get(10, TimeUnit.SECONDS).ok(), "the manager still answers");
        fake.advance(loop, 5_000);
        assertFalse(job.get(10, TimeUnit.SECONDS).ok());
    }
}
