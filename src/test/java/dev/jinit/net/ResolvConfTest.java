package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** resolv.conf is replaced atomically: a new file renamed over the old, never rewritten in place. */
class ResolvConfTest {
    @Test
    void eachWriteRenamesANewFileOverTheOldOneAndLeavesNoTemporaryBehind() throws Exception {
        Path dir = Files.createTempDirectory("jinit-resolv-");
        Path file = dir.resolve("resolv.conf");
        ResolvConf.write(file, ResolvConf.render(List.of(Ipv4.parse("10.0.0.53")), List.of("a.test")));
        Object first = Files.getAttribute(file, "unix:ino");
        // A reader holding the old file keeps reading the old, complete text.
        try (var reader = Files.newBufferedReader(file)) {
            ResolvConf.write(file, ResolvConf.render(List.of(Ipv4.parse("10.0.0.54"), Ipv4.parse("10.0.0.54")), List.of()));
            assertEquals("# Written by jinit from the network configuration; changes are overwritten.", reader.readLine());
            assertEquals("nameserver 10.0.0.53", reader.readLine());
        }
        assertNotEquals(first, Files.getAttribute(file, "unix:ino"), "replaced by rename, not rewritten in place");
        assertEquals("# Written by jinit from the network configuration; changes are overwritten.\nnameserver 10.0.0.54\n",
                Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }
}
