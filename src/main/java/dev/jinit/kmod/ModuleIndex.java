package dev.jinit.kmod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's module index as depmod writes it under {@code /lib/modules/VERSION}: which modules exist
 * and what each needs ({@code modules.dep}), which aliases name them ({@code modules.alias}), and which
 * are built into the kernel ({@code modules.builtin}, with their aliases in
 * {@code modules.builtin.modinfo}).
 *
 * <p>Lookups follow kmod's order: a module's own name, then modules.alias, then the built-in list. A
 * built-in module counts as present, so asking for {@code ext4} on a kernel that has it built in is
 * not an error and loads nothing.
 */
public final class ModuleIndex {
    /** The files of a modules directory that describe it (as opposed to the modules themselves). */
    public static final List<String> INDEX_FILES = List.of("modules.dep", "modules.dep.bin", "modules.alias",
            "modules.alias.bin", "modules.softdep", "modules.symbols", "modules.symbols.bin", "modules.builtin",
            "modules.builtin.bin", "modules.builtin.alias.bin", "modules.builtin.modinfo", "modules.order",
            "modules.devname");

    private record Alias(String pattern, String module) {}

    private final Map<String, KernelModule> modules;
    private final List<Alias> aliases;
    private final Set<String> builtin;
    private final List<Alias> builtinAliases;

    private ModuleIndex(Map<String, KernelModule> modules, List<Alias> aliases, Set<String> builtin,
            List<Alias> builtinAliases) {
        this.modules = modules;
        this.aliases = aliases;
        this.builtin = builtin;
        this.builtinAliases = builtinAliases;
    }

    /**
     * Reads the index of {@code dir} (e.g. /lib/modules/6.1.0-28-cloud-amd64). modules.dep is required:
     * without it (depmod not run) nothing can be resolved; the other files are optional.
     */
    public static ModuleIndex load(Path dir) throws IOException {
        Path dep = dir.resolve("modules.dep");
        if (!Files.isRegularFile(dep))
            throw new KmodException(dep + ": not found (is " + dir + " a kernel's modules directory? run depmod)");
        return parse(Files.readString(dep), read(dir.resolve("modules.alias")), read(dir.resolve("modules.builtin")),
                read(dir.resolve("modules.builtin.modinfo")));
    }

