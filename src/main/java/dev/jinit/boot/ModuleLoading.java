package dev.jinit.boot;

import dev.jinit.kmod.KernelModule;
import dev.jinit.kmod.KmodException;
import dev.jinit.kmod.ModuleIndex;
import dev.jinit.kmod.ModuleResolution;
import dev.jinit.linux.KernelModules;
import dev.jinit.linux.LinuxException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads the kernel modules the command line ({@code modules-load=}) and the modules-load.d files ask
 * for, as systemd-modules-load does: each name resolved through the kernel's modules.dep, aliases and
 * built-in list ({@link ModuleIndex}), dependencies loaded first, a built-in module counted as present.
 * One module that cannot be found or loaded is reported and the others still load.
 */
public final class ModuleLoading {

    /** Loads one module file; false when the kernel says it is loaded already. A port, so tests need no kernel. */
    @FunctionalInterface
    public interface Loader {
        boolean load(Path file);
    }

    /** The real thing: finit_module(2), letting the kernel decompress .ko.xz/.ko.zst itself. */
    public static final Loader FINIT_MODULE = file -> {
        String name = file.getFileName().toString();
        boolean compressed = name.endsWith(".xz") || name.endsWith(".zst") || name.endsWith(".gz");
        return KernelModules.load(file.toString(), "", compressed);
    };

    /** Where systemd-modules-load looks, first wins for a file name. */
    public static final List<Path> CONFIG_DIRS = List.of(Path.of("/etc/modules-load.d"), Path.of("/run/modules-load.d"),
            Path.of("/usr/local/lib/modules-load.d"), Path.of("/usr/lib/modules-load.d"), Path.of("/lib/modules-load.d"));

    /** What happened, for the console and for tests. */
    public record Outcome(List<String> loaded, List<String> alreadyLoaded, List<String> builtin, List<String> failed) {}

    private final BootConsole console;
    private final Loader loader;

    public ModuleLoading(BootConsole console, Loader loader) {
        this.console = console;
        this.loader = loader;
    }

    /**
     * Loads {@code requested} from {@code modulesDir} (/lib/modules/RELEASE).
     */
    public Outcome load(Path modulesDir, List<String> requested) {
        List<String> loaded = new ArrayList<>(), already = new ArrayList<>(), builtin = new ArrayList<>(),
                failed = new ArrayList<>();
        if (requested.isEmpty()) {
            console.line("modules: none requested");
            return new Outcome(loaded, already, builtin, failed);
        }
        ModuleIndex index;
        try {
            index = ModuleIndex.load(modulesDir);
        } catch (IOException | KmodException e) {
            console.line("modules: cannot read the index of " + modulesDir + ": " + e.getMessage() + "; not loading "
                    + String.join(", ", requested));
            failed.addAll(requested);
            return new Outcome(loaded, already, builtin, failed);
        }
        Set<String> done = new HashSet<>();
        for (String name : requested) {
            ModuleResolution r;
            try {
                // One at a time, so that one unknown name does not keep the others from loading.
                r = index.resolve(List.of(name));
            } catch (KmodException e) {
                console.line("modules: " + e.getMessage());
                failed.add(name);
                continue;
            }
            for (String b : r.builtin()) {
                console.line("modules: " + b + " is built into the kernel");
                builtin.add(b);
            }
            for (KernelModule m : r.load()) {
                if (!done.add(m.name())) continue;
                Path file = Path.of(m.path()).isAbsolute() ? Path.of(m.path()) : modulesDir.resolve(m.path());
                try {
                    if (loader.load(file)) {
                        loaded.add(m.name());
                        console.line("modules: loaded " + m.name() + (m.name().equals(name) ? "" : " (for " + name + ")"));
                    } else {
                        already.add(m.name());
                        console.debugLine("modules: " + m.name() + " was loaded already");
                    }
                } catch (LinuxException | IllegalStateException e) {
                    console.line("modules: cannot load " + m.name() + " from " + file + ": " + e.getMessage());
                    failed.add(m.name());
                }
            }
        }
        return new Outcome(loaded, already, builtin, failed);
    }

    /**
     * The module names in modules-load.d files: every {@code *.conf} of the directories, a file name
     * found in an earlier directory hiding the same name in later ones, read in file-name order.
     * Unreadable files are reported and skipped.
     */
    public static List<String> configured(List<Path> dirs, BootConsole console) {
        Map<String, Path> files = new TreeMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.conf")) {
                for (Path p : ds) files.putIfAbsent(p.getFileName().toString(), p);
            } catch (IOException e) {
                console.line("modules: cannot list " + dir + ": " + e.getMessage());
            }
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Path f : files.values()) {
            try {
                names.addAll(parseConf(Files.readString(f)));
            } catch (IOException e) {
                console.line("modules: cannot read " + f + ": " + e.getMessage());
            }
        }
        return List.copyOf(names);
    }

    /** modules-load.d(5): one name per line; blank lines and lines starting with # or ; are comments. */
    public static List<String> parseConf(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#") || s.startsWith(";")) continue;
            out.add(s);
        }
        return out;
    }
}
