package dev.jinit.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code jinit image} puts in an initramfs; the constructor rejects what cannot work, naming it.
 *
 * @param units the unit directory, copied to {@link #UNITS_IN_IMAGE} (with any .network files)
 * @param kernelModules a kernel's /lib/modules/VERSION directory (depmod run), if modules are wanted
 * @param modules module names or aliases to include with their dependencies
 * @param kernel the kernel the image is for: its release must match the modules directory's
 * @param busybox a busybox binary to install with its applet links
 * @param additions host files or directories copied to a path of the image
 * @param classPath jinit's jar and the jars it needs (a directory of classes is packed into a jar)
 */
public record ImageSpec(Path units, Optional<Path> kernelModules, List<String> modules, Optional<Path> kernel,
        Optional<Path> busybox, List<Addition> additions, List<Path> classPath, Compression compression, Path output) {
    /** Where the units go; boot mode reads them from there unless {@code jinit.units=} says otherwise. */
    public static final String UNITS_IN_IMAGE = "/etc/jinit/units";

    public enum Compression {
        GZIP, ZSTD, NONE
    }

    /** {@code --add SRC:DEST}. */
    public record Addition(Path source, String destination) {
        public static Addition parse(String arg) {
            int colon = arg.lastIndexOf(':');
            if (colon <= 0 || colon == arg.length() - 1)
                throw new IllegalArgumentException("--add " + arg + ": expected SRC:DEST");
            String dest = arg.substring(colon + 1);
            if (!dest.startsWith("/")) throw new IllegalArgumentException("--add " + arg + ": DEST must be an absolute path in the image");
            Path src = Path.of(arg.substring(0, colon));
            if (!Files.exists(src)) throw new IllegalArgumentException("--add " + arg + ": " + src + " does not exist");
            return new Addition(src, dest);
        }
    }

    public ImageSpec {
        modules = List.copyOf(modules);
        additions = List.copyOf(additions);
        classPath = List.copyOf(classPath);
        if (units == null) throw new IllegalArgumentException("--units DIR is required");
        if (!Files.isDirectory(units)) throw new IllegalArgumentException("--units " + units + ": not a directory");
        if (output == null) throw new IllegalArgumentException("-o FILE is required");
        if (output.getParent() != null && !Files.isDirectory(output.toAbsolutePath().getParent()))
            throw new IllegalArgumentException("-o " + output + ": directory " + output.toAbsolutePath().getParent()
                    + " does not exist");
        if (!modules.isEmpty() && kernelModules.isEmpty())
            throw new IllegalArgumentException("--modules needs --kernel-modules DIR (a kernel's /lib/modules/VERSION)");
        kernelModules.ifPresent(dir -> {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--kernel-modules " + dir + ": not a directory");
        });
        kernel.ifPresent(k -> {
            if (!Files.isRegularFile(k)) throw new IllegalArgumentException("--kernel " + k + ": not a file");
        });
        busybox.ifPresent(b -> {
            if (!Files.isRegularFile(b) || !Files.isExecutable(b))
                throw new IllegalArgumentException("--busybox " + b + ": not an executable file");
        });
        if (classPath.isEmpty()) throw new IllegalArgumentException("no jinit jar to put in the image");
        for (Path p : classPath)
            if (!Files.exists(p)) throw new IllegalArgumentException("class path entry " + p + " does not exist");
    }
}
