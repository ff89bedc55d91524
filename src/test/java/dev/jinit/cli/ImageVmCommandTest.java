package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lines of jinit image and jinit vm: bad arguments are named, with the usage, exit 2. */
class ImageVmCommandTest {
    record Run(int status, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void imageArguments(@TempDir Path dir) throws Exception {
        Run r = run("image", "-o", dir.resolve("x").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("jinit image: --units DIR is required\nusage: jinit image"), r.err());
        r = run("image", "--units", dir.toString(), "--compress", "lz4", "-o", "x");
        assertTrue(r.err().startsWith("jinit image: --compress lz4: expected gzip, zstd or none"), r.err());
        r = run("image", "--units", dir.toString(), "--bogus", "1");
        assertTrue(r.err().startsWith("jinit image: unknown option --bogus"), r.err());
        r = run("image", "--units");
        assertTrue(r.err().startsWith("jinit image: --units needs a value"), r.err());
        Files.createDirectories(dir.resolve("units"));
        r = run("image", "--units", dir.resolve("units").toString(), "--class-path", dir.toString(),
                "--busybox", dir.resolve("nobusybox").toString(), "-o", dir.resolve("img").toString());
        assertEquals("jinit image: --busybox " + dir.resolve("nobusybox") + ": not an executable file", r.err().lines().findFirst().orElse(""));
    }

    @Test
    void vmArguments(@TempDir Path dir) {
        Run r = run("vm", "--image", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("jinit vm: --kernel FILE is required\nusage: jinit vm"), r.err());
        r = run("vm", "--kernel", dir.resolve("k").toString(), "--image", dir.resolve("i").toString());
        assertTrue(r.err().startsWith("jinit vm: " + dir.resolve("k") + ": no such file"), r.err());
        r = run("vm", "--forward", "x:1");
        assertTrue(r.err().startsWith("jinit vm: --forward x:1: 'x' is not a port (1-65535)"), r.err());
    }
}
