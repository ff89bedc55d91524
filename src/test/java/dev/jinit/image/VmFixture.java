package dev.jinit.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the qemu tests share: Debian's cloud kernel (scripts/fetch-kernel, cached outside the
 * checkout) and one image of the test units, built once per test JVM.
 */
final class VmFixture {
    static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    static final Path WORK = PROJECT.resolve("target/vm");
    static final List<String> MODULES = List.of("virtio_net", "virtio_pci", "virtio_blk", "ext4");

    record Kernel(Path vmlinuz, Path modules) {}

    private static Kernel kernel;
    private static Path image;

    private VmFixture() {}

    /** The kernel scripts/fetch-kernel prints (it fetches only when the cache lacks it). */
    static synchronized Kernel kernel() throws IOException, InterruptedException {
        if (kernel != null) return kernel;
        String out = run(List.of(PROJECT.resolve("scripts/fetch-kernel").toString()));
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) throw new AssertionError("scripts/fetch-kernel printed no kernel:\n" + out);
        kernel = new Kernel(Path.of(lines.get(lines.size() - 2)), Path.of(lines.getLast()));
        return kernel;
    }

    /** jinit's classes as the build has them, and gson (its one runtime dependency). */
    static List<Path> classPath() throws Exception {
        Path classes = Path.of(dev.jinit.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path gson = Path.of(com.google.gson.Gson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return List.of(classes, gson);
    }

    /** The test image: the units and script under src/test/resources/vm, busybox, the virtio modules. */
    static synchronized Path image() throws Exception {
        if (image != null) return image;
        Kernel k = kernel();
        Files.createDirectories(WORK);
        Path out = WORK.resolve("test-image.img");
        Path resources = PROJECT.resolve("src/test/resources/vm");
        ImageSpec spec = new ImageSpec(resources.resolve("units"), Optional.of(k.modules()), MODULES, Optional.of(k.vmlinuz()),
                Optional.of(Path.of("/bin/busybox")),
                List.of(new ImageSpec.Addition(resources.resolve("bin/data-test"), "/usr/local/bin/data-test")),
                classPath(), ImageSpec.Compression.ZSTD, out);
        new ImageBuilder(new RuntimeBuilder(RuntimeBuilder.defaultCache(), System.err), System.err).build(spec);
        image = out;
        return image;
    }

    /** Runs a host tool, returning its output; a non-zero exit fails with that output. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) throw new AssertionError(String.join(" ", command) + " exited " + rc + ":\n" + out);
        return out;
    }

    /** A fresh ext4 filesystem in a file, made on the host. */
    static Path ext4Disk(String name, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Path disk = WORK.resolve(name);
        Files.deleteIfExists(disk);
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(bytes);
        }
        run(List.of("mkfs.ext4", "-q", "-F", disk.toString()));
        return disk;
    }
}
