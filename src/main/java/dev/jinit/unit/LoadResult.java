package dev.jinit.unit;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every unit of a directory, loaded or failed, with every diagnostic. Immutable: {@link #with} returns a new
 * result that also holds a template instance requested later.
 */
public final class LoadResult {
    private final UnitDirectory source;
    private final Map<String, LoadedUnit> units;
    private final Map<String, String> aliases;
    private final List<Diagnostic> diagnostics;
    private final List<List<String>> cycles;

    private LoadResult(UnitDirectory source, Map<String, LoadedUnit> units, List<Diagnostic> diagnostics,
                       List<List<String>> cycles) {
        this.source = source;
        this.cycles = List.copyOf(cycles);
        this.units = Collections.unmodifiableMap(new TreeMap<>(units));
        this.diagnostics = List.copyOf(diagnostics);
        Map<String, String> a = new TreeMap<>();
        for (LoadedUnit u : this.units.values())
            if (u instanceof LoadedUnit.Ok ok)
                for (String alias : ok.unit().info().aliases())
                    if (!this.units.containsKey(alias)) a.putIfAbsent(alias, ok.name());
        this.aliases = Collections.unmodifiableMap(a);
    }

    /** Loads the units named, and every unit of the directory they reference, transitively. */
    static LoadResult load(UnitDirectory dir, List<String> names) {
        Map<String, LoadedUnit> units = new TreeMap<>();
        List<Diagnostic> diags = new ArrayList<>(dir.diagnostics());
        return failCycles(dir, closure(dir, names, units, diags), diags);
    }

    /**
     * Units on an ordering cycle can never start (each waits for the other), so they fail here, once, with
     * the cycle and the lines that make it; every other unit, and the orders computed later, are unaffected.
     */
    private static LoadResult failCycles(UnitDirectory dir, Map<String, LoadedUnit> units, List<Diagnostic> diags) {
        LoadResult raw = new LoadResult(dir, units, diags, List.of());
        UnitGraph g = new UnitGraph(raw);
        if (g.cycleFailures().isEmpty()) return raw;
        Map<String, LoadedUnit> failed = new TreeMap<>(units);
        g.cycleFailures().forEach((name, reason) -> {
            // A unit on the cycle may have failed already (another unit's After=/Before= names it): it
            // keeps its own reason; the units that loaded fail with the cycle.
            if (!(units.get(name) instanceof LoadedUnit.Ok ok)) return;
            failed.put(name, new LoadedUnit.Failed(name, ok.unit().source(), LoadState.BAD_SETTING, List.of(reason), ok.unit().info()));
            diags.add(Diagnostic.error(ok.unit().source(), 0, reason));
        });
        return new LoadResult(dir, failed, diags, g.cycles());
    }

    /** The ordering cycles found while loading; their units are {@link LoadedUnit.Failed}. */
    public List<List<String>> cycles() {
        return cycles;
    }

    private static Map<String, LoadedUnit> closure(UnitDirectory dir, List<String> names, Map<String, LoadedUnit> units,
                                                   List<Diagnostic> diags) {
        Deque<String> todo = new ArrayDeque<>(names);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (units.containsKey(n)) continue;
            UnitDirectory.Built b = dir.build(n);
            units.put(n, b.unit());
            diags.addAll(b.diagnostics());
            Unit.UnitInfo i = b.unit().infoOrNull();
            if (i != null) {
                Stream.of(i.requires(), i.wants(), i.bindsTo(), i.after(), i.before(), i.conflicts(), i.wantedBy(), i.requiredBy(),
                                i.requisite(), i.partOf(), i.onFailure(), i.onSuccess(), i.upholds(),
                                i.propagatesReloadTo(), i.reloadPropagatedFrom())
                        .flatMap(List::stream)
                        .filter(r -> !units.containsKey(r) && dir.provides(r))
                        .forEach(todo::add);
            }
        }
        return units;
    }

    /**
     * One instance of a template built from the files already read, without loading anything else (the
     * instances of an Accept=yes socket, one per connection). Never throws: a problem is a {@link LoadedUnit.Failed}.
     */
    public LoadedUnit instance(String name) {
        return source.build(name).unit();
    }

    /** The directory the units came from. */
    public Path dir() {
        return source.dir();
    }

    /** Every unit by name, sorted by name. */
    public Map<String, LoadedUnit> units() {
        return units;
    }

    /** Every warning and error, in the order found. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public List<Diagnostic> warnings() {
        return diagnostics.stream().filter(d -> !d.isError()).toList();
    }

    /** {@code Alias=} names and the units they stand for. */
    public Map<String, String> aliases() {
        return aliases;
    }

    /** The unit called {@code name} or aliased so, if it was loaded (successfully or not). */
    public Optional<LoadedUnit> get(String name) {
        LoadedUnit u = units.get(name);
        if (u == null && aliases.containsKey(name)) u = units.get(aliases.get(name));
        return Optional.ofNullable(u);
    }

    /** The successfully loaded unit called {@code name} (or aliased so). */
    public Optional<Unit> unit(String name) {
        return get(name).flatMap(u -> u instanceof LoadedUnit.Ok ok ? Optional.of(ok.unit()) : Optional.empty());
    }

    /**
     * This result plus {@code name} and whatever it references, loading template instances on demand. When
     * {@code name} has no file, the result holds it as {@link LoadState#NOT_FOUND}, so the caller always finds it.
     */
    public LoadResult with(String name) {
        if (get(name).isPresent()) return this;
        // Rebuilt from the directory, not from this result, so that a new instance that closes a cycle with
        // units already here is found like any other cycle.
        Map<String, LoadedUnit> all = new TreeMap<>();
        List<Diagnostic> diags = new ArrayList<>(source.diagnostics());
        List<String> names = new ArrayList<>(units.keySet());
        names.add(name);
        return failCycles(source, closure(source, names, all, diags), diags);
    }
}
