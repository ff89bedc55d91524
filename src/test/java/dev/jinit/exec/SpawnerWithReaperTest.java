package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Spawner alongside the supervisor's waitid(P_ALL) Reaper: every path's child is reaped there
 * with its real exit status, and a gate failure neither hangs nor leaves a zombie when the Reaper
 * may take the killed child first.
 */
class SpawnerWithReaperTest {
    @Test
    void everyPathUnderTheReaper() throws Exception {
        try (Reaper reaper = Reaper.start()) {
            Spawner spawner = new Spawner();
            List<CompletableFuture<ExitStatus>> exits = new ArrayList<>();
            List<ProcessSpec.Builder> specs = List.of(
                    Probe.sh("exit 3"),
                    Probe.sh("exit 3").umask(022),
                    Probe.sh("exit 3").nice(1),
                    Probe.sh("exit 3").nice(1).credentials(SpawnerAttributesTest.AS_NOBODY).namespace(Namespace.PID));
            for (int round = 0; round < 5; round++) {
                for (ProcessSpec.Builder b : specs) {
                    CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
                    reaper.register(spawner.spawn(b.build()).pid(), exit::complete);
                    exits.add(exit);
                }
                SpawnException e = assertThrows(SpawnException.class, () -> spawner.spawn(
                        Probe.sh("exit 0").cgroup(Path.of("cgroup.procs/impossible")).build()));
                assertTrue(e.getMessage().startsWith("cannot apply cgroup"), e.getMessage());
            }
            for (CompletableFuture<ExitStatus> exit : exits) assertEquals(ExitStatus.exited(3), exit.get(30, TimeUnit.SECONDS));
            assertTrue(reaper.awaitNoChildren(java.time.Duration.ofSeconds(30)), "no child left behind");
        }
    }
}
