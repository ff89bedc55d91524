package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper in this JVM, with a short hold. It is closed after the class so that other test
 * classes (and the JDK's own process reaper) get their children back.
 */
class ReaperTest {
    static final Duration HOLD = Duration.ofSeconds(5);
    static Reaper reaper;
    static final Map<Integer, ExitStatus> unowned = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        reaper = Reaper.start(HOLD, 10_000);
        reaper.onUnowned(unowned::put);
    }

    @AfterAll
    static void stop() {
        reaper.close();
    }

    static int spawn(String... argv) {
        return new Spawner().spawn(ProcessSpec.builder(List.of(argv)).build()).pid();
    }

    static ExitStatus exitOf(int pid) throws Exception {
        CompletableFuture<ExitStatus> f = new CompletableFuture<>();
        reaper.register(pid, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Direct children of this JVM, zombies included, from /proc/self/task/* /children. */
    static List<String> children() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String c = Files.readString(t.resolve("children")).strip();
                    if (!c.isEmpty()) out.addAll(List.of(c.split("\\s+")));
                } catch (IOException gone) {
                    // the thread ended while listing
                }
            }
        }
        return out;
    }

    @Test
    void deliversExitCodes() throws Exception {
        long reapedBefore = reaper.reaped();
        assertEquals(ExitStatus.exited(7), exitOf(spawn("/bin/sh", "-c", "exit 7")));
        assertEquals(ExitStatus.exited(0), exitOf(spawn("/bin/true")));
        assertEquals(ExitStatus.exited(255), exitOf(spawn("/bin/sh", "-c", "exit 255")));
        // (>=: exits of other tests' children may be reaped meanwhile; the reaper is shared)
        assertTrue(reaper.reaped() - reapedBefore >= 3, "each exit counted (metrics)");
    }

    @Test
    void deliversDeathBySignal() throws Exception {
        int pid = spawn("/bin/sleep", "100");
        CompletableFuture<ExitStatus> f = new CompletableFuture<>();
        reaper.register(pid, f::complete);
        assertTrue(Posix.kill(pid, Signals.SIGKILL));
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), f.get(30, TimeUnit.SECONDS));
    }

    @Test
    void reportsCoreDumps(@TempDir Path dir) throws Exception {
        ProcessSpec spec = ProcessSpec.builder("/bin/sh", "-c", "ulimit -c unlimited; kill -SEGV $$")
                .workingDirectory(dir).build();
        ExitStatus status = exitOf(new Spawner().spawn(spec).pid());
        assertEquals(ExitStatus.killed(Signals.SIGSEGV, true), status);
    }

    @Test
    void decodesSiCodes() {
        assertEquals(ExitStatus.exited(3), Reaper.decode(new Wait.Child(10, Wait.CLD_EXITED, 3)));
        assertEquals(ExitStatus.killed(15, false), Reaper.decode(new Wait.Child(10, Wait.CLD_KILLED, 15)));
        assertEquals(ExitStatus.killed(6, true), Reaper.decode(new Wait.Child(10, Wait.CLD_DUMPED, 6)));
    }

    @Test
    void exitReapedBeforeRegisterIsHeldAndDeliveredOnRegister() throws Exception {
        int pid = spawn("/bin/sh", "-c", "exit 42");
        assertTrue(reaper.awaitNoChildren(Duration.ofSeconds(30)), "child not reaped");
        CompletableFuture<ExitStatus> f = new CompletableFuture<>();
        reaper.register(pid, f::complete);
        assertTrue(f.isDone(), "a held exit is delivered during register");
        assertEquals(ExitStatus.exited(42), f.get());
    }

    /**
     * pid reuse within the hold: an exit held for pid A must not be handed to the owner of a new
     * process that got pid A again. /proc/sys/kernel/ns_last_pid steers the next pid (root only);
     * other processes on the machine may take it first, so this retries.
     */
    @Test
    void staleHeldExitIsNotDeliveredForAReusedPid() throws Exception {
        Path lastPid = Path.of("/proc/sys/kernel/ns_last_pid");
        for (int attempt = 0; attempt < 50; attempt++) {
            int a = spawn("/bin/sh", "-c", "exit 3");
            assertTrue(reaper.awaitNoChildren(Duration.ofSeconds(30)));
            Files.writeString(lastPid, Integer.toString(a - 1));
            int b = spawn("/bin/sleep", "100");
            if (b != a) {
                assertTrue(Posix.kill(b, Signals.SIGKILL));
                exitOf(b);
                continue;
            }
            CompletableFuture<ExitStatus> f = new CompletableFuture<>();
            reaper.register(b, f::complete);
            assertEquals(ExitStatus.exited(3), unowned.get(a), "the stale exit goes to the unowned handler");
            assertTrue(!f.isDone(), "the live process's owner must not get the old exit");
            assertTrue(Posix.kill(b, Signals.SIGKILL));
            assertEquals(ExitStatus.killed(Signals.SIGKILL, false), f.get(30, TimeUnit.SECONDS));
            return;
        }
        throw new AssertionError("could not get a pid reused in 50 attempts");
    }

    @Test
    void unregisteredExitIsReapedAndGoesToUnownedAfterTheHold() throws Exception {
        long reapedBefore = reaper.reaped(), unownedBefore = reaper.reapedUnowned();
        int pid = spawn("/bin/sh", "-c", "exit 9");
        long deadline = System.nanoTime() + HOLD.toNanos() + TimeUnit.SECONDS.toNanos(30);
        while (!unowned.containsKey(pid) && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(ExitStatus.exited(9), unowned.get(pid), "unowned exits: " + unowned);
        assertEquals(List.of(), children(), "the child is reaped although nobody registered it or woke the reaper");
        assertTrue(reaper.reaped() - reapedBefore >= 1, "counted as reaped (metrics)");
        assertTrue(reaper.reapedUnowned() - unownedBefore >= 1, "counted as unowned (metrics)");
    }

    @Test
    void manyChildrenEachDeliveredOnceAndNoZombieLeft() throws Exception {
        Map<Integer, CompletableFuture<ExitStatus>> futures = new ConcurrentHashMap<>();
        Map<Integer, Integer> calls = new ConcurrentHashMap<>();
        for (int i = 0; i < 300; i++) {
            int code = i % 256;
            int pid = spawn("/bin/sh", "-c", "exit " + code);
            CompletableFuture<ExitStatus> f = new CompletableFuture<>();
            futures.put(pid, f);
            reaper.register(pid, s -> {
                calls.merge(pid, 1, Integer::sum);
                f.complete(s);
            });
        }
        for (var e : futures.entrySet()) assertTrue(e.getValue().get(30, TimeUnit.SECONDS).code() >= 0);
        assertTrue(reaper.awaitNoChildren(Duration.ofSeconds(30)));
        assertEquals(List.of(), children(), "zombie or live children left");
        assertTrue(calls.values().stream().allMatch(n -> n == 1), "an exit was delivered twice");
    }

    @Test
    void parksInsteadOfSpinningWhenThereAreNoChildren() throws Exception {
        assertTrue(reaper.awaitNoChildren(Duration.ofSeconds(30)));
        Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals("jinit-reaper"))
                .findFirst().orElseThrow();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = mx.getThreadCpuTime(t.threadId());
        // A measuring window, not a wait for a condition: a spinning reaper would burn most of it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline) Thread.sleep(50);
        long used = mx.getThreadCpuTime(t.threadId()) - before;
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(50), "reaper used " + used / 1000 + " µs of CPU while idle");
        assertTrue(t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING, t.getState().toString());
        // and it still wakes up for the next child
        assertEquals(ExitStatus.exited(1), exitOf(spawn("/bin/false")));
    }

    @Test
    void aSecondOwnerForAPidIsRefused() throws Exception {
        int pid = spawn("/bin/sleep", "100");
        CompletableFuture<ExitStatus> first = new CompletableFuture<>();
        reaper.register(pid, first::complete);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> reaper.register(pid, s -> { }));
        assertTrue(refused.getMessage().contains("pid " + pid + " already has an owner"), refused.getMessage());
        assertTrue(Posix.kill(pid, Signals.SIGKILL));
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), first.get(30, TimeUnit.SECONDS), "the first owner keeps the exit");
    }

    /**
     * While a spawner holds the reaper, a child that exited stays a zombie (its pid cannot be given
     * to anybody else, so a pidfd opened now names it); the exit comes once the hold is released.
     */
    @Test
    void aHeldReaperLeavesTheZombieUntilRelease() throws Exception {
        CompletableFuture<ExitStatus> f = new CompletableFuture<>();
        int pid;
        try (Reaper.Hold hold = reaper.hold()) {
            Spawned s = new Spawner().spawn(ProcessSpec.builder("/bin/sh", "-c", "exit 5").build(), reaper, f::complete);
            pid = s.pid();
            try (var pidfd = s.pidfd()) {
                Path stat = Path.of("/proc", Integer.toString(pid), "stat");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(stat).contains(") Z ")) {
                    assertTrue(System.nanoTime() < deadline, "child never became a zombie");
                    Thread.sleep(5);
                }
                assertTrue(!f.isDone(), "nothing is reaped while held");
            }
        }
        assertEquals(ExitStatus.exited(5), f.get(30, TimeUnit.SECONDS));
    }

    @Test
    void onlyOneReaperPerProcess() {
        assertThrows(IllegalStateException.class, Reaper::start);
    }
}
