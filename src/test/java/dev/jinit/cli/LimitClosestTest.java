package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.Rlimit;
import dev.jinit.linux.Capabilities;
import dev.jinit.linux.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * systemd's setrlimit_closest under {@code jinit run}: LimitNOFILE= above jinit's hard limit runs
 * the unit with the closest limit allowed and says so in the unit's log when jinit lacks
 * CAP_SYS_RESOURCE (a container's root), and with the limit asked for when it has it.
 */
class LimitClosestTest {
    @Test
    void aLimitAboveJinitsHardLimitRunsTheUnitWithTheClosestOne() throws Exception {
        long hard = Resources.getLimit(0, Rlimit.NOFILE.resource).hard();
        long asked = hard + 1000;
        boolean canRaise = Capabilities.current().has(Capabilities.CAP_SYS_RESOURCE);
        JinitRun layout = JinitRun.layout("limit");
        layout.unit("many-files.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                LimitNOFILE=%d
                [Install]
                WantedBy=multi-user.target
                """.formatted(asked));
        try (JinitRun j = layout.start()) {
            JinitRun.Client status = j.awaitStatus("many-files.service", "active (running)");
            Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(status.out());
            assertTrue(m.find(), status.toString());
            String limits = Files.readString(Path.of("/proc", m.group(1), "limits"));
            long expected = canRaise ? asked : hard;
            assertTrue(limits.matches("(?s).*\\nMax open files +" + expected + " +" + expected + " .*"), limits);
            String warning = "LimitNOFILE=" + asked + " is above jinit's hard limit (" + hard
                    + ") and jinit lacks CAP_SYS_RESOURCE: set to " + hard + " instead";
            String logs = j.client("logs", "many-files.service").out();
            if (canRaise) assertFalse(logs.contains(warning), logs);
            else j.await("the warning in the unit's log", () -> j.client("logs", "many-files.service").out().contains(warning));
            assertEquals(0, j.terminate(), j.output());
        }
    }
}
