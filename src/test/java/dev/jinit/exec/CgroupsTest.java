package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CgroupsTest {
    @Test
    void findsCgroup2InMountinfo() {
        List<String> hybrid = List.of(
                "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroups.findMount(hybrid));
        List<String> unified = List.of(
                "25 30 0:23 / /sys rw,nosuid shared:7 - sysfs sysfs rw",
                "26 25 0:24 / /mnt/other\\040cg rw master:1 - cgroup2 cgroup2 rw",
                "27 25 0:24 / /sys/fs/cgroup rw,nosuid shared:8 - cgroup2 cgroup2 rw,nsdelegate");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), Cgroups.findMount(unified), "the standard place wins");
        assertEquals(Optional.of(Path.of("/mnt/other cg")), Cgroups.findMount(unified.subList(0, 2)), "octal escapes");
        assertEquals(Optional.empty(), Cgroups.findMount(hybrid.subList(0, 2)));
        assertEquals(Optional.empty(), Cgroups.findMount(List.of("", "garbage", "1 2 3 - cgroup2")));
    }

    @Test
    void resolveKeepsGroupsInsideTheMount() {
        Cgroups c = new Cgroups(Path.of("/sys/fs/cgroup"));
        assertEquals(Path.of("/sys/fs/cgroup/a/b"), c.resolve(Path.of("a/b")));
        assertEquals(Path.of("/sys/fs/cgroup/a"), c.resolve(Path.of("/sys/fs/cgroup/a")));
        assertThrows(IllegalArgumentException.class, () -> c.resolve(Path.of("/sys/fs/cgroupx")));
        assertThrows(IllegalArgumentException.class, () -> c.resolve(Path.of("a/../../b")));
        assertThrows(IllegalArgumentException.class, () -> c.remove(Path.of("/sys/fs/cgroup")));
    }

    @Test
    void createPlaceListKillRemove() {
        Cgroups cgroups = Cgroups.find().orElseThrow(() -> new AssertionError("the tests need cgroup2 mounted"));
        Path group = Path.of("jinit-test-" + UUID.randomUUID());
        Path child = group.resolve("sub");
        try {
            cgroups.create(child);
            assertTrue(Files.isDirectory(cgroups.resolve(child)));
            Spawned a = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").cgroup(group).build());
            Spawned b = new Spawner().spawn(ProcessSpec.builder("/bin/sleep", "60").build());
            cgroups.place(child, b.pid());
            assertEquals(List.of(a.pid()), cgroups.procs(group));
            assertEquals(List.of(b.pid()), cgroups.procs(child));
            assertEquals(List.of(a.pid(), b.pid()), cgroups.allProcs(group));

            cgroups.kill(group);
            for (Spawned s : List.of(a, b)) {
                Wait.Child exit = Probe.await(s.pid());
                assertEquals(Wait.CLD_KILLED, exit.code());
                assertEquals(Signals.SIGKILL, exit.status());
            }
            assertEquals(List.of(), cgroups.allProcs(group));
            cgroups.remove(group);
            assertFalse(Files.exists(cgroups.resolve(group)));
            cgroups.remove(group); // a missing group is not an error
            cgroups.kill(group);
        } finally {
            for (int pid : cgroups.allProcs(group)) Posix.kill(pid, Signals.SIGKILL);
            cgroups.remove(group);
        }
    }
}
