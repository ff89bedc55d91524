package dev.jinit.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared libraries a set of ELF files needs, found as the dynamic loader finds them: each
 * DT_NEEDED name in the file's RUNPATH/RPATH ({@code $ORIGIN} expanded), then in the system
 * directories, recursively. Reading the files, rather than running {@code ldd}, works for files that
 * cannot run on the host and never executes anything; and it is no fixed list.
 */
public final class ElfDependencies {
    /** Where Debian's loader looks when the file names no path (multiarch first, as ld.so.conf does). */
    public static final List<Path> SYSTEM_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/lib"), Path.of("/usr/lib"));

    /**
     * A library found outside the files given.
     *
     * @param soname the name asked for ({@code libc.so.6})
     * @param path where the loader finds it on the host, which is where the image puts it too
     */
    public record Library(String soname, Path path) {}

    /** What {@code roots} need beyond themselves, and the loader(s) they name. */
    public record Closure(List<Library> libraries, List<Path> interpreters) {}

    private final List<Path> systemDirs;

    public ElfDependencies(List<Path> systemDirs) {
        this.systemDirs = List.copyOf(systemDirs);
    }

    public ElfDependencies() {
        this(SYSTEM_DIRS);
    }

    /**
     * @throws IOException naming the file and the library it needs when that library is nowhere
     */
    public Closure of(List<Path> roots) throws IOException {
        Map<Path, Boolean> seen = new LinkedHashMap<>();
        Map<Path, Library> outside = new LinkedHashMap<>();
        Map<Path, Boolean> interpreters = new LinkedHashMap<>();
        Deque<Path> queue = new ArrayDeque<>();
        // A library the process has loaded already satisfies a DT_NEEDED of that name wherever it lives:
        // libjava.so names libjvm.so, which its RUNPATH cannot find but the java launcher loaded first.
        Map<String, Path> known = new LinkedHashMap<>();
        for (Path r : roots) {
            Path real = r.toRealPath();
            seen.put(real, true);
            known.putIfAbsent(r.getFileName().toString(), r);
            queue.add(r);
        }
        while (!queue.isEmpty()) {
            Path file = queue.poll();
            ElfFile elf = ElfFile.read(file);
            elf.interpreter().ifPresent(i -> interpreters.put(Path.of(i), true));
            for (String soname : elf.needed()) {
                Path found = find(elf, soname);
                if (found == null && known.containsKey(soname)) continue;
                if (found == null)
                    throw new IOException(file + " needs " + soname + ", found neither in its RUNPATH " + elf.searchPath()
                            + " nor in " + systemDirs);
                Path real = found.toRealPath();
                if (seen.put(real, true) == null) {
                    known.putIfAbsent(soname, found);
                    outside.put(found, new Library(soname, found));
                    queue.add(found);
                }
            }
        }
        // The interpreter is loaded by the kernel, not through DT_NEEDED: it may be a library of its own too.
        return new Closure(List.copyOf(outside.values()), List.copyOf(interpreters.keySet()));
    }

    private Path find(ElfFile elf, String soname) {
        if (soname.contains("/")) return Files.exists(Path.of(soname)) ? Path.of(soname) : null;
        Path origin = elf.file().toAbsolutePath().getParent();
        for (String dir : elf.searchPath()) {
            Path candidate = Path.of(dir.replace("${ORIGIN}", origin.toString()).replace("$ORIGIN", origin.toString()))
                    .resolve(soname).normalize();
            if (Files.isRegularFile(candidate)) return candidate;
        }
        for (Path dir : systemDirs) if (Files.isRegularFile(dir.resolve(soname))) return dir.resolve(soname);
        return null;
    }
}
