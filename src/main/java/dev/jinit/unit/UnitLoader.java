package dev.jinit.unit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a unit directory: every {@code *.service} and {@code *.target} in it (templates {@code name@.service}
 * only through their instances), drop-ins from {@code NAME.d/*.conf}, links in {@code NAME.wants/} and
 * {@code NAME.requires/}, and every template instance those name. A broken unit never stops the others: it is
 * in the result as {@link LoadedUnit.Failed} with its reasons.
 */
public final class UnitLoader {
    private UnitLoader() {}

    /** Loads {@code dir} with the running system's specifier values. */
    public static LoadResult load(Path dir) throws IOException {
        return load(dir, SystemContext.current());
    }

    /**
     * @throws IOException only when the directory itself cannot be listed (naming it)
     */
    public static LoadResult load(Path dir, SystemContext system) throws IOException {
        UnitDirectory d;
        try {
            d = UnitDirectory.read(dir, system);
        } catch (IOException e) {
            throw new IOException("cannot read unit directory " + dir + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        return LoadResult.load(d, d.initialNames());
    }

    /**
     * Loads the unit load path {@code dirs} (highest precedence first, see systemd.unit(5)): {@code primary}
     * must be listed and readable; the others (generator output directories) are skipped when missing.
     *
     * @throws IOException only when a directory cannot be listed (naming it)
     */
    public static LoadResult load(Path primary, java.util.List<Path> dirs, SystemContext system) throws IOException {
        UnitDirectory d;
        try {
            d = UnitDirectory.read(primary, dirs, system);
        } catch (IOException e) {
            throw new IOException((Files.isDirectory(primary) ? "cannot read a generator output directory: "
                    : "cannot read unit directory " + primary + ": ") + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        return LoadResult.load(d, d.initialNames());
    }

    /**
     * Loads units given as text (file name → contents) as if they were files in {@code dir}: for tools that
     * check a unit before installing it, and for tests. An empty text is a masked unit.
     */
    public static LoadResult loadTexts(Path dir, java.util.Map<String, String> texts, SystemContext system) {
        UnitDirectory d = UnitDirectory.ofTexts(dir, texts, system);
        return LoadResult.load(d, d.initialNames());
    }
}
