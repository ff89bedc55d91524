package dev.jinit.unit;

import dev.jinit.linux.RegularFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An immutable snapshot of a unit directory as read from disk: every unit file parsed (syntax only), drop-ins,
 * and the {@code NAME.wants/} and {@code NAME.requires/} directories. {@link #build} turns any name into a
 * {@link LoadedUnit}, including instances of templates that no file names directly, so a later
 * {@code jinit start web@8081.service} needs no new disk read.
 */
final class UnitDirectory {
    /** A file that could not be used at all. */
    private record Unreadable(Path path, String reason) {}

    /** Unit files are a few kilobytes; a huge file in the directory is a mistake, not worth the memory. */
    static final long MAX_FILE = 4L * 1024 * 1024;

    private final Path dir;
    private final SystemContext system;
    private final Map<String, UnitFile> files = new TreeMap<>();
    private final Map<String, Unreadable> unreadable = new TreeMap<>();
    private final Map<String, Path> masked = new TreeMap<>();
    private final Map<String, List<UnitFile>> dropIns = new TreeMap<>();
    /** unit (or template) name → its drop-ins that could not be read; such a unit does not load */
    private final Map<String, List<Unreadable>> dropInErrors = new TreeMap<>();
    /** unit name → the units whose {@code .wants/} (or {@code .requires/}) directory lists it */
    private final Map<String, List<String>> wantedByDirs = new TreeMap<>(), requiredByDirs = new TreeMap<>();
    /** alias name (a symlink's name) → the unit it names (its target's file name), as systemd reads such links */
    private final Map<String, String> aliasLinks = new TreeMap<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    private UnitDirectory(Path dir, SystemContext system) {
        this.dir = dir;
        this.system = system;
    }

    /**
     * Reads {@code dir}. Only a missing or unreadable directory is an exception; every problem with a file in
     * it is kept for that file's unit.
     */
    static UnitDirectory read(Path dir, SystemContext system) throws IOException {
        UnitDirectory d = new UnitDirectory(dir, system);
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        for (Path p : entries) {
            String fileName = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                if (fileName.endsWith(".wants")) d.linkDir(p, fileName.substring(0, fileName.length() - 6), d.wantedByDirs);
                else if (fileName.endsWith(".requires")) d.linkDir(p, fileName.substring(0, fileName.length() - 9), d.requiredByDirs);
                else if (fileName.endsWith(".d")) d.readDropIns(p, fileName.substring(0, fileName.length() - 2));
                continue;
            }
            if (fileName.endsWith(".service") || fileName.endsWith(".target") || fileName.endsWith(".socket")
                    || fileName.endsWith(".timer")) d.readUnit(p, fileName);
        }
        return d;
    }

    /**
     * Reads the unit load path {@code dirs}, highest precedence first (systemd's order: the generators'
     * early directory, the unit directory, the generators' normal directory, their late directory).
     * {@code primary} (one of them) names the directory in messages about missing units. A missing
     * directory other than {@code primary} is skipped; as in systemd, a unit file (or mask, or alias)
     * in an earlier directory hides the same name in a later one, a drop-in of the same file name in an
     * earlier directory replaces a later one's, and {@code .wants/}/{@code .requires/} links add up.
     */
    static UnitDirectory read(Path primary, List<Path> dirs, SystemContext system) throws IOException {
        UnitDirectory merged = new UnitDirectory(primary, system);
        List<Path> lowestFirst = new ArrayList<>(dirs);
        Collections.reverse(lowestFirst);
        for (Path dir : lowestFirst) {
            if (!dir.equals(primary) && !Files.isDirectory(dir)) continue;
            merged.overlay(read(dir, system));
        }
        return merged;
    }

    /** Lays {@code higher} (a directory earlier in the load path) over what this one holds. */
    private void overlay(UnitDirectory higher) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        names.addAll(higher.files.keySet());
        names.addAll(higher.unreadable.keySet());
        names.addAll(higher.masked.keySet());
        names.addAll(higher.aliasLinks.keySet());
        for (String n : names) {
            files.remove(n);
            unreadable.remove(n);
            masked.remove(n);
            aliasLinks.remove(n);
        }
        files.putAll(higher.files);
        unreadable.putAll(higher.unreadable);
        masked.putAll(higher.masked);
        aliasLinks.putAll(higher.aliasLinks);
        higher.dropIns.forEach((unit, confs) -> {
            Map<String, UnitFile> byName = new TreeMap<>();
            for (UnitFile f : dropIns.getOrDefault(unit, List.of())) byName.put(f.path().getFileName().toString(), f);
            for (UnitFile f : confs) byName.put(f.path().getFileName().toString(), f);
            dropIns.put(unit, new ArrayList<>(byName.values()));
        });
        higher.dropInErrors.forEach((unit, bad) -> dropInErrors.computeIfAbsent(unit, k -> new ArrayList<>()).addAll(bad));
        addLinks(higher.wantedByDirs, wantedByDirs);
        addLinks(higher.requiredByDirs, requiredByDirs);
        diagnostics.addAll(higher.diagnostics);
    }

    private static void addLinks(Map<String, List<String>> from, Map<String, List<String>> into) {
        from.forEach((unit, owners) -> {
            List<String> have = into.computeIfAbsent(unit, k -> new ArrayList<>());
            for (String o : owners) if (!have.contains(o)) have.add(o);
        });
    }

    /** A directory given as file name → text, for tools and tests that have no files on disk. */
    static UnitDirectory ofTexts(Path dir, Map<String, String> texts, SystemContext system) {
        UnitDirectory d = new UnitDirectory(dir, system);
        new TreeMap<>(texts).forEach((name, text) -> {
            if (text.isEmpty()) d.masked.put(name, dir.resolve(name));
            else d.files.put(name, UnitFileParser.parse(dir.resolve(name), text));
        });
        return d;
    }

    private void readUnit(Path p, String fileName) {
        try {
            // A symlink is followed deliberately (an alias, or a unit file kept elsewhere); the file it
            // resolves to is then read as a regular file only (see RegularFile), never a FIFO or device.
            Path real = p.toRealPath();
            if (real.equals(Path.of("/dev/null")) || (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && Files.size(real) == 0)) {
                masked.put(fileName, p);
                return;
            }
            String target = real.getFileName().toString();
            if (Files.isSymbolicLink(p) && !target.equals(fileName) && isAliasLink(fileName, target)) {
                // sshd.service -> ssh.service: one unit with two names, never two copies of the daemon.
                aliasLinks.put(fileName, target);
                if (!real.getParent().equals(dir.toRealPath())) readUnit(real, target);
                return;
            }
            files.put(fileName, UnitFileParser.parse(p, readText(real)));
        } catch (IOException | RuntimeException e) {
            // RuntimeException: MalformedInputException's unchecked cousins for files that are not UTF-8.
            unreadable.put(fileName, new Unreadable(p, "cannot read " + p + ": " + describe(e)));
        }
    }

    /** A unit file or drop-in as text: a regular file of at most {@link #MAX_FILE} bytes, in UTF-8. */
    static String readText(Path real) throws IOException {
        byte[] bytes = RegularFile.read(real, MAX_FILE);
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }

    /**
     * A symlink to a unit file of another name is an alias, except {@code foo@bar.service -> foo@.service},
     * which is how an instance is enabled.
     */
    private static boolean isAliasLink(String link, String target) {
        try {
            UnitName l = UnitName.parse(link), t = UnitName.parse(target);
            if (l.isInstance() && t.isTemplate() && l.templateName().equals(target)) return false;
            return l.type().equals(t.type());
        } catch (BadValueException e) {
            return false;
        }
    }

    private void readDropIns(Path d, String unitName) {
        List<Path> confs;
        try (Stream<Path> s = Files.list(d)) {
            confs = s.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList();
        } catch (IOException e) {
            diagnostics.add(Diagnostic.warning(d, 0, "cannot read drop-in directory: " + describe(e)));
            return;
        }
        List<UnitFile> parsed = new ArrayList<>();
        for (Path c : confs) {
            try {
                parsed.add(UnitFileParser.parse(c, readText(c.toRealPath())));
            } catch (IOException | RuntimeException e) {
                // A drop-in changes the unit's meaning: running the unit without it would run something
                // its administrator did not write, so the unit does not load (a load error naming the file).
                dropInErrors.computeIfAbsent(unitName, k -> new ArrayList<>())
                        .add(new Unreadable(c, "cannot read drop-in " + c + ": " + describe(e)));
            }
        }
        dropIns.put(unitName, parsed);
    }

    private void linkDir(Path d, String owner, Map<String, List<String>> into) {
        try (Stream<Path> s = Files.list(d)) {
            for (Path link : s.sorted().toList()) {
                String n = link.getFileName().toString();
                try {
                    UnitName.parse(n);
                    into.computeIfAbsent(n, k -> new ArrayList<>()).add(owner);
                } catch (BadValueException e) {
                    diagnostics.add(Diagnostic.warning(link, 0, "not a unit name, ignoring: " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            diagnostics.add(Diagnostic.warning(d, 0, "cannot read directory: " + describe(e)));
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (e instanceof RegularFile.NotRegularException) return m;
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }

    Path dir() {
        return dir;
    }

    /** Problems with the directory itself (unreadable drop-ins, odd links), all warnings. */
    List<Diagnostic> diagnostics() {
        return Collections.unmodifiableList(diagnostics);
    }

    /** Names of the units that exist on their own: unit files that are not templates, and names in link dirs. */
    List<String> initialNames() {
        List<String> out = new ArrayList<>();
        for (String n : files.keySet()) if (!isTemplateName(n) && !aliasLinks.containsKey(n)) out.add(n);
        for (String n : unreadable.keySet()) if (!out.contains(n)) out.add(n);
        for (String n : masked.keySet()) if (!out.contains(n)) out.add(n);
        for (String n : wantedByDirs.keySet()) if (!out.contains(aliasLinks.getOrDefault(n, n))) out.add(aliasLinks.getOrDefault(n, n));
        for (String n : requiredByDirs.keySet()) if (!out.contains(aliasLinks.getOrDefault(n, n))) out.add(aliasLinks.getOrDefault(n, n));
        // The boot goal always exists, as in systemd: what it pulls in (basic.target, timers.target, …) starts.
        if (!out.contains(DEFAULT_TARGET) && !aliasLinks.containsKey(DEFAULT_TARGET)) out.add(DEFAULT_TARGET);
        return out;
    }

    static final String DEFAULT_TARGET = "default.target";

    private static boolean isTemplateName(String n) {
        try {
            return UnitName.parse(n).isTemplate();
        } catch (BadValueException e) {
            return false;
        }
    }

    /** True when a file (or template) can provide {@code name}: used to decide which referenced names to load. */
    boolean provides(String name) {
        if (aliasLinks.containsKey(name)) return false; // found through the unit's Alias=, not loaded twice
        if (files.containsKey(name) || masked.containsKey(name) || unreadable.containsKey(name)) return true;
        if (BuiltinTargets.has(name)) return true;
        try {
            UnitName n = UnitName.parse(name);
            return n.isInstance() && (files.containsKey(n.templateName()) || unreadable.containsKey(n.templateName()));
        } catch (BadValueException e) {
            return false;
        }
    }

    /** Builds one unit with its warnings. Never throws: every problem becomes a {@link LoadedUnit.Failed}. */
    Built build(String requested) {
        // A name that is an alias link builds the unit it points to; LoadResult finds it under both names.
        String name = aliasLinks.getOrDefault(requested, requested);
        UnitName un;
        try {
            un = UnitName.parse(name);
            un.kind();
            if (un.isTemplate()) throw new BadValueException(name + " is a template; start an instance such as "
                    + un.prefix() + "@NAME." + un.type());
        } catch (BadValueException e) {
            Path src = files.containsKey(name) ? files.get(name).path() : null;
            return failed(name, src, LoadState.ERROR, List.of(Diagnostic.error(src == null ? dir.resolve(name) : src, 0,
                    "invalid unit name " + name + ": " + e.getMessage())));
        }
        if (masked.containsKey(name)) {
            return new Built(new LoadedUnit.Failed(name, masked.get(name), LoadState.MASKED, List.of(name + " is masked")), List.of());
        }
        String fileName = name;
        if (!files.containsKey(name) && !unreadable.containsKey(name) && un.isInstance()) fileName = un.templateName();
        Unreadable bad = unreadable.get(fileName);
        if (bad != null) {
            return failed(name, bad.path(), LoadState.ERROR, List.of(Diagnostic.error(bad.path(), 0, bad.reason())));
        }
        List<Unreadable> badDropIns = new ArrayList<>(dropInErrors.getOrDefault(name, List.of()));
        if (un.isInstance()) badDropIns.addAll(dropInErrors.getOrDefault(un.templateName(), List.of()));
        if (!badDropIns.isEmpty() && files.containsKey(fileName)) {
            return failed(name, files.get(fileName).path(), LoadState.ERROR,
                    badDropIns.stream().map(b -> Diagnostic.error(b.path(), 0, b.reason())).toList());
        }
        UnitFile file = files.get(fileName);
        if (file == null && BuiltinTargets.has(name)) file = BuiltinTargets.file(name);
        if (file == null) {
            String reason = "no unit file " + dir.resolve(name)
                    + (un.isInstance() ? " and no template " + dir.resolve(un.templateName()) : "");
            return new Built(new LoadedUnit.Failed(name, null, LoadState.NOT_FOUND, List.of(reason)), List.of());
        }
        // Drop-ins: the template's first, then the unit's own; a same-named .conf of the unit replaces the template's.
        Map<String, UnitFile> confs = new LinkedHashMap<>();
        if (un.isInstance()) for (UnitFile f : dropIns.getOrDefault(un.templateName(), List.of())) confs.put(f.path().getFileName().toString(), f);
        for (UnitFile f : dropIns.getOrDefault(name, List.of())) {
            confs.remove(f.path().getFileName().toString());
            confs.put(f.path().getFileName().toString(), f);
        }
        for (UnitFile f : confs.values().stream().sorted((a, b) -> a.path().getFileName().compareTo(b.path().getFileName())).toList())
            file = file.plus(f);
        // Links in NAME.wants/ and NAME.requires/ are what `systemctl enable` makes from [Install]; they say
        // the same as WantedBy=/RequiredBy= of the linked unit, so they are added there.
        List<UnitFile.Assignment> extra = new ArrayList<>(file.assignments());
        List<String> names = new ArrayList<>(List.of(name));
        aliasLinks.forEach((alias, target) -> {
            if (target.equals(name)) {
                names.add(alias);
                extra.add(new UnitFile.Assignment("Install", "Alias", alias, dir.resolve(alias), 1));
            }
        });
        for (String n : names) {
            for (String owner : wantedByDirs.getOrDefault(n, List.of()))
                extra.add(new UnitFile.Assignment("Install", "WantedBy", owner, dir.resolve(owner + ".wants").resolve(n), 1));
            for (String owner : requiredByDirs.getOrDefault(n, List.of()))
                extra.add(new UnitFile.Assignment("Install", "RequiredBy", owner, dir.resolve(owner + ".requires").resolve(n), 1));
        }
        file = new UnitFile(file.path(), extra, file.diagnostics());
        UnitBuilder.Result r = UnitBuilder.build(un, file, system);
        if (r.failed()) {
            return new Built(new LoadedUnit.Failed(name, file.path(), LoadState.BAD_SETTING,
                    r.errors().stream().map(Diagnostic::toString).toList(), r.info()), r.diagnostics());
        }
        return new Built(new LoadedUnit.Ok(r.unit()), r.diagnostics());
    }

    private static Built failed(String name, Path src, LoadState state, List<Diagnostic> errors) {
        return new Built(new LoadedUnit.Failed(name, src, state, errors.stream().map(Diagnostic::toString).toList()), errors);
    }

    /** A built unit and every diagnostic about it. */
    record Built(LoadedUnit unit, List<Diagnostic> diagnostics) {}
}
