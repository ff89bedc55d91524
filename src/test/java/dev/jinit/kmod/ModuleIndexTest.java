package dev.jinit.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleIndexTest {
    // Lines as depmod writes them for Debian's 6.1 cloud kernel.
    static final String DEP = """
            kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
            kernel/net/core/failover.ko:
            kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_ring.ko:
            kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
            kernel/drivers/virtio/virtio_pci_modern_dev.ko:
            kernel/drivers/block/virtio_blk.ko.xz: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
            kernel/crypto/crc32c-intel.ko: kernel/fs/jbd2/jbd2.ko
            """;
    static final String ALIAS = """
            # Aliases extracted from modules themselves.
            alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci
            alias virtio:d00000001v* virtio_net
            alias crypto-crc32c crc32c_intel
            alias net-pf-[0-9]-proto-x virtio_net
            """;
    static final String BUILTIN = """
            kernel/fs/ext4/ext4.ko
            kernel/fs/jbd2/jbd2.ko
            kernel/fs/mbcache.ko
            """;
    static final String MODINFO = "ext4.alias=fs-ext4\0ext4.license=GPL\0jbd2.license=GPL\0";

    static ModuleIndex index() {
        return ModuleIndex.parse(DEP, ALIAS, BUILTIN, MODINFO);
    }

    static List<String> names(ModuleResolution r) {
        return r.load().stream().map(KernelModule::name).toList();
    }

    @Test
    void dependenciesComeFirstInModprobesOrder() {
        ModuleResolution r = index().resolve(List.of("virtio_net"));
        assertEquals(List.of("virtio_ring", "virtio", "failover", "net_failover", "virtio_net"), names(r));
        assertEquals("kernel/drivers/net/virtio_net.ko", r.load().getLast().path());
        assertEquals(List.of(), r.builtin());
    }

    @Test
    void eachModuleOnceAcrossRequests() {
        ModuleResolution r = index().resolve(List.of("virtio_pci", "virtio_net", "virtio-blk", "virtio_net"));
        assertEquals(List.of("virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci",
                "failover", "net_failover", "virtio_net", "virtio_blk"), names(r));
    }

    @Test
    void dashesAndUnderscoresAreOneName() {
        assertEquals(List.of("virtio_ring", "virtio", "virtio_blk"), names(index().resolve(List.of("virtio-blk"))));
        // the file is crc32c-intel.ko, the module crc32c_intel
        assertEquals("crc32c_intel", index().resolve(List.of("crc32c_intel")).load().getLast().name());
    }

    @Test
    void builtinModulesArePresentAndLoadNothing() {
        ModuleResolution r = index().resolve(List.of("ext4", "fs-ext4"));
        assertEquals(List.of(), r.load());
        assertEquals(List.of("ext4"), r.builtin());
        assertTrue(index().isBuiltin("ext4"));
        // a built-in dependency (jbd2 here) is skipped, the module itself loaded
        assertEquals(List.of("crc32c_intel"), names(index().resolve(List.of("crc32c-intel"))));
    }

    @Test
    void aliasesAreGlobsMatchedInEitherSpelling() {
        assertEquals("virtio_pci", index().resolve(List.of("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00"))
                .load().getLast().name());
        assertEquals("crc32c_intel", index().resolve(List.of("crypto_crc32c")).load().getLast().name());
        assertEquals("virtio_net", index().resolve(List.of("net-pf-7-proto-x")).load().getLast().name());
        assertThrows(KmodException.class, () -> index().resolve(List.of("net-pf-x-proto-x")));
    }

    @Test
    void missingModuleIsNamed() {
        KmodException e = assertThrows(KmodException.class, () -> index().resolve(List.of("virtio_net", "e1000e")));
        assertEquals("module 'e1000e' not found: not in modules.dep, modules.alias or modules.builtin", e.getMessage());
    }

    @Test
    void brokenIndexesAreNamedWithTheirLine() {
        KmodException e = assertThrows(KmodException.class,
                () -> ModuleIndex.parse("a.ko:\nb.ko c.ko\n", "", "", ""));
        assertTrue(e.getMessage().startsWith("modules.dep:2: "), e.getMessage());
        e = assertThrows(KmodException.class, () -> ModuleIndex.parse("a.ko:\n", "alias x\n", "", ""));
        assertTrue(e.getMessage().startsWith("modules.alias:1: "), e.getMessage());
        e = assertThrows(KmodException.class, () -> ModuleIndex.parse("a.ko: b.ko\n", "", "", "").resolve(List.of("a")));
        assertEquals("modules.dep: 'a' depends on 'b', which has no line of its own", e.getMessage());
        e = assertThrows(KmodException.class,
                () -> ModuleIndex.parse("a.ko: b.ko\nb.ko: a.ko\n", "", "", "").resolve(List.of("a")));
        assertEquals("modules.dep: dependency cycle a -> b -> a", e.getMessage());
        e = assertThrows(KmodException.class,
                () -> ModuleIndex.parse("a.ko:\n", "alias foo gone\n", "", "").resolve(List.of("foo")));
        assertTrue(e.getMessage().contains("'gone'"), e.getMessage());
    }

    @Test
    void loadsADirectoryAndSaysWhenDepmodWasNotRun(@TempDir Path dir) throws Exception {
        KmodException e = assertThrows(KmodException.class, () -> ModuleIndex.load(dir));
        assertTrue(e.getMessage().contains("modules.dep: not found"), e.getMessage());
        Files.writeString(dir.resolve("modules.dep"), DEP);
        Files.writeString(dir.resolve("modules.builtin"), BUILTIN);
        ModuleIndex index = ModuleIndex.load(dir);
        assertEquals(List.of("ext4"), index.resolve(List.of("ext4")).builtin());
        assertEquals(5, index.resolve(List.of("virtio_net")).load().size());
    }

    @Test
    void globSubset() {
        assertTrue(Glob.matches("a*b?c", "axxbyc"));
        assertTrue(Glob.matches("[!0-9]x", "ax"));
        assertTrue(!Glob.matches("[!0-9]x", "5x"));
        assertTrue(Glob.matches("*", ""));
        assertTrue(Glob.matches("[]]", "]"));
        assertTrue(!Glob.matches("a", "ab"));
        assertTrue(Glob.matches("*:*:*", "x:y:z"));
    }
}
