package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exec gate's FIFO across jinit restarts. Runs as root. */
class ExecGateTest {
    @TempDir
    Path tmp;

    @Test
    void aGateLeftByAnEarlierJinitWithTheSamePidIsReplaced() throws IOException {
        Path gates = Files.createDirectory(tmp.resolve("gates"));
        // A fresh Spawner's first gate is gate-<pid>-1: what a killed jinit with this pid (PID 1
        // of a container, always 1) left behind when /run outlives it.
        Files.createFile(gates.resolve("gate-" + ProcessHandle.current().pid() + "-1"));
        Probe.Result r = Probe.run(new Spawner(gates), Probe.sh("echo through").nice(1));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("through\n", r.out());
        try (Stream<Path> left = Files.list(gates)) {
            assertEquals(List.of(), left.toList(), "the gate is removed after the spawn");
        }
    }
}
