package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: a stall of jinit itself (SIGSTOP for 10 s) is not blamed on a unit. What the unit did in
 * time (WATCHDOG=1 pings waiting in the notify socket, an exit waiting in the reaper) is taken in
 * before a watchdog or stop timeout is judged.
 *
 * <p>On resume, every thread of jinit wakes at once, and which of them runs first is the
 * scheduler's choice: the manager (whose timer is overdue) or the thread that would have passed the
 * unit's message or exit on. Left to chance, the test could pass without the fix. So the test makes
 * the scheduler choose against the unit: the manager and its rival thread share one CPU, and the
 * rival runs at SCHED_IDLE, so it gets the CPU only once the manager has judged (no privilege is
 * needed to lower a thread). Without the drain before timers, both tests fail every time.
 */
class StallFairnessTest {
    /**
     * A unit that pings its watchdog every second survives a 10 s SIGSTOP of jinit: its pings sat in
     * the notify socket, and jinit reads them before it judges the watchdog.
     */
    @Test
    @Timeout(240)
    void aWatchdogUnitSurvivesAStallOfJinit() throws Exception {
        JinitRun layout = JinitRun.layout("stall");
        Path py = RunIntegrationTest.script(layout, "pinger.py", """
                import os, socket, time
                addr = os.environ["NOTIFY_SOCKET"]
                if addr.startswith("@"):
                    addr = "\\0" + addr[1:]
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.connect(addr)
                s.send(b"READY=1")
                while True:
                    time.sleep(1)
                    s.send(b"WATCHDOG=1")
                """);
        layout.unit("pinger.service", """
                [Service]
                Type=notify
                ExecStart=%s %s
                WatchdogSec=3
                Restart=on-failure
                [Install]
                WantedBy=multi-user.target
                """.formatted(RunIntegrationTest.PYTHON, py));
        try (JinitRun j = layout.start()) {
            int pid = RunIntegrationTest.mainPid(j.awaitStatus("pinger", "active (running)"));
            List<String> rivals = favourManager(j, "jinit-notify");
            Posix.kill(j.pid(), Signals.SIGSTOP);
            Thread.sleep(10_000); // the stall itself is what is tested: jinit stopped for 10 s
            Posix.kill(j.pid(), Signals.SIGCONT);
            try {
                // Past another watchdog period after the resume, the unit is still the same process.
                j.holds("pinger stays active with its first process", 5_000, () -> {
                    JinitRun.Client s = j.client("status", "pinger");
                    return s.out().contains("active (running)") && RunIntegrationTest.mainPid(s) == pid;
                });
                assertFalse(j.output().contains("atchdog"), "no watchdog timeout was reported\n" + j.output());
            } finally {
                restore(rivals);
            }
            assertEquals(0, j.terminate(), j.output());
        }
    }

    /**
     * A unit asked to stop exits (cleanly, within its TimeoutStopSec=) while jinit is stopped, and jinit
     * resumes after the timeout's moment: the exit, waiting in the reaper, is taken before the stop
     * timeout is judged, so the unit stopped cleanly and is not killed and failed for a timeout.
     */
    @Test
    @Timeout(240)
    void anExitDuringAStallIsTakenBeforeTheStopTimeout() throws Exception {
        JinitRun layout = JinitRun.layout("stallstop");
        layout.unit("slowstop.service", """
                [Service]
                ExecStart=/bin/sh -c 'trap "sleep 1; exit 0" TERM; while :; do sleep 0.2; done'
                TimeoutStopSec=6
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            int pid = RunIntegrationTest.mainPid(j.awaitStatus("slowstop", "active (running)"));
            List<String> rivals = favourManager(j, "jinit-reaper");
            try {
                CompletableFuture<JinitRun.Client> stop = CompletableFuture.supplyAsync(() -> j.client("stop", "slowstop"));
                j.awaitStatus("slowstop", "deactivating");
                // SIGTERM went out before this moment, so the stop timeout is due before `due`.
                long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                Posix.kill(j.pid(), Signals.SIGSTOP);
                // The unit exits in time, as a zombie nobody reaps while jinit is stopped.
                j.await("slowstop's main process exited (a zombie of the stopped jinit)", () -> zombie(pid));
                long left = due - System.nanoTime();
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Math.max(0, left)) + 2_000); // the stall outlasts the timeout
                Posix.kill(j.pid(), Signals.SIGCONT);
                JinitRun.Client stopped = stop.get(60, TimeUnit.SECONDS);
                assertEquals(0, stopped.code(), stopped + j.output());
                JinitRun.Client status = j.client("status", "slowstop");
                assertTrue(status.out().contains("inactive (dead)"), status + j.output());
                assertFalse(j.output().contains("timed out"), "no stop timeout was judged\n" + j.output());
            } finally {
                Posix.kill(j.pid(), Signals.SIGCONT);
                restore(rivals);
            }
            assertEquals(0, j.terminate(), j.output());
        }
    }

    private static boolean zombie(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Puts jinit's manager thread and the threads named {@code rivals} on CPU 0, the rivals at
     * SCHED_IDLE: on a resume the manager runs first. Returns the thread ids of all of them.
     */
    static List<String> favourManager(JinitRun j, String... rivals) throws Exception {
        List<String> manager = threads(j, "jinit-manager");
        assertEquals(1, manager.size(), "one manager thread: " + manager);
        List<String> others = new ArrayList<>();
        for (String name : rivals) others.addAll(threads(j, name));
        assertEquals(rivals.length, others.size(), "one thread for each of " + List.of(rivals) + ": " + others);
        HostileInputTest.run("taskset", "-p", "-c", "0", manager.get(0));
        for (String tid : others) {
            HostileInputTest.run("taskset", "-p", "-c", "0", tid);
            HostileInputTest.run("chrt", "--idle", "-p", "0", tid);
        }
        others.add(manager.get(0));
        return others;
    }

    /** Back to SCHED_OTHER on every CPU, so that jinit's stop is not slowed down. */
    static void restore(List<String> tids) throws Exception {
        String all = "0-" + (Runtime.getRuntime().availableProcessors() - 1);
        for (String tid : tids) {
            if (!Files.exists(Path.of("/proc", tid))) continue;
            HostileInputTest.run("chrt", "--other", "-p", "0", tid);
            HostileInputTest.run("taskset", "-p", "-c", all, tid);
        }
    }

    /** The thread ids of jinit's threads called {@code name} (as /proc shows it: at most 15 characters). */
    static List<String> threads(JinitRun j, String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        List<String> out = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Integer.toString(j.pid()), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    if (Files.readString(t.resolve("comm")).strip().equals(comm)) out.add(t.getFileName().toString());
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        return out;
    }
}
