package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: {@code jinit daemon-reexec} on a real {@code jinit run}: the same process executes itself
 * anew and takes its units over from their records: nothing is started again (same pids), their output
 * goes on into the same log files without a line lost (the pipes are handed over across execve), a unit
 * that ends afterwards is restarted per Restart= with its real exit status (it is still jinit's child),
 * and the control socket answers.
 */
class ReexecTest {
    @Test
    @Timeout(240)
    void daemonReexecKeepsEveryUnitRunningItsLogsFlowingAndRestartApplying() throws Exception {
        JinitRun layout = JinitRun.layout("reexec");
        String marker = "8" + (System.nanoTime() % 100000);
        layout.unit("talker.service", """
                [Service]
                ExecStart=/bin/sh -c 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'
                Restart=always
                RestartSec=1
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("quiet.service", "[Service]\nExecStart=/bin/sleep " + marker + "\n[Install]\nWantedBy=multi-user.target\n");
        try (JinitRun j = layout.start()) {
            int talker = RunIntegrationTest.mainPid(j.awaitStatus("talker", "active (running)"));
            int quiet = RunIntegrationTest.mainPid(j.awaitStatus("quiet", "active (running)"));
            Path log = j.state.resolve("logs").resolve("talker.service.log");
            j.await("talker's first ticks", () -> ticks(log).size() >= 3);

            JinitRun.Client reexec = j.client("daemon-reexec");
            assertEquals(0, reexec.code(), reexec + "\n" + j.output());
            int before = ticks(log).size();
            assertTrue(JinitRun.alive(j.pid()), "the same jinit process goes on");
            j.await("the new jinit's takeover", () -> j.output().contains("Took over talker.service"));
            assertTrue(j.output().contains("re-executing"), j.output());

            assertEquals(talker, RunIntegrationTest.mainPid(j.awaitStatus("talker", "active (running)")), "talker kept its pid");
            assertEquals(quiet, RunIntegrationTest.mainPid(j.awaitStatus("quiet", "active (running)")), "quiet kept its pid");
            assertEquals(List.of(quiet), HostileInputTest.sleepers(marker), "nothing was started twice");
            j.await("ticks after the re-exec in the same file", () -> ticks(log).size() >= before + 10);
            List<Integer> t = ticks(log);
            for (int i = 1; i < t.size(); i++)
                assertEquals(t.get(i - 1) + 1, t.get(i), "no line lost across the re-exec: " + t);

            // Still jinit's child: its exit status is known, and Restart=always applies.
            Posix.kill(talker, Signals.SIGKILL);
            JinitRun.Client after = j.awaitStatus("talker", "Restarts: 1");
            assertTrue(after.out().contains("signal=KILL"), after.toString());
            int again = RunIntegrationTest.mainPid(j.awaitStatus("talker", "active (running)"));
            assertTrue(again != talker, "a new talker process: " + again);
            assertEquals(0, j.client("status").code(), "the control socket answers");
            assertEquals(0, j.terminate(), j.output());
        }
        assertEquals(List.of(), HostileInputTest.sleepers(marker), "nothing is left after the clean stop");
    }

    @Test
    @Timeout(120)
    void daemonReexecIsRefusedWhileAUnitIsStartingAndNamesIt() throws Exception {
        JinitRun layout = JinitRun.layout("reexec-busy");
        layout.unit("slow.service", "[Service]\nType=notify\nExecStart=/bin/sleep 300\nTimeoutStartSec=120\n");
        try (JinitRun j = layout.start()) {
            // start waits for the job: on its own thread, while the unit stays activating
            Thread starter = Thread.ofVirtual().start(() -> j.client("start", "slow"));
            j.awaitStatus("slow", "activating (start)");
            JinitRun.Client r = j.client("daemon-reexec");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("slow.service") && r.err().contains("activating"), r.toString());
            assertTrue(!j.output().contains("re-executing"), j.output());
            assertEquals(0, j.terminate(), j.output());
            starter.join(60_000);
        }
    }

    /** The numbers of the "tick N" lines of the log file, in file order. */
    static List<Integer> ticks(Path log) {
        List<Integer> out = new ArrayList<>();
        try {
            if (!Files.exists(log)) return out;
            Matcher m = Pattern.compile(" stdout tick (\\d+)$", Pattern.MULTILINE).matcher(Files.readString(log));
            while (m.find()) out.add(Integer.parseInt(m.group(1)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