    private static String read(Path file) throws IOException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /**
     * Parses the index from the files' contents ({@code ""} for a file that is absent).
     *
     * @param builtinModinfo modules.builtin.modinfo: NUL-separated {@code module.key=value} records
     * @throws KmodException naming the file and line of a malformed line
     */
    public static ModuleIndex parse(String modulesDep, String modulesAlias, String modulesBuiltin,
            String builtinModinfo) {
        Map<String, KernelModule> modules = new LinkedHashMap<>();
        String[] lines = modulesDep.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new KmodException("modules.dep:" + (i + 1) + ": expected 'module.ko: deps...', got '"
                    + line + "'");
            String path = line.substring(0, colon).strip();
            List<String> deps = new ArrayList<>();
            for (String d : line.substring(colon + 1).strip().split("\\s+"))
                if (!d.isEmpty()) deps.add(ModuleNames.ofPath(d));
            // depmod writes one line per name; if a name repeats (a hand-edited file), the first wins as in kmod.
            modules.putIfAbsent(ModuleNames.ofPath(path), new KernelModule(ModuleNames.ofPath(path), path, deps));
        }
        List<Alias> aliases = new ArrayList<>();
        lines = modulesAlias.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] words = line.split("\\s+");
            if (words.length != 3 || !words[0].equals("alias"))
                throw new KmodException("modules.alias:" + (i + 1) + ": expected 'alias PATTERN MODULE', got '" + line + "'");
            aliases.add(new Alias(ModuleNames.normalizeAlias(words[1]), ModuleNames.normalize(words[2])));
        }
        Set<String> builtin = new HashSet<>();
        for (String line : modulesBuiltin.split("\n")) {
            line = line.strip();
            if (!line.isEmpty() && !line.startsWith("#")) builtin.add(ModuleNames.ofPath(line));
        }
        List<Alias> builtinAliases = new ArrayList<>();
        for (String record : builtinModinfo.split("\0")) {
            // "ext4.alias=fs-ext4": the module name is everything before the first dot.
            int dot = record.indexOf('.');
            int eq = record.indexOf('=');
            if (dot <= 0 || eq < dot) continue;
            String module = ModuleNames.normalize(record.substring(0, dot));
            if (record.substring(dot + 1, eq).equals("alias")) {
                builtin.add(module);
                builtinAliases.add(new Alias(ModuleNames.normalizeAlias(record.substring(eq + 1)), module));
            }
        }
        return new ModuleIndex(modules, aliases, builtin, builtinAliases);
    }

    /** The loadable module of that name (dashes or underscores), if modules.dep has it. */
    public KernelModule module(String name) {
        return modules.get(ModuleNames.normalize(name));
    }

    public boolean isBuiltin(String name) {
        return builtin.contains(ModuleNames.normalize(name));
    }

    /**
     * The modules to load for {@code requested} (names or aliases, in either spelling), dependencies
     * first and each once, and which of them are built in.
     *
     * @throws KmodException naming a module that is neither loadable, an alias nor built in, or a
     *     dependency modules.dep names but does not describe
     */
    public ModuleResolution resolve(List<String> requested) {
        Set<String> wanted = new LinkedHashSet<>();
        Set<String> builtinHits = new LinkedHashSet<>();
        for (String request : requested) {
            String name = request.strip();
            if (name.isEmpty()) continue;
            for (String module : lookup(name)) {
                if (modules.containsKey(module)) wanted.add(module);
                else builtinHits.add(module);
            }
        }
        List<KernelModule> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String module : wanted) visit(module, null, done, new LinkedHashSet<>(), order);
        return new ModuleResolution(order, List.copyOf(builtinHits));
    }

    /** kmod's lookup order: the module itself, modules.alias, then what is built into the kernel. */
    private List<String> lookup(String name) {
        String normalized = ModuleNames.normalize(name);
        if (modules.containsKey(normalized)) return List.of(normalized);
        String alias = ModuleNames.normalizeAlias(name);
        List<String> hits = matching(aliases, alias);
        if (!hits.isEmpty()) {
            for (String hit : hits)
                if (!modules.containsKey(hit) && !builtin.contains(hit))
                    throw new KmodException("module '" + name + "': modules.alias names '" + hit
                            + "', which is neither in modules.dep nor built in");
            return hits;
        }
        if (builtin.contains(normalized)) return List.of(normalized);
        hits = matching(builtinAliases, alias);
        if (!hits.isEmpty()) return hits;
        throw new KmodException("module '" + name + "' not found: not in modules.dep, modules.alias or modules.builtin");
    }

    private static List<String> matching(List<Alias> aliases, String alias) {
        Set<String> hits = new LinkedHashSet<>();
        for (Alias a : aliases) if (Glob.matches(a.pattern(), alias)) hits.add(a.module());
        return List.copyOf(hits);
    }

    /** Depth-first, dependencies before the module: the order finit_module needs (symbols must exist). */
    private void visit(String name, String neededBy, Set<String> done, LinkedHashSet<String> path,
            List<KernelModule> order) {
        if (done.contains(name)) return;
        KernelModule module = modules.get(name);
        if (module == null) {
            if (builtin.contains(name)) return; // a dependency that is built in is present already
            throw new KmodException("modules.dep: '" + neededBy + "' depends on '" + name
                    + "', which has no line of its own");
        }
        if (!path.add(name)) {
            List<String> cycle = new ArrayList<>(path);
            cycle = cycle.subList(cycle.indexOf(name), cycle.size());
            throw new KmodException("modules.dep: dependency cycle " + String.join(" -> ", cycle) + " -> " + name);
        }
        // depmod lists the deepest dependency last, and modprobe loads the list from its end.
        List<String> deps = module.dependencies();
        for (int i = deps.size() - 1; i >= 0; i--) visit(deps.get(i), name, done, path, order);
        path.remove(name);
        done.add(name);
        order.add(module);
    }
}
