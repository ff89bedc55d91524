package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * AmbientCapabilities= (systemd.exec(5)) applied: a User=nobody service with CAP_NET_BIND_SERVICE binds port 80
 * and holds exactly that capability (effective, permitted and ambient), with every uid nobody's; the same service
 * without it is refused the port (EACCES). jinit runs in a network namespace of its own, so port 80 is free.
 */
class AmbientCapabilitiesTest {
    private static final String BIND_80 = "/usr/bin/python3 -c 'import os, socket, time; s = socket.socket(); "
            + "s.bind((\"127.0.0.1\", 80)); s.listen(1); n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
            + "n.connect(os.environ[\"NOTIFY_SOCKET\"]); n.send(b\"READY=1\"); time.sleep(1000)'";

    @Test
    void aNobodyServiceBindsPort80WithTheAmbientCapabilityAndOnlyThat() throws Exception {
        JinitRun layout = JinitRun.layout(Path.of("/run"), "ambient").inOwnNetworkNamespace();
        layout.unit("bind80.service", """
                [Service]
                Type=notify
                User=nobody
                AmbientCapabilities=CAP_NET_BIND_SERVICE
                ExecStart=%s
                [Install]
                WantedBy=multi-user.target
                """.formatted(BIND_80));
        layout.unit("no-ambient.service", """
                [Service]
                Type=notify
                User=nobody
                ExecStart=%s
                """.formatted(BIND_80));
        try (JinitRun j = layout.start()) {
            JinitRun.Client s = j.awaitStatus("bind80.service", "active (running)");
            Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(s.out());
            assertTrue(m.find(), s.toString());
            String status = Files.readString(Path.of("/proc/" + m.group(1) + "/status"));
            assertTrue(status.contains("Uid:\t65534\t65534\t65534\t65534\n"), status);
            for (String set : new String[] {"CapEff", "CapPrm", "CapAmb"})
                assertTrue(status.contains(set + ":\t0000000000000400\n"), set + " is CAP_NET_BIND_SERVICE only:\n" + status);
            assertTrue(status.contains("CapInh:\t0000000000000400\n"), status);

            JinitRun.Client without = j.client("start", "no-ambient.service");
            assertEquals(1, without.code(), without.toString());
            String logs = j.client("logs", "no-ambient.service").out();
            assertTrue(logs.contains("PermissionError") || logs.contains("Permission denied"), logs);
        }
    }
}
