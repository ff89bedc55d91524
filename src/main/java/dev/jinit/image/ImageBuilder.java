package dev.jinit.image;

import dev.jinit.image.ImageTree.CharDevice;
import dev.jinit.image.ImageTree.Content;
import dev.jinit.image.ImageTree.Directory;
import dev.jinit.image.ImageTree.Symlink;
import dev.jinit.kmod.KernelModule;
import dev.jinit.kmod.KmodException;
import dev.jinit.kmod.ModuleIndex;
import dev.jinit.kmod.ModuleResolution;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the initramfs {@code jinit image} writes. Layout:
 *
 * <pre>
 * /init                  "#!/jre/bin/java -jar" then a manifest-only jar: the kernel runs it as PID 1
 * /bin/jinit             the same for the command line in the guest (jinit status, logs, poweroff)
 * /jre                   jlink runtime (only the JDK modules jinit uses, CDS archive, guest JVM flags)
 * /jinit/*.jar           jinit and the jars it needs
 * /etc/jinit/units       the unit directory
 * /lib/modules/VERSION   the named modules and their dependencies, with the modules.* index files
 * /etc/modules-load.d    jinit-image.conf: the named modules, loaded at boot
 * /lib/..., /lib64/...   the shared libraries the runtime and busybox need, from their ELF headers
 * /bin/busybox           with its applet links, when given
 * /dev/console           the kernel opens it for init's stdio before any devtmpfs exists
 * </pre>
 *
 * <p>Why a shebang: the kernel runs /init from an initramfs without any {@code rdinit=} option, and
 * binfmt_script turns {@code #!/jre/bin/java -jar} into {@code /jre/bin/java -jar /init ARGS}; java
 * reads a jar from its end, so the text before it does no harm. The shebang can carry one argument
 * only, so the JVM's flags are baked into the runtime with jlink's {@code --add-options}.
 */
public final class ImageBuilder {
    /**
     * Runtime files a guest never uses: the CDS archive for heaps over 32 GB (no compressed oops;
     * 15 MB), and the signal-chaining library for native code that installs its own handlers.
     */
    static final List<String> RUNTIME_FILES_NOT_NEEDED = List.of("lib/server/classes_nocoops.jsa", "lib/server/libjsig.so",
            "lib/libjsig.so");

    private final RuntimeBuilder runtimes;
    private final PrintStream log;

    public ImageBuilder(RuntimeBuilder runtimes, PrintStream log) {
        this.runtimes = runtimes;
        this.log = log;
    }

    /** What was built, for the command's summary and the tests. */
    public record Result(Path output, long bytes, int entries, List<String> modulesLoaded, List<String> builtin,
            Path runtime) {}

