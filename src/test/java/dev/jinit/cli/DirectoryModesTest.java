package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * RuntimeDirectoryMode= and friends keep the setgid and sticky bits (redis-server.service asks for
 * 2755 on /run/redis, so that files made there inherit the group), and the mode survives the chown
 * to User=/Group=.
 */
class DirectoryModesTest {
    @Test
    void specialBitsOfDirectoryModesAreKept() throws Exception {
        JinitRun layout = JinitRun.layout("modes");
        layout.unit("dirs.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                User=nobody
                Group=nogroup
                RuntimeDirectory=dirs
                RuntimeDirectoryMode=2755
                StateDirectory=shared
                StateDirectoryMode=1777
                LogsDirectory=dirs
                LogsDirectoryMode=0750
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            j.awaitStatus("dirs", "active (running)");
            assertMode(02755, "nobody", layout.runtimeBase.resolve("dirs"));
            assertMode(01777, "nobody", layout.stateBase.resolve("shared"));
            assertMode(0750, "nobody", layout.logsBase.resolve("dirs"));
            assertEquals(0, j.terminate(), j.output());
        }
    }

    private static void assertMode(int mode, String owner, Path dir) throws Exception {
        int actual = (Integer) Files.getAttribute(dir, "unix:mode") & 07777;
        assertEquals(Integer.toOctalString(mode), Integer.toOctalString(actual), dir.toString());
        assertEquals(owner, Files.getOwner(dir).getName(), dir.toString());
    }
}
