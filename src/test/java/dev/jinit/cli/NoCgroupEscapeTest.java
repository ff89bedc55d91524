package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: with {@code --no-cgroup}, a process that leaves its unit's process group (setsid) and
 * loses its parent (a double fork) is reparented to jinit, the subreaper. It is still its unit's:
 * {@code jinit stop} ends it, and only it, not another unit's escapee.
 */
class NoCgroupEscapeTest {
    /** A unit whose shell starts an escapee (setsid, then a background sleep whose parent exits) and stays. */
    private static String escaping(String marker) {
        return """
                [Service]
                ExecStart=/bin/sh -c 'setsid /bin/sh -c "/bin/sleep %s </dev/null >/dev/null 2>&1 &"; exec /bin/sleep 100000'
                [Install]
                WantedBy=multi-user.target
                """.formatted(marker);
    }

    @Test
    @Timeout(180)
    void stopEndsTheEscapeeOfItsUnitOnly() throws Exception {
        JinitRun layout = JinitRun.layout("escape");
        String base = "9" + (System.nanoTime() % 100000);
        String mine = base + "1", other = base + "2";
        layout.unit("esc.service", escaping(mine));
        layout.unit("other.service", escaping(other));
        try (JinitRun j = layout.start("--no-cgroup")) {
            j.awaitStatus("esc", "active (running)");
            j.awaitStatus("other", "active (running)");
            int[] escapee = new int[1], otherEscapee = new int[1];
            j.await("both escapees reparented to jinit", () -> {
                escapee[0] = reparented(mine, j.pid());
                otherEscapee[0] = reparented(other, j.pid());
                return escapee[0] > 0 && otherEscapee[0] > 0;
            });
            try {
                int mainPid = RunIntegrationTest.mainPid(j.client("status", "esc"));
                assertNotEquals(pgid(mainPid), pgid(escapee[0]), "the escapee left the unit's process group");

                JinitRun.Client stop = j.client("stop", "esc");
                assertEquals(0, stop.code(), stop + j.output());
                j.await("esc's escapee " + escapee[0] + " ended by the stop", () -> !JinitRun.alive(escapee[0]));
                assertTrue(JinitRun.alive(otherEscapee[0]), "other.service's escapee is not esc's: it runs on");
                assertEquals(List.of(otherEscapee[0]), HostileInputTest.sleepers(other));
                assertTrue(j.client("status", "other").out().contains("active (running)"));

                JinitRun.Client stopOther = j.client("stop", "other");
                assertEquals(0, stopOther.code(), stopOther + j.output());
                j.await("other's escapee ended by its stop", () -> !JinitRun.alive(otherEscapee[0]));
                assertEquals(0, j.terminate(), j.output());
            } finally {
                for (int pid : new int[] {escapee[0], otherEscapee[0]})
                    if (JinitRun.alive(pid)) Posix.kill(pid, Signals.SIGKILL);
            }
        }
    }

    /** The live sleep with {@code marker} whose parent is {@code jinit}, or 0. */
    private static int reparented(String marker, int jinit) {
        try {
            for (int pid : HostileInputTest.sleepers(marker))
                if (ppid(pid) == jinit) return pid;
        } catch (java.io.IOException e) {
            // /proc changed under the listing: look again
        }
        return 0;
    }

    private static int ppid(int pid) {
        return statField(pid, 1);
    }

    private static int pgid(int pid) {
        return statField(pid, 2);
    }

    /** Field {@code n} after the command name in /proc/PID/stat (0 = state, 1 = ppid, 2 = pgrp); -1 when gone. */
    private static int statField(int pid, int n) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[n]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
