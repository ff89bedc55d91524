package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fs;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: files and clients that try to stall a real {@code jinit run}. Each test reproduces a
 * defect that was seen (a FIFO among the unit files froze loading for good, a flood of idle control
 * connections used up jinit's descriptors and memory).
 */
class HostileInputTest {

    @Test
    void fifoUnitFileAndFifoDropInAreLoadErrorsAndTheOthersStart() throws Exception {
        JinitRun layout = JinitRun.layout("fifo");
        layout.unit("steady.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("ticker.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        Files.createDirectories(layout.units.resolve("ticker.service.d"));
        Fs.mkfifo(layout.units.resolve("ticker.service.d/x.conf").toString(), 0644);
        Fs.mkfifo(layout.units.resolve("piped.service").toString(), 0644);
        try (JinitRun j = layout.start()) {
            j.awaitStatus("steady", "active (running)");
            JinitRun.Client ticker = j.client("status", "ticker");
            assertTrue(ticker.out().contains("error"), ticker.toString());
            assertTrue(ticker.out().contains("x.conf is a FIFO, not a regular file"), ticker.toString());
            JinitRun.Client piped = j.client("status", "piped");
            assertTrue(piped.out().contains("piped.service is a FIFO, not a regular file"), piped.toString());
            assertTrue(j.output().contains("piped.service is a FIFO"), "the load error is in jinit's own log\n" + j.output());
            // daemon-reload reads the same directory again: it must return, not hang on the FIFO
            JinitRun.Client reload = j.client("daemon-reload");
            assertEquals(0, reload.code(), reload.toString());
            assertEquals(0, j.terminate(), j.output());
        }
    }

    /**
     * While the unit files are read, no answer may claim "0 units" (or any partial list) with success:
     * every answer is either "still loading" with exit 1, or the whole list. 2,000 units take a moment
     * to load, and status is asked from the moment the control socket exists.
     */
    @Test
    void statusNeverAnswersAPartialListWhileLoading() throws Exception {
        JinitRun layout = JinitRun.layout("notready");
        int count = 2000;
        for (int i = 0; i < count; i++)
            layout.unit("u" + i + ".service", "[Unit]\nDescription=unit " + i + "\n[Service]\nExecStart=/bin/sleep 1000\n");
        try (JinitRun j = layout.startNoWait()) {
            j.await("the control socket", () -> Files.exists(j.state.resolve("control.sock")));
            int[] loadingAnswers = {0};
            j.await("status listing every unit", () -> {
                JinitRun.Client s = j.client("status");
                if (s.code() == 0) {
                    long rows = s.out().lines().filter(l -> l.contains(".service")).count();
                    assertEquals(count, rows, "a successful status lists every unit\n" + s);
                    return true;
                }
                if (s.err().contains("ECONNREFUSED")) return false; // bound, not listening yet: no answer at all
                assertEquals(1, s.code(), s.toString());
                assertTrue(s.err().contains("still loading the unit files"), s.toString());
                loadingAnswers[0]++;
                return false;
            });
            System.out.println("status answered 'still loading' " + loadingAnswers[0] + " times before the list");
            assertEquals(0, j.terminate(), j.output());
        }
    }

    /**
     * 2,000 connections that never send anything: jinit holds at most its limit of them, tells the
     * others why it closes them, answers {@code status} all along, and closes the held ones when their
     * idle timeout passes; its descriptors return to where they were.
     */
    @Test
    @Timeout(300)
    void idleConnectionFloodIsBoundedAndStatusStillAnswers() throws Exception {
        JinitRun layout = JinitRun.layout("flood");
        layout.unit("steady.service", "[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n");
        int limit = 50;
        try (JinitRun j = layout.start("--control-max-clients", Integer.toString(limit), "--control-idle-timeout", "3")) {
            j.awaitStatus("steady", "active (running)");
            int fdsBefore = openFds(j.pid());
            List<SocketChannel> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 2000; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(j.state.resolve("control.sock")));
                    flood.add(ch);
                    if (i % 500 == 499) {
                        JinitRun.Client s = j.client("status");
                        assertEquals(0, s.code(), "status answers during the flood\n" + s);
                        assertTrue(s.out().contains("steady.service"), s.toString());
                        int fds = openFds(j.pid());
                        assertTrue(fds <= fdsBefore + limit + 10, "jinit holds at most its limit of clients: " + fds
                                + " fds open, " + fdsBefore + " before");
                    }
                }
                // Every flood connection ends: refused with a reason, or closed after its idle timeout.
                int told = 0;
                for (SocketChannel ch : flood) {
                    String got = readToEnd(ch);
                    if (got.contains("too many connections")) told++;
                    else assertEquals("", got, "an idle client is closed without an answer");
                }
                assertTrue(told >= 2000 - limit, told + " of 2000 were told 'too many connections'");
            } finally {
                for (SocketChannel ch : flood) ch.close();
            }
            // Back to where they were: 2,000 clients leaked would show as hundreds; a few descriptors that
            // jinit opens lazily along the way (a log file, a class's jar) are not clients.
            j.await("jinit's descriptors back to their number before the flood (" + fdsBefore + ")",
                    () -> openFds(j.pid()) <= fdsBefore + 10);
            assertEquals(0, j.client("status").code());
            assertTrue(j.output().contains("refused"), "the flood is reported in jinit's log\n" + j.output());
            assertEquals(0, j.terminate(), j.output());
        }
    }

    static int openFds(int pid) {
        try (var s = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String readToEnd(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (ch.read(in) >= 0) {
            if (!in.hasRemaining()) break;
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
    }

    /**
     * As systemd: jinit's own soft descriptor limit is its hard limit, its services start with 1024
     * (and jinit's hard limit) unless their unit sets LimitNOFILE=.
     */
    @Test
    void jinitRaisesItsOwnFdLimitAndServicesGetTheDefault() throws Exception {
        JinitRun layout = JinitRun.layout("nofile");
        layout.unit("plain.service", "[Service]\nExecStart=/bin/sh -c 'echo limits $(ulimit -Sn) $(ulimit -Hn); exec sleep 1000'\n"
                + "[Install]\nWantedBy=multi-user.target\n");
        layout.unit("wide.service", "[Service]\nLimitNOFILE=4096\nExecStart=/bin/sh -c 'echo limits $(ulimit -Sn) $(ulimit -Hn); exec sleep 1000'\n"
                + "[Install]\nWantedBy=multi-user.target\n");
        try (JinitRun j = layout.start()) {
            String[] own = ownLimits(j.pid());
            assertEquals(own[1], own[0], "jinit's soft limit is its hard limit: " + String.join(" ", own));
            j.await("plain's limits", () -> j.client("logs", "plain").out().contains("limits 1024 " + own[1]));
            j.await("wide's limits", () -> j.client("logs", "wide").out().contains("limits 4096 4096"));
            assertEquals(0, j.terminate(), j.output());
        }
    }

    /** {soft, hard} of "Max open files" in /proc/PID/limits. */
    static String[] ownLimits(int pid) throws IOException {
        String line = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        String[] w = line.substring("Max open files".length()).trim().split("\\s+");
        return new String[] {w[0], w[1]};
    }

    /**
     * jinit at its descriptor limit (prlimit on its pid, as the issue reproduced it): a crashed unit's
     * restart fails for want of descriptors, the unit ends in a defined state with the reason, and
     * SIGTERM still stops everything and ends jinit.
     */
    @Test
    @Timeout(240)
    void aRestartAtTheFdLimitFailsCleanlyAndSigtermStillEndsJinit() throws Exception {
        JinitRun layout = JinitRun.layout("emfile");
        layout.unit("crashy.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                Restart=always
                RestartSec=3s
                StartLimitIntervalSec=120
                StartLimitBurst=3
                TimeoutStopSec=3
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("steady.service", """
                [Service]
                ExecStart=/bin/sh -c 'trap "" TERM; exec sleep 1000'
                TimeoutStopSec=3
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            int crashy = RunIntegrationTest.mainPid(j.awaitStatus("crashy", "active (running)"));
            int steady = RunIntegrationTest.mainPid(j.awaitStatus("steady", "active (running)"));
            Posix.kill(crashy, Signals.SIGKILL);
            // The limit is set while crashy waits to restart (RestartSec=3s), after its exit freed its
            // pidfd and pipes: set before, the restart could take exactly those and succeed.
            j.awaitStatus("crashy", "auto-restart");
            int open = openFds(j.pid());
            // No new descriptor for jinit from now on (a few are closed and reopened as it runs: keep it tight).
            run("prlimit", "--pid", Integer.toString(j.pid()), "--nofile=" + open + ":" + open);
            j.await("crashy to end in a defined state", () -> j.output().contains("crashy.service: Failed"));
            // jinit still answers at its limit (from its reserve of descriptors)
            JinitRun.Client s = j.client("status", "crashy");
            assertEquals(3, s.code(), s.toString());
            assertTrue(s.out().contains("failed"), s.toString());
            // Again at the limit, with what crashy's end freed taken too: the stop of steady must
            // still list and signal its processes (from the scopes' reserve of descriptors).
            open = openFds(j.pid());
            run("prlimit", "--pid", Integer.toString(j.pid()), "--nofile=" + open + ":" + open);
            long t0 = System.nanoTime();
            assertEquals(0, j.terminate(), j.output());
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertFalse(JinitRun.alive(steady), "steady was stopped (SIGKILL after its 3 s stop timeout)");
            assertTrue(seconds < 30, "jinit exited " + seconds + " s after SIGTERM\n" + j.output());
            String log = Files.readString(j.state.resolve("logs/crashy.service.log"));
            assertTrue(log.contains("Too many open files") || log.contains("EMFILE"), "the reason is in crashy's log:\n" + log);
        }
    }

    static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
    }

    /**
     * SIGKILL of jinit with 5 units running, then a new jinit on the same state: it takes the units over
     * (issue 12's preferred path): the same processes, none started twice, shown active with their main
     * PIDs; a unit's output pipe gets a reader again (reopened through /proc) so what it writes after the
     * takeover reaches its log; the dead jinit's cgroups are gone once everything stopped.
     */
    @Test
    @Timeout(240)
    void aRestartAfterACrashTakesEveryUnitOverOnceAndLeavesNoStaleCgroups() throws Exception {
        JinitRun layout = JinitRun.layout("crash");
        String marker = "7" + (System.nanoTime() % 100000); // sleep's argument: finds these processes in /proc
        for (int i = 0; i < 5; i++)
            layout.unit("u" + i + ".service", "[Service]\nExecStart=/bin/sleep " + marker + i + "\n[Install]\nWantedBy=multi-user.target\n");
        // Writes only when asked (SIGUSR1), so it writes nothing while no jinit reads its pipe.
        layout.unit("pinger.service", """
                [Service]
                ExecStart=/bin/sh -c 'trap "echo ping" USR1; echo ready; while :; do sleep 0.1; done'
                [Install]
                WantedBy=multi-user.target
                """);
        List<Integer> first = new ArrayList<>();
        Path oldCgroup;
        JinitRun crashed = layout.start();
        try {
            for (int i = 0; i < 5; i++) first.add(RunIntegrationTest.mainPid(crashed.awaitStatus("u" + i, "active (running)")));
            int pinger = RunIntegrationTest.mainPid(crashed.awaitStatus("pinger", "active (running)"));
            Path pingerLog = crashed.state.resolve("logs").resolve("pinger.service.log");
            crashed.await("pinger's first line", () -> read(pingerLog).contains("stdout ready"));
            oldCgroup = Path.of("/sys/fs/cgroup/unified/jinit", Integer.toString(crashed.pid()));
            crashed.kill9();
            assertEquals(5, sleepers(marker).size(), "the units outlive a SIGKILLed jinit");
            try (JinitRun j = layout.start()) {
                List<Integer> second = new ArrayList<>();
                for (int i = 0; i < 5; i++) second.add(RunIntegrationTest.mainPid(j.awaitStatus("u" + i, "active (running)")));
                assertEquals(first, second, "the same processes, taken over\n" + j.output());
                assertEquals(first.stream().sorted().toList(), sleepers(marker).stream().sorted().toList(),
                        "exactly the 5 old processes run, none twice");
                assertEquals(pinger, RunIntegrationTest.mainPid(j.awaitStatus("pinger", "active (running)")));
                assertTrue(j.output().contains("took over 6 unit(s)"), j.output());
                Posix.kill(pinger, Signals.SIGUSR1);
                j.await("pinger's output after the takeover in its log", () -> read(pingerLog).contains("stdout ping"));
                assertEquals(0, j.terminate(), j.output());
            }
        } finally {
            crashed.close();
        }
        assertEquals(List.of(), sleepers(marker), "nothing is left after the clean stop");
        if (Files.isDirectory(oldCgroup.getParent()))
            assertFalse(Files.exists(oldCgroup), "the dead jinit's cgroup " + oldCgroup + " was removed");
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live processes whose command line holds {@code marker} (sleep's argument). */
    static List<Integer> sleepers(String marker) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    int pid = Integer.parseInt(p.getFileName().toString());
                    if (cmd.startsWith("/bin/sleep " + marker) && JinitRun.alive(pid)) pids.add(pid);
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return pids;
    }
}
