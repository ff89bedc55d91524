package dev.jinit.cli;

import dev.jinit.unit.BuiltinTargets;
import dev.jinit.unit.Diagnostic;
import dev.jinit.unit.LoadResult;
import dev.jinit.unit.LoadedUnit;
import dev.jinit.unit.ServiceUnit;
import dev.jinit.unit.Unit;
import dev.jinit.unit.UnitFile;
import dev.jinit.unit.UnitFileParser;
import dev.jinit.unit.UnitLoader;
import dev.jinit.unit.UnitName;
import dev.jinit.unit.BadValueException;
import dev.jinit.unit.ExecCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * systemctl's commands on unit files, on jinit's one unit directory ({@code --units DIR}, by default boot mode's
 * /etc/jinit/units); no running jinit is needed, and none is told (run {@code jinit daemon-reload} after a change,
 * as with systemctl):
 * <ul>
 * <li>{@code cat UNIT...}: the unit file and its drop-ins, each after a {@code # PATH} line;</li>
 * <li>{@code list-unit-files}: every unit file with its state (enabled, disabled, static, masked, alias, generated
 *     for a built-in target);</li>
 * <li>{@code is-enabled UNIT...}: that state; exit 0 for enabled, static, alias, 1 otherwise;</li>
 * <li>{@code enable|disable UNIT...}: the [Install] links ({@code WantedBy=} and {@code RequiredBy=} in
 *     {@code TARGET.wants/} and {@code TARGET.requires/}, {@code Alias=} beside the file), made or removed;</li>
 * <li>{@code mask|unmask UNIT...}: a link to /dev/null, which the loader reads as masked;</li>
 * <li>{@code verify FILE...}: systemd-analyze verify: every load diagnostic of the units (file:line), and the
 *     commands that are not executable; exit 1 when any unit would not load.</li>
 * </ul>
 */
final class UnitFileCommands {
    private UnitFileCommands() {}

    static final Set<String> WORDS = Set.of("cat", "list-unit-files", "is-enabled", "enable", "disable", "mask", "unmask", "verify");

    private record Args(Path dir, List<String> names, boolean dirGiven) {}

    static int run(String word, String[] args, PrintStream out, PrintStream err) {
        Path dir = SecurityCommand.DEFAULT_UNITS;
        boolean given = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--units")) {
                if (++i >= args.length) return usage(word, err);
                dir = Path.of(args[i]);
                given = true;
            } else if (a.startsWith("--units=")) {
                dir = Path.of(a.substring(8));
                given = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(usageLine(word));
                return 0;
            } else if (a.startsWith("-")) {
                return usage(word, err);
            } else {
                names.add(word.equals("verify") ? a : ClientCommand.unitName(a));
            }
        }
        boolean needsNames = !word.equals("list-unit-files");
        if (needsNames && names.isEmpty()) return usage(word, err);
        if (!needsNames && !names.isEmpty()) return usage(word, err);
        Args a = new Args(dir, names, given);
        if (!word.equals("verify") && !Files.isDirectory(dir)) {
            err.println("jinit " + word + ": " + dir + " is not a directory (give --units DIR)");
            return 1;
        }
        try {
            return switch (word) {
                case "cat" -> cat(a, out, err);
                case "list-unit-files" -> listUnitFiles(a, out);
                case "is-enabled" -> isEnabled(a, out, err);
                case "enable" -> enable(a, out, err, true);
                case "disable" -> enable(a, out, err, false);
                case "mask" -> mask(a, out, err, true);
                case "unmask" -> mask(a, out, err, false);
                case "verify" -> verify(a, out, err);
                default -> usage(word, err);
            };
        } catch (IOException e) {
            err.println("jinit " + word + ": " + e);
            return 1;
        }
    }

    private static String usageLine(String word) {
        return "usage: jinit " + word + " [--units DIR]" + switch (word) {
            case "list-unit-files" -> "";
            case "verify" -> " FILE...";
            default -> " UNIT...";
        };
    }

    private static int usage(String word, PrintStream err) {
        err.println(usageLine(word));
        return 2;
    }

    // ---- cat ----

    private static int cat(Args a, PrintStream out, PrintStream err) throws IOException {
        LoadResult r = load(a.dir(), a.names());
        int rc = 0;
        boolean first = true;
        for (String n : a.names()) {
            var lu = r.get(n);
            Unit.UnitInfo info = lu.map(LoadedUnit::infoOrNull).orElse(null);
            Path source = info != null ? info.source() : lu.map(u -> u instanceof LoadedUnit.Failed f ? f.source() : null).orElse(null);
            if (source == null || (lu.isPresent() && lu.get().loadState() == dev.jinit.unit.LoadState.MASKED)) {
                err.println(lu.isPresent() && lu.get().loadState() == dev.jinit.unit.LoadState.MASKED
                        ? "Unit " + n + " is masked." : "No files found for " + n + ".");
                rc = 1;
                continue;
            }
            if (!first) out.println();
            first = false;
            out.println("# " + source);
            out.print(withNewline(textOf(source)));
            for (Path d : info == null ? List.<Path>of() : info.dropIns()) {
                out.println();
                out.println("# " + d);
                out.print(withNewline(Files.readString(d, StandardCharsets.UTF_8)));
            }
        }
        return rc;
    }

    private static String textOf(Path source) throws IOException {
        if (source.startsWith(BuiltinTargets.SOURCE_DIR)) return BuiltinTargets.text(source.getFileName().toString());
        return Files.readString(source, StandardCharsets.UTF_8);
    }

    private static String withNewline(String s) {
        return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
    }

    // ---- states ----

    /** systemctl's unit file states, as jinit's one directory can have them. */
    static String state(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (Files.isSymbolicLink(p)) {
            Path t = Files.readSymbolicLink(p);
            if (t.equals(Path.of("/dev/null"))) return "masked";
            if (!t.getFileName().toString().equals(name)) return "alias";
        }
        if (!Files.exists(p)) {
            if (BuiltinTargets.has(name)) return "static";
            UnitName un;
            try {
                un = UnitName.parse(name);
            } catch (BadValueException e) {
                return "not-found";
            }
            if (!un.isInstance() || !Files.exists(dir.resolve(un.templateName()))) return "not-found";
            return linked(dir, name) ? "enabled" : "disabled";
        }
        if (Files.isRegularFile(p) && Files.size(p) == 0) return "masked";
        UnitFile f = UnitFileParser.parse(p, Files.readString(p, StandardCharsets.UTF_8));
        boolean install = f.assignments().stream().anyMatch(x -> x.section().equals("Install")
                && Set.of("WantedBy", "RequiredBy", "Alias", "Also").contains(x.key()) && !x.value().isBlank());
        try {
            if (UnitName.parse(name).isTemplate()) return install ? "indirect" : "static";
        } catch (BadValueException e) {
            return "bad";
        }
        if (linked(dir, name)) return "enabled";
        return install ? "disabled" : "static";
    }

    /** Whether some {@code TARGET.wants/} or {@code TARGET.requires/} holds a link of this name. */
    private static boolean linked(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.toList()) {
                String f = d.getFileName().toString();
                if ((f.endsWith(".wants") || f.endsWith(".requires")) && Files.isDirectory(d)
                        && Files.exists(d.resolve(name), LinkOption.NOFOLLOW_LINKS)) return true;
            }
        }
        return false;
    }

    private static int listUnitFiles(Args a, PrintStream out) throws IOException {
        TreeMap<String, String> rows = new TreeMap<>();
        try (Stream<Path> s = Files.list(a.dir())) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (Files.isDirectory(p)) continue;
                try {
                    UnitName.parse(f);
                } catch (BadValueException e) {
                    continue;
                }
                rows.put(f, state(a.dir(), f));
            }
        }
        for (String b : BuiltinTargets.names()) rows.putIfAbsent(b, "generated");
        int w = Math.max("UNIT FILE".length(), rows.keySet().stream().mapToInt(String::length).max().orElse(0));
        out.println(pad("UNIT FILE", w) + " STATE");
        rows.forEach((n, st) -> out.println(pad(n, w) + " " + st));
        out.println();
        out.println(rows.size() + " unit files listed.");
        return 0;
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static int isEnabled(Args a, PrintStream out, PrintStream err) throws IOException {
        boolean any = false;
        int rc = 0;
        for (String n : a.names()) {
            String st = state(a.dir(), n);
            if (st.equals("not-found")) {
                err.println("Failed to get unit file state for " + n + ": No such file or directory");
                rc = 1;
                continue;
            }
            out.println(st);
            if (Set.of("enabled", "static", "alias", "indirect", "generated").contains(st)) any = true;
        }
        // systemctl: 0 when at least one unit is enabled (or static, alias, indirect, generated), else 1.
        return any ? 0 : 1 | rc;
    }

    // ---- enable / disable ----

    private static int enable(Args a, PrintStream out, PrintStream err, boolean on) throws IOException {
        int rc = 0;
        for (String n : a.names()) {
            UnitName un;
            try {
                un = UnitName.parse(n);
            } catch (BadValueException e) {
                err.println("Failed to " + (on ? "enable" : "disable") + " unit: " + e.getMessage());
                rc = 1;
                continue;
            }
            Path file = a.dir().resolve(un.isInstance() && !Files.exists(a.dir().resolve(n)) ? un.templateName() : n);
            if (!Files.isRegularFile(file)) {
                err.println("Failed to " + (on ? "enable" : "disable") + " unit: Unit file " + n + " does not exist.");
                rc = 1;
                continue;
            }
            // The [Install] section as the loader reads it (specifiers such as %i expanded for an instance).
            LoadResult r = load(a.dir(), List.of(n));
            Unit.UnitInfo info = r.get(n).map(LoadedUnit::infoOrNull).orElse(null);
            if (info == null) {
                err.println("Failed to " + (on ? "enable" : "disable") + " unit " + n + ": "
                        + r.get(n).map(u -> u instanceof LoadedUnit.Failed f ? String.join("; ", f.reasons()) : "").orElse(""));
                rc = 1;
                continue;
            }
            List<String> wanted = declared(file, "WantedBy", un), required = declared(file, "RequiredBy", un),
                    aliases = declared(file, "Alias", un);
            if (wanted.isEmpty() && required.isEmpty() && aliases.isEmpty()) {
                out.println("The unit files have no installation config (WantedBy=, RequiredBy=, Alias= settings in the "
                        + "[Install] section). This means they are not meant to be enabled using jinit enable.");
                continue;
            }
            Path target = file.toAbsolutePath();
            List<Path> links = new ArrayList<>();
            for (String t : wanted) links.add(a.dir().resolve(t + ".wants").resolve(n));
            for (String t : required) links.add(a.dir().resolve(t + ".requires").resolve(n));
            for (String al : aliases) links.add(a.dir().resolve(al));
            for (Path l : links) {
                if (on) {
                    if (Files.exists(l, LinkOption.NOFOLLOW_LINKS)) continue;
                    Files.createDirectories(l.getParent());
                    Files.createSymbolicLink(l, target);
                    out.println("Created symlink " + l + " \u2192 " + target + ".");
                } else if (Files.isSymbolicLink(l)) {
                    Files.delete(l);
                    out.println("Removed \"" + l + "\".");
                }
            }
        }
        return rc;
    }

    /** The names an [Install] directive of the file (and its drop-ins: not read here) lists, %i expanded. */
    private static List<String> declared(Path file, String key, UnitName un) throws IOException {
        UnitFile f = UnitFileParser.parse(file, Files.readString(file, StandardCharsets.UTF_8));
        Set<String> out = new LinkedHashSet<>();
        for (UnitFile.Assignment x : f.assignments()) {
            if (!x.section().equals("Install") || !x.key().equals(key)) continue;
            if (x.value().isBlank()) {
                out.clear();
                continue;
            }
            for (String w : x.value().trim().split("\\s+")) {
                String v = w.replace("%i", un.instance() == null ? "" : un.instance()).replace("%p", un.prefix())
                        .replace("%N", un.withoutSuffix()).replace("%n", un.name()).replace("%%", "%");
                try {
                    UnitName.parse(v);
                    out.add(v);
                } catch (BadValueException e) {
                    // systemctl skips such a name with a warning; the loader reports it with its line
                }
            }
        }
        return List.copyOf(out);
    }

    // ---- mask / unmask ----

    private static int mask(Args a, PrintStream out, PrintStream err, boolean on) throws IOException {
        int rc = 0;
        Path devNull = Path.of("/dev/null");
        for (String n : a.names()) {
            Path l = a.dir().resolve(n);
            if (on) {
                if (Files.isSymbolicLink(l) && Files.readSymbolicLink(l).equals(devNull)) continue;
                if (Files.exists(l, LinkOption.NOFOLLOW_LINKS)) {
                    // One directory holds jinit's units: masking would have to delete the unit file itself.
                    err.println("Failed to mask unit: File " + l + " already exists.");
                    rc = 1;
                    continue;
                }
                Files.createSymbolicLink(l, devNull);
                out.println("Created symlink " + l + " \u2192 /dev/null.");
            } else if (Files.isSymbolicLink(l) && Files.readSymbolicLink(l).equals(devNull)) {
                Files.delete(l);
                out.println("Removed \"" + l + "\".");
            }
        }
        return rc;
    }

    // ---- verify ----

    private static int verify(Args a, PrintStream out, PrintStream err) throws IOException {
        int rc = 0;
        for (String f : a.names()) {
            Path file = Path.of(f).toAbsolutePath().normalize();
            Path dir = a.dirGiven() ? a.dir() : file.getParent();
            String name = file.getFileName().toString();
            if (!Files.exists(file) && !a.dirGiven()) {
                err.println(file + ": No such file or directory");
                rc = 1;
                continue;
            }
            LoadResult r;
            try {
                r = UnitLoader.load(dir).with(name);
            } catch (IOException e) {
                err.println("jinit verify: " + e.getMessage());
                rc = 1;
                continue;
            }
            LoadedUnit lu = r.get(name).orElseThrow();
            Unit.UnitInfo info = lu.infoOrNull();
            List<Path> files = new ArrayList<>(List.of(file));
            if (info != null) files.addAll(info.dropIns());
            for (Diagnostic d : r.diagnostics()) if (files.contains(d.file())) (d.isError() ? err : out).println(d);
            if (lu instanceof LoadedUnit.Failed failed) {
                for (String reason : failed.reasons())
                    if (r.diagnostics().stream().noneMatch(d -> d.toString().equals(reason))) err.println(reason);
                err.println(name + ": failed to load (" + failed.loadState().word() + ")");
                rc = 1;
                continue;
            }
            if (((LoadedUnit.Ok) lu).unit() instanceof ServiceUnit su) {
                // systemd-analyze verify: "Command /x is not executable: No such file or directory".
                var s = su.service();
                for (List<ExecCommand> l : List.of(s.execStartPre(), s.execStart(), s.execStartPost(), s.execReload(),
                        s.execStop(), s.execStopPost())) {
                    for (ExecCommand c : l) {
                        Path exe = Path.of(c.path());
                        if (!exe.isAbsolute()) continue;
                        String why = !Files.exists(exe) ? "No such file or directory"
                                : Files.isDirectory(exe) || !Files.isExecutable(exe) ? "Permission denied" : null;
                        if (why != null) {
                            err.println(file + ": Command " + exe + " is not executable: " + why);
                            rc = 1;
                        }
                    }
                }
            }
            for (String note : new dev.jinit.unit.UnitGraph(r).notes())
                if (note.startsWith(file.toString()) || note.startsWith(name)) out.println(note);
        }
        return rc;
    }

    private static LoadResult load(Path dir, List<String> names) throws IOException {
        LoadResult r = UnitLoader.load(dir);
        for (String n : names) r = r.with(n);
        return r;
    }
}
