package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real images (Debian's cloud kernel's modules, this JDK) and reads them back. */
class ImageBuilderTest {
    static final Path UNITS = VmFixture.PROJECT.resolve("src/test/resources/vm/units");

    static ImageBuilder builder() {
        return new ImageBuilder(new RuntimeBuilder(RuntimeBuilder.defaultCache(), System.err), System.err);
    }

    static ImageSpec spec(Optional<Path> modulesDir, List<String> modules, Optional<Path> kernel, Path out) throws Exception {
        return new ImageSpec(UNITS, modulesDir, modules, kernel, Optional.of(Path.of("/bin/busybox")), List.of(),
                VmFixture.classPath(), ImageSpec.Compression.NONE, out);
    }

    @Test
    void holdsWhatTheKernelAndJinitNeed(@TempDir Path dir) throws Exception {
        VmFixture.Kernel k = VmFixture.kernel();
        Path out = dir.resolve("img.cpio");
        ImageBuilder.Result r = builder().build(spec(Optional.of(k.modules()), List.of("virtio-net", "ext4"),
                Optional.of(k.vmlinuz()), out));
        assertEquals(List.of("virtio_ring", "virtio", "failover", "net_failover", "virtio_net"), r.modulesLoaded());
        assertEquals(List.of("ext4"), r.builtin());
        Map<String, CpioReader.Entry> e;
        try (InputStream in = Files.newInputStream(out)) {
            e = CpioReader.read(in);
        }
        String init = new String(e.get("init").data(), StandardCharsets.ISO_8859_1);
        assertTrue(init.startsWith("#!/jre/bin/java -jar\nPK"), "a shebang, then a jar");
        assertEquals(0755, e.get("init").mode() & 0777);
        assertTrue(e.containsKey("bin/jinit"));
        assertTrue(e.containsKey("jre/bin/java") && e.containsKey("jre/lib/server/libjvm.so"));
        assertTrue(e.containsKey("jre/lib/server/classes.jsa"), "the CDS archive");
        assertFalse(e.containsKey("jre/lib/server/classes_nocoops.jsa"), "the archive for heaps over 32 GB");
        assertTrue(e.containsKey("jinit/jinit.jar"));
        // from the ELF headers: libc and the loader at the path PT_INTERP names
        assertTrue(e.containsKey("lib/x86_64-linux-gnu/libc.so.6"));
        assertTrue(e.containsKey("lib64/ld-linux-x86-64.so.2"));
        assertTrue(e.get("lib/x86_64-linux-gnu/libjli.so").isSymlink());
        assertTrue(e.get("dev/console").isCharDevice());
        assertTrue(e.containsKey("etc/jinit/units/hello.service"));
        String release = k.modules().getFileName().toString();
        assertTrue(e.containsKey("lib/modules/" + release + "/kernel/drivers/net/virtio_net.ko"));
        assertTrue(e.containsKey("lib/modules/" + release + "/modules.dep"));
        assertFalse(e.containsKey("lib/modules/" + release + "/kernel/drivers/block/virtio_blk.ko"), "only what was asked for");
        assertEquals("# written by jinit image --modules\nvirtio-net\next4\n",
                new String(e.get("etc/modules-load.d/jinit-image.conf").data(), StandardCharsets.UTF_8));
        assertTrue(e.get("bin/sh").isSymlink(), "busybox applets");
        // every directory before what it holds: the kernel does not create parents
        List<String> names = List.copyOf(e.keySet());
        for (String n : names)
            if (n.contains("/")) assertTrue(names.indexOf(n.substring(0, n.lastIndexOf('/'))) < names.indexOf(n), n);
    }

    @Test
    void aMissingModuleIsNamed(@TempDir Path dir) throws Exception {
        VmFixture.Kernel k = VmFixture.kernel();
        var e = assertThrows(IllegalArgumentException.class, () -> builder().build(
                spec(Optional.of(k.modules()), List.of("virtio_net", "no_such_driver"), Optional.empty(), dir.resolve("x"))));
        assertTrue(e.getMessage().contains("module 'no_such_driver' not found"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void modulesOfAnotherKernelAreRefused(@TempDir Path dir) throws Exception {
        VmFixture.Kernel k = VmFixture.kernel();
        // the same modules under another release's name: the kernel's own version string says otherwise
        Path other = Files.createDirectories(dir.resolve("6.1.0-99-other"));
        Files.copy(k.modules().resolve("modules.dep"), other.resolve("modules.dep"));
        var e = assertThrows(IllegalArgumentException.class, () -> builder().build(
                spec(Optional.of(other), List.of("virtio_net"), Optional.of(k.vmlinuz()), dir.resolve("x"))));
        assertEquals("--kernel-modules " + other + " is for kernel 6.1.0-99-other, but --kernel " + k.vmlinuz() + " is "
                + k.modules().getFileName(), e.getMessage());
        // without --kernel, each module's vermagic tells
        Files.createDirectories(other.resolve("kernel/drivers/virtio"));
        Files.copy(k.modules().resolve("kernel/drivers/virtio/virtio_ring.ko"), other.resolve("kernel/drivers/virtio/virtio_ring.ko"));
        e = assertThrows(IllegalArgumentException.class, () -> builder().build(
                spec(Optional.of(other), List.of("virtio_ring"), Optional.empty(), dir.resolve("x"))));
        assertTrue(e.getMessage().endsWith("was built for kernel " + k.modules().getFileName() + ", not 6.1.0-99-other"),
                e.getMessage());
    }

    @Test
    void badArgumentsAreNamed(@TempDir Path dir) throws Exception {
        assertEquals("--units " + dir.resolve("none") + ": not a directory", assertThrows(IllegalArgumentException.class,
                () -> new ImageSpec(dir.resolve("none"), Optional.empty(), List.of(), Optional.empty(), Optional.empty(),
                        List.of(), VmFixture.classPath(), ImageSpec.Compression.GZIP, dir.resolve("o"))).getMessage());
        assertEquals("--modules needs --kernel-modules DIR (a kernel's /lib/modules/VERSION)",
                assertThrows(IllegalArgumentException.class, () -> spec(Optional.empty(), List.of("x"), Optional.empty(),
                        dir.resolve("o"))).getMessage());
        assertEquals("--add nope:/x: nope does not exist",
                assertThrows(IllegalArgumentException.class, () -> ImageSpec.Addition.parse("nope:/x")).getMessage());
        assertEquals("--add " + dir + ":rel: DEST must be an absolute path in the image",
                assertThrows(IllegalArgumentException.class, () -> ImageSpec.Addition.parse(dir + ":rel")).getMessage());
    }
}
