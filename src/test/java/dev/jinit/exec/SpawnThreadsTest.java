package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.ThreadIds;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Gated spawns on the Spawner's long-lived spawn threads (SpawnThreads). Runs as root. Each child
 * must get its own gated settings, found as its worker's newest child, across worker retirements
 * (more spawns than one worker serves) and with every earlier child of the worker still alive.
 */
class SpawnThreadsTest {
    @Test
    void manyGatedSpawnsEachGetTheirOwnLimitsAcrossWorkerRetirements() {
        Spawner spawner = new Spawner();
        int n = SpawnThreads.SPAWNS_PER_THREAD * 2 + 3;
        for (int i = 0; i < n; i++) {
            int limit = 200 + i;
            Probe.Result r = Probe.run(spawner, Probe.sh("ulimit -n").rlimit(Rlimit.NOFILE, new Rlimit.Limit(limit, limit)));
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(limit + "\n", r.out(), "spawn " + i);
        }
    }

    /**
     * A caller whose ids differ from the pool's is not served by it (the pool's workers run as root
     * and would succeed): its gated spawn is made as that thread, which may not even make the gate's
     * FIFO in root's gate directory, as before the pool existed.
     */
    @Test
    void aCallerThatGaveUpRootGetsAChildWithItsOwnIds() throws InterruptedException {
        Spawner spawner = new Spawner();
        Probe.run(spawner, Probe.sh("true").nice(1)); // the pool's workers exist, as root
        AtomicReference<Object> result = new AtomicReference<>();
        Thread unprivileged = Thread.ofPlatform().start(() -> {
            try {
                ThreadIds.setResGid(65534, 65534, 65534);
                ThreadIds.setResUid(65534, 65534, 65534);
                result.set(Probe.run(spawner, Probe.sh("true").nice(1)));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        unprivileged.join(30_000);
        SpawnException e = assertInstanceOf(SpawnException.class, result.get());
        assertTrue(e.getMessage().contains("EACCES"), e.getMessage());
    }
}
