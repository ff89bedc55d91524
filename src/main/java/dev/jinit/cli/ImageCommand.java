package dev.jinit.cli;

import dev.jinit.image.ImageBuilder;
import dev.jinit.image.ImageSpec;
import dev.jinit.image.RuntimeBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * {@code jinit image --units DIR [--kernel-modules DIR --modules LIST] [--kernel FILE] [--busybox PATH]
 * [--add SRC:DEST]... [--compress gzip|zstd|none] -o FILE}: writes a bootable initramfs (see
 * {@link ImageBuilder} for what is in it).
 */
final class ImageCommand {
    static final String USAGE = "usage: jinit image --units DIR [--kernel-modules DIR --modules LIST] [--kernel FILE]\n"
            + "                   [--busybox PATH] [--add SRC:DEST]... [--compress gzip|zstd|none] -o FILE";

    private ImageCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        ImageSpec spec;
        try {
            spec = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("jinit image: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            ImageBuilder.Result r = new ImageBuilder(new RuntimeBuilder(RuntimeBuilder.defaultCache(), err), err).build(spec);
            out.printf("%s: %.1f MB, %d entries%s%n", r.output(), r.bytes() / 1e6, r.entries(),
                    r.modulesLoaded().isEmpty() && r.builtin().isEmpty() ? ""
                            : ", modules " + r.modulesLoaded() + (r.builtin().isEmpty() ? "" : ", built in " + r.builtin()));
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("jinit image: " + e.getMessage());
            return 1;
        }
    }

    static ImageSpec parse(String[] args) {
        Path units = null, modulesDir = null, kernel = null, busybox = null, output = null;
        List<String> modules = new ArrayList<>();
        List<ImageSpec.Addition> adds = new ArrayList<>();
        List<Path> classPath = null;
        // zstd when the zstd program is there: the kernel unpacks it ~5x faster than gzip (BENCHMARKS.md).
        ImageSpec.Compression compression = onPath("zstd") ? ImageSpec.Compression.ZSTD : ImageSpec.Compression.GZIP;
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(key + " needs a value");
            String value = args[++i];
            switch (key) {
                case "--units" -> units = Path.of(value);
                case "--kernel-modules" -> modulesDir = Path.of(value);
                case "--modules" -> Arrays.stream(value.split("[,\\s]+")).filter(m -> !m.isEmpty()).forEach(modules::add);
                case "--kernel" -> kernel = Path.of(value);
                case "--busybox" -> busybox = Path.of(value);
                case "--add" -> adds.add(ImageSpec.Addition.parse(value));
                case "-o", "--output" -> output = Path.of(value);
                case "--compress" -> compression = switch (value) {
                    case "gzip" -> ImageSpec.Compression.GZIP;
                    case "zstd" -> ImageSpec.Compression.ZSTD;
                    case "none" -> ImageSpec.Compression.NONE;
                    default -> throw new IllegalArgumentException("--compress " + value + ": expected gzip, zstd or none");
                };
                // For a development tree: jinit's classes and jars when it does not run from its jar.
                case "--class-path" -> classPath = Arrays.stream(value.split(":")).map(Path::of).toList();
                default -> throw new IllegalArgumentException("unknown option " + key);
            }
        }
        // The required options first: their absence is the likelier mistake than where jinit runs from.
        if (units == null) throw new IllegalArgumentException("--units DIR is required");
        if (output == null) throw new IllegalArgumentException("-o FILE is required");
        return new ImageSpec(units, Optional.ofNullable(modulesDir), modules, Optional.ofNullable(kernel),
                Optional.ofNullable(busybox), adds, classPath != null ? classPath : ownClassPath(), compression, output);
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":"))
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        return false;
    }

    /** The jar this jinit runs from and the jars its manifest's Class-Path names (target/lib/...). */
    static List<Path> ownClassPath() {
        Path self;
        try {
            self = Path.of(ImageCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isDirectory(self))
            throw new IllegalArgumentException("jinit runs from the class directory " + self
                    + ", not from its jar: give --class-path CLASSES:JARS");
        List<Path> path = new ArrayList<>(List.of(self));
        try (JarFile jar = new JarFile(self.toFile())) {
            String cp = jar.getManifest() == null ? null
                    : jar.getManifest().getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            if (cp != null)
                for (String entry : cp.trim().split("\\s+")) {
                    Path p = self.resolveSibling(entry);
                    if (!Files.isRegularFile(p)) throw new IllegalStateException(self + " names " + entry + " in its Class-Path, but "
                            + p + " is missing");
                    path.add(p);
                }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + self + ": " + e.getMessage(), e);
        }
        return path;
    }
}
