package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
    static final String SAMPLE = """
            22 1 0:21 / / rw,relatime - rootfs rootfs rw
            23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
            24 22 0:5 / /dev rw,nosuid,relatime - devtmpfs devtmpfs rw,size=4096k,mode=755
            25 24 0:23 / /dev/pts rw,nosuid,noexec,relatime shared:3 - devpts devpts rw,gid=5,mode=620
            30 22 254:0 / /mnt/my\\040disk rw,relatime shared:7 master:1 - ext4 /dev/vda rw
            31 30 254:16 / /mnt/my\\040disk/ro ro,relatime - ext4 /dev/vdb ro
            """;

    @Test
    void parsesFieldsAndEscapes() {
        MountTable t = MountTable.parse(SAMPLE);
        assertEquals(6, t.entries().size());
        MountTable.Entry disk = t.at("/mnt/my disk").orElseThrow();
        assertEquals("ext4", disk.type());
        assertEquals("/dev/vda", disk.source());
        assertEquals(30, disk.id());
        assertTrue(t.at("/mnt/my disk/ro").orElseThrow().readOnly());
        assertTrue(t.at("/sys").isEmpty());
    }

    @Test
    void unmountOrderIsNewestFirst() {
        List<String> order = MountTable.parse(SAMPLE).unmountOrder().stream().map(MountTable.Entry::target).toList();
        assertEquals(List.of("/mnt/my disk/ro", "/mnt/my disk", "/dev/pts", "/dev", "/proc", "/"), order);
    }

    @Test
    void theLastMountOnAPathIsTheVisibleOne() {
        MountTable t = MountTable.parse("""
                1 0 0:1 / /run rw - tmpfs tmpfs rw
                2 1 0:2 / /run rw - tmpfs second rw
                """);
        assertEquals("second", t.at("/run").orElseThrow().source());
    }

    @Test
    void badLineNamesItsNumber() {
        var e = assertThrows(IllegalArgumentException.class, () -> MountTable.parse("22 1 0:21 / / rw - rootfs rootfs rw\nnonsense\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
