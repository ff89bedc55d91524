package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jinit.linux.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StandardOutput=file:/truncate:/append: as systemd.exec(5) defines them, seen in the file the child
 * wrote: file: writes from the beginning without truncating, truncate: empties first, append: adds
 * at the end; stdout and stderr to the same file share one offset.
 */
class FileOutputTest {
    @TempDir
    Path tmp;

    private static final String OLD = "0123456789\n";

    private String write(FdSource.WriteFile.Mode mode, ProcessSpec.Builder extra) throws IOException {
        Path file = tmp.resolve(mode + "-" + System.nanoTime());
        Files.writeString(file, OLD);
        run(extra.stdout(new FdSource.WriteFile(file, mode)));
        return Files.readString(file);
    }

    private static void run(ProcessSpec.Builder b) {
        Spawned s = new Spawner().spawn(b.stdin(FdSource.NULL).build());
        Wait.Child exit = Probe.await(s.pid());
        assertEquals(new Wait.Child(s.pid(), Wait.CLD_EXITED, 0), exit);
    }

    /** The plain path and the throwaway-thread path (umask) open files the same way. */
    private static List<ProcessSpec.Builder> both(String script) {
        return List.of(Probe.sh(script), Probe.sh(script).umask(022));
    }

    @Test
    void fileWritesFromTheStartWithoutTruncating() throws IOException {
        for (ProcessSpec.Builder b : both("printf ab"))
            assertEquals("ab23456789\n", write(FdSource.WriteFile.Mode.OVERWRITE, b));
    }

    @Test
    void truncateEmptiesTheFileFirst() throws IOException {
        for (ProcessSpec.Builder b : both("printf ab"))
            assertEquals("ab", write(FdSource.WriteFile.Mode.TRUNCATE, b));
    }

    @Test
    void appendAddsAtTheEnd() throws IOException {
        for (ProcessSpec.Builder b : both("printf ab"))
            assertEquals(OLD + "ab", write(FdSource.WriteFile.Mode.APPEND, b));
    }

    @Test
    void stdoutAndStderrToOneFileShareItsOffset() throws IOException {
        for (FdSource.WriteFile.Mode mode : FdSource.WriteFile.Mode.values()) {
            for (ProcessSpec.Builder b : both("echo out; echo err >&2; echo out2")) {
                Path file = tmp.resolve("shared-" + mode + "-" + System.nanoTime());
                FdSource.WriteFile target = new FdSource.WriteFile(file, mode);
                run(b.stdout(target).stderr(target));
                assertEquals("out\nerr\nout2\n", Files.readString(file), mode.toString());
            }
        }
    }

    @Test
    void modesAreNamedByTheirDirectivePrefix() {
        assertEquals(FdSource.WriteFile.Mode.OVERWRITE, FdSource.WriteFile.Mode.ofValue("file:/x").orElseThrow());
        assertEquals(FdSource.WriteFile.Mode.TRUNCATE, FdSource.WriteFile.Mode.ofValue("truncate:/x").orElseThrow());
        assertEquals(FdSource.WriteFile.Mode.APPEND, FdSource.WriteFile.Mode.ofValue("append:/x").orElseThrow());
        assertEquals(java.util.Optional.empty(), FdSource.WriteFile.Mode.ofValue("journal"));
    }
}
