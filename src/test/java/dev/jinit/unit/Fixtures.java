package dev.jinit.unit;

import java.nio.file.Path;

/** Shared helpers: a pinned system context and one-line unit building. */
final class Fixtures {
    private Fixtures() {}

    static final SystemContext CTX = new SystemContext("root", 0, "/root", "/run", "box.example.org",
            "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210", "6.1.0-test");

    static UnitBuilder.Result build(String name, String text) {
        return UnitBuilder.build(UnitName.parse(name), UnitFileParser.parse(Path.of("/u/" + name), text), CTX);
    }

    static Service service(String text) {
        UnitBuilder.Result r = build("t.service", text);
        if (r.failed()) throw new AssertionError("unit failed: " + r.diagnostics());
        return ((ServiceUnit) r.unit()).service();
    }

    static Unit.UnitInfo info(String name, String text) {
        UnitBuilder.Result r = build(name, text);
        if (r.failed()) throw new AssertionError("unit failed: " + r.diagnostics());
        return r.unit().info();
    }

    /**
     * {@code names} without the built-in standard targets that DefaultDependencies= (and their own dependencies)
     * brought in: what the unit files of a test themselves made. A unit file named like a standard target stays.
     */
    static java.util.List<String> own(LoadResult r, java.util.Collection<String> names) {
        return names.stream().filter(n -> !(BuiltinTargets.has(n) && r.get(n).map(u -> u instanceof LoadedUnit.Ok ok
                && ok.unit().source().startsWith(BuiltinTargets.SOURCE_DIR)).orElse(true))).toList();
    }

    /** A dependency list without what DefaultDependencies=yes added. */
    static java.util.List<String> written(Unit.UnitInfo i, String directive, java.util.List<String> names) {
        return names.stream().filter(n -> !UnitBuilder.DEFAULT_DEPENDENCY.equals(i.origin(directive, n))).toList();
    }

    static String errors(UnitBuilder.Result r) {
        return String.join("\n", r.errors().stream().map(Diagnostic::toString).toList());
    }
}
