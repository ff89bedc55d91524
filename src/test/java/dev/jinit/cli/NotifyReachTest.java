package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * A state directory made like {@code mktemp -d} (0700, under /tmp) must not leave units that drop root, or that
 * have PrivateTmp=, unable to send READY=1: the notify socket then lives under /run (as systemd's
 * /run/systemd/notify), reachable by every user and not hidden by a private /tmp.
 */
class NotifyReachTest {
    private static final String READY = "/usr/bin/python3 -c 'import os, socket, time; s = socket.socket(socket.AF_UNIX, "
            + "socket.SOCK_DGRAM); s.connect(os.environ[\"NOTIFY_SOCKET\"]); s.send(b\"STATUS=uid %%d\" %% os.getuid()); s.send(b\"READY=1\"); "
            + "time.sleep(1000)'";

    @Test
    void unitsWithUserOrPrivateTmpReachTheNotifySocketOfAPrivateStateDirectory() throws Exception {
        JinitRun layout = JinitRun.layout("notify-reach");
        Files.createDirectory(layout.state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        layout.unit("as-nobody.service", """
                [Service]
                Type=notify
                User=nobody
                ExecStart=%s
                TimeoutStartSec=60
                [Install]
                WantedBy=multi-user.target
                """.formatted(READY));
        layout.unit("private-tmp.service", """
                [Service]
                Type=notify
                PrivateTmp=yes
                ExecStart=%s
                TimeoutStartSec=60
                [Install]
                WantedBy=multi-user.target
                """.formatted(READY));
        try (JinitRun j = layout.start()) {
            JinitRun.Client nobody = j.awaitStatus("as-nobody.service", "active (running)");
            assertTrue(nobody.out().contains("uid 65534"), nobody.toString());
            j.awaitStatus("private-tmp.service", "active (running)");
            assertTrue(!Files.exists(layout.state.resolve("notify.sock")), "not in the 0700 state directory");
            try (var s = Files.list(Path.of("/run/jinit/notify"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith(".sock")), "under /run/jinit/notify");
            }
        }
    }
}
