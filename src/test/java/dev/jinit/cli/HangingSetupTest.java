package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A unit whose setup hangs (its StandardOutput= a FIFO that nobody reads: an open for writing would
 * block until a reader comes) fails with a clear reason at its start timeout, and never holds up
 * the manager: other units start, stop and start again meanwhile. Conditions with deadlines only;
 * nothing is timed.
 */
class HangingSetupTest {
    @Test
    void aFifoNobodyReadsFailsItsUnitAndNoOtherUnitWaits() throws Exception {
        JinitRun layout = JinitRun.layout("fifo");
        Path fifo = layout.root.resolve("out.fifo");
        Fs.mkfifo(fifo.toString(), 0600);
        layout.unit("stuck.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                StandardOutput=file:%s
                TimeoutStartSec=15
                [Install]
                WantedBy=multi-user.target
                """.formatted(fifo));
        layout.unit("other.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            j.awaitStatus("other.service", "active (running)");
            // stuck is still being started (15 s leave even a loaded machine time for other to come up):
            // its spawn waits for a reader, on the spawn executor.
            JinitRun.Client stuck = j.client("status", "stuck.service");
            assertTrue(stuck.out().contains("activating (start)"), stuck.toString());

            JinitRun.Client stop = j.client("stop", "other.service");
            assertEquals(0, stop.code(), stop.toString());
            j.awaitStatus("other.service", "inactive (dead)");
            JinitRun.Client start = j.client("start", "other.service");
            assertEquals(0, start.code(), start.toString());
            j.awaitStatus("other.service", "active (running)");

            JinitRun.Client failed = j.awaitStatus("stuck.service", "failed (Result: timeout)");
            j.await("the FIFO named in stuck's log", () -> {
                String logs = j.client("logs", "stuck.service").out();
                return logs.contains("Timed out while ExecStart=/bin/sleep 1000 was being started")
                        && logs.contains(fifo + " is a FIFO that nobody opened for reading within 20000 ms");
            });
            assertEquals(3, failed.code(), failed.toString());
            assertEquals(0, j.terminate(), j.output());
        }
    }
}
