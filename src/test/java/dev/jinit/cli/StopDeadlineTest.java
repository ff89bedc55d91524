package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every orderly stop of {@code jinit run} ends: a unit that ignores SIGTERM and has a huge
 * TimeoutStopSec= is killed at the overall deadline ({@code --stop-timeout}), and a second SIGTERM
 * kills it at once. Against the real jinit, with a real stubborn process.
 */
class StopDeadlineTest {
    /** A unit whose main process ignores SIGTERM and writes its pid to {@link #pidFile}. */
    private static JinitRun stubbornLayout(String name) throws Exception {
        JinitRun layout = JinitRun.layout(name);
        Path pidFile = pidFile(layout);
        Path script = RunIntegrationTest.script(layout, "stubborn.sh", """
                #!/bin/sh
                trap '' TERM
                echo $$ > %s
                while :; do sleep 0.2; done
                """.formatted(pidFile));
        layout.unit("stubborn.service", """
                [Service]
                ExecStart=%s
                TimeoutStopSec=1h
                [Install]
                WantedBy=multi-user.target
                """.formatted(script));
        return layout;
    }

    private static Path pidFile(JinitRun layout) {
        return layout.root.resolve("stubborn.pid");
    }

    private static int awaitPid(JinitRun j, Path pidFile) throws Exception {
        j.await("the stubborn pid file", () -> !RunIntegrationTest.readOrEmpty(pidFile).isBlank());
        return Integer.parseInt(RunIntegrationTest.readOrEmpty(pidFile).trim());
    }

    @Test
    void theOverallStopDeadlineKillsAUnitThatIgnoresSigterm() throws Exception {
        JinitRun l = stubbornLayout("deadline");
        Path pf = pidFile(l);
        try (JinitRun j = l.start("--stop-timeout", "2s")) {
            j.awaitStatus("stubborn", "active (running)");
            int pid = awaitPid(j, pf);
            // One SIGTERM: the unit's own timeout (1 h) would never end it; the overall deadline does.
            assertEquals(0, j.terminate(), j.output());
            assertFalse(JinitRun.alive(pid), "the stubborn process was killed at the deadline\n" + j.output());
            assertTrue(j.output().contains("overall stop deadline of 2 s passed"), j.output());
        }
    }

    @Test
    void aSecondSigtermForcesTheStop() throws Exception {
        JinitRun l = stubbornLayout("force");
        Path pf = pidFile(l);
        try (JinitRun j = l.start()) {
            j.awaitStatus("stubborn", "active (running)");
            int pid = awaitPid(j, pf);
            Posix.kill(j.pid(), Signals.SIGTERM);
            j.await("the orderly stop to begin", () -> j.output().contains("jinit: stopping all units"));
            j.holds("the stubborn process ignoring the first SIGTERM", 500, () -> JinitRun.alive(pid));
            // The default deadline is 90 s; terminate() gives jinit 60 s after this second SIGTERM.
            assertEquals(0, j.terminate(), j.output());
            assertFalse(JinitRun.alive(pid), "the stubborn process was killed by the second SIGTERM\n" + j.output());
            assertTrue(j.output().contains("killing what is left"), j.output());
            assertTrue(j.output().contains("a forced stop was asked"), j.output());
        }
    }
}