    public Result build(ImageSpec spec) throws IOException {
        ImageTree tree = new ImageTree();
        List<Path> elfRoots = new ArrayList<>();

        Path runtime = runtimes.runtime(RuntimeBuilder.modules(spec.classPath()));
        copyTree(tree, runtime, "/jre", elfRoots);
        for (String unused : RUNTIME_FILES_NOT_NEEDED) tree.remove("/jre/" + unused);
        // java finds libjli.so through $ORIGIN, which the loader can only expand with /proc mounted:
        // before PID 1 has mounted anything, the loader falls back to the system directories.
        tree.put("/lib/x86_64-linux-gnu/libjli.so", new Symlink("/jre/lib/libjli.so", "the libjli link"));

        List<String> jars = new ArrayList<>();
        for (Path entry : spec.classPath()) {
            String name = Files.isDirectory(entry) ? "jinit.jar" : entry.getFileName().toString();
            if (jars.contains(name)) throw new IllegalArgumentException("two class path entries named " + name);
            jars.add(name);
            if (Files.isDirectory(entry)) tree.put("/jinit/" + name, new Content(jarOf(entry), 0644, entry.toString()));
            else tree.copy(entry, "/jinit/" + name);
        }
        tree.put("/init", new Content(launcher(jars, "jinit/"), 0755, "the /init launcher"));
        tree.put("/bin/jinit", new Content(launcher(jars, "../jinit/"), 0755, "the jinit command"));

        copyTree(tree, spec.units(), ImageSpec.UNITS_IN_IMAGE, null);

        List<String> loaded = List.of();
        List<String> builtin = List.of();
        if (spec.kernelModules().isPresent()) {
            ModuleResolution r = addModules(tree, spec);
            loaded = r.load().stream().map(KernelModule::name).toList();
            builtin = r.builtin();
            // Boot mode loads what modules-load.d names, as systemd-modules-load does: the modules
            // named here are then loaded at every boot without a modules-load= on the command line.
            if (!spec.modules().isEmpty())
                tree.put("/etc/modules-load.d/jinit-image.conf", new Content(("# written by jinit image --modules\n"
                        + String.join("\n", spec.modules()) + "\n").getBytes(StandardCharsets.UTF_8), 0644, "--modules"));
        }

        if (spec.busybox().isPresent()) {
            Path busybox = spec.busybox().get();
            tree.copy(busybox, "/bin/busybox");
            if (!ElfFile.isElf(busybox)) throw new IllegalArgumentException("--busybox " + busybox + ": not an ELF binary");
            elfRoots.add(busybox);
            for (String applet : busyboxApplets(busybox)) {
                String path = "/" + applet;
                if (!path.equals("/bin/busybox") && !tree.contains(path))
                    tree.put(path, new Symlink("/bin/busybox", "busybox applet " + applet));
            }
        }

        for (ImageSpec.Addition add : spec.additions()) copyTree(tree, add.source(), add.destination(), elfRoots);

        ElfDependencies.Closure libs = new ElfDependencies().of(elfRoots);
        for (ElfDependencies.Library lib : libs.libraries()) tree.copy(lib.path(), lib.path().toString());
        for (Path interpreter : libs.interpreters()) tree.copy(interpreter, interpreter.toString());

        for (String dir : List.of("/proc", "/sys", "/dev", "/run", "/tmp", "/mnt", "/root", "/var/log", "/var/lib"))
            tree.put(dir, new Directory("mount point"));
        tree.put("/dev/console", new CharDevice(5, 1, "the console"));
        if (!tree.contains("/etc/passwd"))
            tree.put("/etc/passwd", new Content("root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0644, "default"));
        if (!tree.contains("/etc/group"))
            tree.put("/etc/group", new Content("root:x:0:\n".getBytes(StandardCharsets.UTF_8), 0644, "default"));

        Path tmp = spec.output().resolveSibling(spec.output().getFileName() + ".tmp");
        try (OutputStream out = compressor(spec.compression(), tmp)) {
            tree.writeCpio(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // never leave half an image behind
            throw e;
        }
        Files.move(tmp, spec.output(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Result(spec.output(), Files.size(spec.output()), tree.nodes().size(), loaded, builtin, runtime);
    }

    private ModuleResolution addModules(ImageTree tree, ImageSpec spec) throws IOException {
        Path dir = spec.kernelModules().get();
        String release = dir.toAbsolutePath().normalize().getFileName().toString();
        if (spec.kernel().isPresent()) {
            String kernelRelease = KernelRelease.ofBzImage(spec.kernel().get());
            if (!kernelRelease.equals(release))
                throw new IllegalArgumentException("--kernel-modules " + dir + " is for kernel " + release + ", but --kernel "
                        + spec.kernel().get() + " is " + kernelRelease);
        }
        ModuleResolution r;
        try {
            r = ModuleIndex.load(dir).resolve(spec.modules());
        } catch (KmodException e) {
            throw new IllegalArgumentException("--kernel-modules " + dir + ": " + e.getMessage());
        }
        String base = "/lib/modules/" + release + "/";
        for (String index : ModuleIndex.INDEX_FILES)
            if (Files.isRegularFile(dir.resolve(index))) tree.copy(dir.resolve(index), base + index);
        for (KernelModule m : r.load()) {
            Path file = dir.resolve(m.path());
            if (!Files.isRegularFile(file))
                throw new IllegalArgumentException("--kernel-modules " + dir + ": modules.dep names " + m.path() + " for "
                        + m.name() + ", but there is no such file");
            // The directory's name says which kernel it is for; each module's vermagic says so too.
            var vermagic = KernelRelease.ofModule(file);
            if (vermagic.isPresent() && !vermagic.get().equals(release))
                throw new IllegalArgumentException("module " + file + " was built for kernel " + vermagic.get()
                        + ", not " + release);
            tree.copy(file, base + m.path());
        }
        return r;
    }

    /** Copies a file or a directory tree to {@code dest}; ELF regular files go to {@code elfRoots} when given. */
    private static void copyTree(ImageTree tree, Path source, String dest, List<Path> elfRoots) throws IOException {
        if (!Files.isDirectory(source)) {
            tree.copy(source, dest);
            if (elfRoots != null && ElfFile.isElf(source)) elfRoots.add(source);
            return;
        }
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.sorted().toList()) {
                String rel = source.relativize(p).toString();
                String target = rel.isEmpty() ? dest : dest + "/" + rel;
                if (Files.isSymbolicLink(p)) tree.put(target, new Symlink(Files.readSymbolicLink(p).toString(), p.toString()));
                else if (Files.isDirectory(p)) tree.put(target, new Directory(p.toString()));
                else {
                    tree.copy(p, target);
                    if (elfRoots != null && ElfFile.isElf(p)) elfRoots.add(p);
                }
            }
        }
    }

    /**
     * A jar holding only a manifest that names jinit's main class and jars. {@code prefix} is where
     * the jars are relative to the launcher: Class-Path entries are relative to the jar's own directory.
     */
    static byte[] launcher(List<String> jars, String prefix) throws IOException {
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, "dev.jinit.cli.Main");
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", jars.stream().map(j -> prefix + j).toList()));
        a.put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write("#!/jre/bin/java -jar\n".getBytes(StandardCharsets.US_ASCII));
        try (JarOutputStream jar = new JarOutputStream(out, manifest)) {
            // nothing else: the classes are in the Class-Path jars
        }
        return out.toByteArray();
    }

    /** A directory of classes (a build's target/classes) as a jar. */
    private static byte[] jarOf(Path classes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out); Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The applet paths busybox installs ({@code bin/sh}, {@code sbin/ifconfig}, ...), as it lists them. */
    private static List<String> busyboxApplets(Path busybox) throws IOException {
        // A host tool run once at build time, not a supervised process: ProcessBuilder is right here.
        Process p = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(busybox + " --list-full failed: " + out.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static OutputStream compressor(ImageSpec.Compression compression, Path file) throws IOException {
        return switch (compression) {
            case NONE -> new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            case GZIP -> new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
            case ZSTD -> ZstdPipe.open(file);
        };
    }
}
