package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CpioTest {
    @Test
    void headerIsTheNewcLayout() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cpio cpio = new Cpio(out)) {
            cpio.file("/init", 0755, 0x5F5E100, "ab".getBytes(StandardCharsets.US_ASCII));
        }
        String s = out.toString(StandardCharsets.US_ASCII);
        // magic, ino 1, mode 0100755, uid, gid, nlink 1, mtime, size 2, devs, rdevs, namesize 5 ("init\0"), check
        assertEquals("070701" + "00000001" + "000081ED" + "00000000" + "00000000" + "00000001" + "05F5E100" + "00000002"
                + "00000000" + "00000000" + "00000000" + "00000000" + "00000005" + "00000000", s.substring(0, 110));
        assertEquals("init\0", s.substring(110, 115));
        assertEquals(116, s.indexOf("ab")); // 115 padded to 116
        assertEquals(0, out.size() % 4);
        assertTrue(s.contains("TRAILER!!!\0"));
    }

    @Test
    void entriesReadBackWithTheirKinds() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Cpio cpio = new Cpio(out)) {
            cpio.directory("dev", 0755, 1);
            cpio.charDevice("dev/console", 0600, 5, 1, 1);
            cpio.symlink("lib/libjli.so", "/jre/lib/libjli.so", 1);
        }
        Map<String, CpioReader.Entry> e = CpioReader.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(List.of("dev", "dev/console", "lib/libjli.so"), List.copyOf(e.keySet()));
        assertTrue(e.get("dev").isDirectory());
        assertTrue(e.get("dev/console").isCharDevice());
        assertEquals(5, e.get("dev/console").rdevMajor());
        assertEquals(1, e.get("dev/console").rdevMinor());
        assertTrue(e.get("lib/libjli.so").isSymlink());
        assertEquals("/jre/lib/libjli.so", new String(e.get("lib/libjli.so").data(), StandardCharsets.UTF_8));
    }

    @Property(tries = 200)
    void anyFilesReadBackIntact(@ForAll @Size(max = 8) List<@AlphaChars @StringLength(min = 1, max = 13) String> names,
            @ForAll @Size(max = 8) List<byte[]> contents) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> distinct = names.stream().distinct().toList();
        try (Cpio cpio = new Cpio(out)) {
            for (int i = 0; i < distinct.size(); i++)
                cpio.file(distinct.get(i), 0644, i, i < contents.size() ? contents.get(i) : new byte[i]);
        }
        Map<String, CpioReader.Entry> e = CpioReader.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(distinct, List.copyOf(e.keySet()));
        for (int i = 0; i < distinct.size(); i++)
            assertArrayEquals(i < contents.size() ? contents.get(i) : new byte[i], e.get(distinct.get(i)).data());
    }
}
