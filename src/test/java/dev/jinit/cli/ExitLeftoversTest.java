package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KillMode=process spares a unit's other processes when the unit stops (sshd's sessions, cron's
 * jobs); when jinit itself exits they must not outlive it, with cgroups and without.
 */
class ExitLeftoversTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void processesSparedByKillModeProcessEndWithJinit(boolean cgroup) throws Exception {
        JinitRun layout = JinitRun.layout("leftovers");
        Path childPid = layout.root.resolve("child.pid");
        Path stubbornPid = layout.root.resolve("stubborn.pid");
        Path stubbornScript = layout.root.resolve("stubborn.sh");
        Files.writeString(stubbornScript, """
                #!/bin/sh
                trap '' TERM
                echo $$ > %s
                while :; do sleep 0.2; done
                """.formatted(stubbornPid));
        Files.setPosixFilePermissions(stubbornScript, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        layout.unit("spare.service", """
                [Service]
                ExecStart=/bin/sh -c 'sleep 1000 & echo $! > %s; %s & exec sleep 1000'
                KillMode=process
                [Install]
                WantedBy=multi-user.target
                """.formatted(childPid, stubbornScript));
        try (JinitRun j = cgroup ? layout.start() : layout.start("--no-cgroup")) {
            j.awaitStatus("spare", "active (running)");
            j.await("the children's pid files", () -> pidIn(childPid) > 0 && pidIn(stubbornPid) > 0);
            int child = pidIn(childPid), stubborn = pidIn(stubbornPid);
            JinitRun.Client stop = j.client("stop", "spare");
            assertEquals(0, stop.code(), stop.toString());
            assertTrue(JinitRun.alive(child) && JinitRun.alive(stubborn), "KillMode=process spares the other processes");

            assertEquals(0, j.terminate(), j.output());
            assertFalse(JinitRun.alive(child), "a leftover ends with jinit (SIGTERM)");
            assertFalse(JinitRun.alive(stubborn), "a leftover ignoring SIGTERM is SIGKILLed");
            assertTrue(j.output().contains("left by the units, sending SIGTERM"), j.output());
            assertTrue(j.output().lines().anyMatch(l -> l.contains("sending SIGKILL") && l.matches(".*\\b" + stubborn + "\\b.*")),
                    j.output());
        }
    }

    private static int pidIn(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.isEmpty() ? 0 : Integer.parseInt(s);
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
    }
}
