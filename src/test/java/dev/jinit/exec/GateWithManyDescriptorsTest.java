package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A gated spawn from a jinit that holds more descriptors than the child's LimitNOFILE allows. The
 * gate applies the limit as soon as the child is cloned, before glibc has run its file actions;
 * every descriptor those actions create must be below the child's limit. Found with 1000 units:
 * after ~320 spawns jinit's pipes passed 1024 and every later spawn failed with EBADF.
 */
class GateWithManyDescriptorsTest {
    private static final int RLIMIT_NOFILE = 7;

    @Test
    void aGatedSpawnWorksWhenJinitsOwnDescriptorsAreAboveTheChildsLimit() {
        Resources.Limits own = Resources.getLimit(0, RLIMIT_NOFILE);
        assertTrue(own.hard() > 2048, "this test needs a hard RLIMIT_NOFILE above 2048, not " + own.hard());
        Resources.setLimit(0, RLIMIT_NOFILE, new Resources.Limits(own.hard(), own.hard()));
        List<Fd> filler = new ArrayList<>();
        try {
            // Fill the low numbers, so the spawn's pipes (opened next) land above 1024.
            while (filler.size() < 1500) filler.add(Posix.open("/dev/null", Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
            assertTrue(filler.getLast().get() > 1100, "filler reached only " + filler.getLast().get());
            Probe.Result r = Probe.run(Probe.sh("echo out; echo err >&2; ulimit -n")
                    .rlimit(Rlimit.NOFILE, new Rlimit.Limit(1024, own.hard())));
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("out\n1024\n", r.out());
            assertEquals("err\n", r.err());
        } finally {
            filler.forEach(Fd::close);
            Resources.setLimit(0, RLIMIT_NOFILE, own);
        }
    }
}
