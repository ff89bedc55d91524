package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Module loading against a fake modules tree, with a loader that records instead of calling finit_module. */
class ModuleLoadingTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final BootConsole console = new BootConsole(out, () -> 1_500_000_000L);
    private final List<Path> loads = new ArrayList<>();

    private void tree() throws Exception {
        Files.writeString(dir.resolve("modules.dep"), """
                kernel/drivers/virtio/virtio_ring.ko:
                kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
                kernel/net/core/failover.ko:
                kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
                kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
                kernel/fs/broken.ko:
                """);
        Files.writeString(dir.resolve("modules.alias"), "alias virtio:d00000001v* virtio_net\n");
        Files.writeString(dir.resolve("modules.builtin"), "kernel/fs/ext4/ext4.ko\n");
    }

    private ModuleLoading.Loader recording(String failing) {
        return file -> {
            if (file.getFileName().toString().startsWith(failing)) throw new dev.jinit.linux.LinuxException("finit_module", file.toString(), 8);
            loads.add(dir.relativize(file));
            return true;
        };
    }

    @Test
    void loadsDependenciesFirstEachOnceAndCountsBuiltinsAsPresent() throws Exception {
        tree();
        var outcome = new ModuleLoading(console, recording("none")).load(dir, List.of("virtio-net", "ext4", "net_failover"));
        assertEquals(List.of("kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko", "kernel/net/core/failover.ko",
                "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko.xz"), loads.stream().map(Path::toString).toList());
        assertEquals(List.of("ext4"), outcome.builtin());
        assertTrue(outcome.failed().isEmpty());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("modules: loaded virtio_ring (for virtio-net)"), text);
        assertTrue(text.contains("modules: ext4 is built into the kernel"), text);
    }

    @Test
    void anAliasResolvesToItsModule() throws Exception {
        tree();
        new ModuleLoading(console, recording("none")).load(dir, List.of("virtio:d00000001v00001AF4"));
        assertEquals("kernel/drivers/net/virtio_net.ko.xz", loads.getLast().toString());
    }

    @Test
    void oneUnknownOrFailingModuleDoesNotStopTheOthers() throws Exception {
        tree();
        var outcome = new ModuleLoading(console, recording("broken")).load(dir, List.of("nosuch", "broken", "failover"));
        assertEquals(List.of("nosuch", "broken"), outcome.failed());
        assertEquals(List.of("failover"), outcome.loaded());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("module 'nosuch' not found"), text);
        assertTrue(text.contains("cannot load broken from " + dir.resolve("kernel/fs/broken.ko") + ": finit_module"), text);
    }

    @Test
    void aMissingIndexIsReportedAndNothingLoads() {
        var outcome = new ModuleLoading(console, recording("none")).load(dir.resolve("6.1.0-other"), List.of("virtio_net"));
        assertEquals(List.of("virtio_net"), outcome.failed());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("cannot read the index of " + dir.resolve("6.1.0-other")));
    }

    @Test
    void modulesLoadDFilesEarlierDirectoriesHideLaterOnes() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc")), lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(etc.resolve("b.conf"), "# comment\n; also\n\n  virtio_net  \n");
        Files.writeString(lib.resolve("b.conf"), "hidden\n");
        Files.writeString(lib.resolve("a.conf"), "ext4\nvirtio_net\n");
        Files.writeString(lib.resolve("c.txt"), "ignored\n");
        assertEquals(List.of("ext4", "virtio_net"), ModuleLoading.configured(List.of(etc, lib, dir.resolve("none")), console));
    }
}
