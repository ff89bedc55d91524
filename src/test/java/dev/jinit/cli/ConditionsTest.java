package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Condition…=/Assert…= under a real {@code jinit run}: checked when each start job runs. An unmet
 * condition skips the unit (inactive, not failed; {@code jinit start} succeeds; what needs it still
 * starts), as Debian's {@code ConditionPathExists=!/etc/ssh/sshd_not_to_be_run} keeps sshd off; an
 * unmet assert fails the start.
 */
class ConditionsTest {
    @Test
    void unmetConditionsSkipAndUnmetAssertsFail() throws Exception {
        JinitRun layout = JinitRun.layout("conditions");
        Path notToBeRun = Files.writeString(layout.root.resolve("not_to_be_run"), "");
        Path needed = layout.root.resolve("needed");
        layout.unit("guarded.service", """
                [Unit]
                Description=Guarded
                ConditionPathExists=!%s
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """.formatted(notToBeRun));
        layout.unit("after-guarded.service", """
                [Unit]
                Requires=guarded.service
                After=guarded.service
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("asserted.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                [Unit]
                AssertFileNotEmpty=%s
                """.formatted(needed));
        try (JinitRun j = layout.start()) {
            // Skipped at startup, and what requires it starts all the same.
            j.awaitStatus("after-guarded", "active (running)");
            JinitRun.Client guarded = j.awaitStatus("guarded", "being skipped");
            assertTrue(guarded.out().contains("inactive (dead)"), guarded.toString());
            assertTrue(guarded.out().contains("ConditionPathExists=!" + notToBeRun), guarded.toString());
            JinitRun.Client start = j.client("start", "guarded");
            assertEquals(0, start.code(), "a skip is no failure: " + start);
            assertTrue(j.client("status", "guarded").out().contains("inactive (dead)"));

            // Checked again at each start: once the file is gone, the unit starts.
            Files.delete(notToBeRun);
            start = j.client("start", "guarded");
            assertEquals(0, start.code(), start.toString());
            j.awaitStatus("guarded", "active (running)");

            JinitRun.Client asserted = j.client("start", "asserted");
            assertNotEquals(0, asserted.code(), asserted.toString());
            assertTrue(asserted.err().contains("AssertFileNotEmpty=" + needed), asserted.toString());
            Files.writeString(needed, "yes");
            asserted = j.client("start", "asserted");
            assertEquals(0, asserted.code(), asserted.toString());
            j.awaitStatus("asserted", "active (running)");
            assertEquals(0, j.terminate(), j.output());
        }
    }
}
