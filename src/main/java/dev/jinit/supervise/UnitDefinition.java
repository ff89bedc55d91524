package dev.jinit.supervise;

import dev.jinit.unit.LoadState;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A unit as the manager runs it, whatever it was loaded from: its dependencies, and for a service
 * the state machine's configuration and how to build each process. A unit that failed to load has
 * a {@code loadState} other than {@code loaded}, a {@code loadError}, and no service.
 *
 * @param name        full name, {@code web.service}
 * @param kind        service or target
 * @param loadState   systemd's LOAD column, as the unit loader decided it
 * @param loadError   why it is not loaded ("file:line: reason"), or null
 * @param source      the unit file, or null
 * @param description Description=, or the name
 * @param service     the service's configuration, for a loaded service; else null
 * @param plan        builds the service's processes; null when {@code service} is
 * @param directories RuntimeDirectory=/StateDirectory=/LogsDirectory= to create before the start
 * @param warnings    notes shown by {@code status UNIT} (unsupported directives with file:line)
 * @param fingerprint changes whenever the unit's files change (compared on daemon-reload)
 * @param conditions  Condition…=/Assert…=, checked when a start job begins
 * @param timer       the [Timer] section of a loaded timer; else null
 * @param socket      for a loaded socket unit: its sockets and the service it activates; else null
 * @param stdioSocket for a service: bit 0, 1, 2 set when StandardInput=, StandardOutput=, StandardError= is
 *                    {@code socket} (the connection of an Accept=yes socket)
 */
public record UnitDefinition(
        String name,
        Kind kind,
        LoadState loadState,
        String loadError,
        Path source,
        String description,
        Dependencies deps,
        ServiceConfig service,
        SpawnPlan plan,
        Directories directories,
        List<String> warnings,
        String fingerprint,
        StartConditions conditions,
        SocketConfig socket,
        int stdioSocket,
        dev.jinit.unit.TimerUnit.Timer timer) {

    public enum Kind { SERVICE, TARGET, SOCKET, TIMER }

    /**
     * The [Unit] and [Install] dependency lists, as written (unit names), and DefaultDependencies=.
     * The rules that turn them into a graph live in {@link dev.jinit.unit.DependencyGraph}.
     */
    public record Dependencies(List<String> requires, List<String> wants, List<String> bindsTo, List<String> after,
                               List<String> before, List<String> conflicts, List<String> wantedBy,
                               List<String> requiredBy, List<String> requisite, List<String> partOf,
                               boolean defaultDependencies, List<String> onFailure, List<String> onSuccess,
                               List<String> upholds, List<String> propagatesReloadTo, List<String> reloadPropagatedFrom) {
        public static final Dependencies NONE = new Dependencies(List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of());

        public Dependencies {
            requires = List.copyOf(requires);
            wants = List.copyOf(wants);
            bindsTo = List.copyOf(bindsTo);
            after = List.copyOf(after);
            before = List.copyOf(before);
            conflicts = List.copyOf(conflicts);
            wantedBy = List.copyOf(wantedBy);
            requiredBy = List.copyOf(requiredBy);
            requisite = List.copyOf(requisite);
            partOf = List.copyOf(partOf);
            onFailure = List.copyOf(onFailure);
            onSuccess = List.copyOf(onSuccess);
            upholds = List.copyOf(upholds);
            propagatesReloadTo = List.copyOf(propagatesReloadTo);
            reloadPropagatedFrom = List.copyOf(reloadPropagatedFrom);
        }

        /** Without OnFailure=, OnSuccess=, Upholds= and reload propagation. */
        public Dependencies(List<String> requires, List<String> wants, List<String> bindsTo, List<String> after,
                            List<String> before, List<String> conflicts, List<String> wantedBy,
                            List<String> requiredBy, List<String> requisite, List<String> partOf,
                            boolean defaultDependencies) {
            this(requires, wants, bindsTo, after, before, conflicts, wantedBy, requiredBy, requisite, partOf,
                    defaultDependencies, List.of(), List.of(), List.of(), List.of(), List.of());
        }

        /** Without Requisite=/PartOf=, with DefaultDependencies=yes. */
        public Dependencies(List<String> requires, List<String> wants, List<String> bindsTo, List<String> after,
                            List<String> before, List<String> conflicts, List<String> wantedBy, List<String> requiredBy) {
            this(requires, wants, bindsTo, after, before, conflicts, wantedBy, requiredBy, List.of(), List.of(), true);
        }

        /** The same lists with DefaultDependencies= set to {@code on}. */
        public Dependencies withDefaultDependencies(boolean on) {
            return new Dependencies(requires, wants, bindsTo, after, before, conflicts, wantedBy, requiredBy, requisite,
                    partOf, on, onFailure, onSuccess, upholds, propagatesReloadTo, reloadPropagatedFrom);
        }
    }

    /**
     * Directories made before the start: names relative to the runtime (/run), state (/var/lib) and
     * logs (/var/log) bases, owned by {@code uid}/{@code gid} when not null, with their modes.
     */
    public record Directories(List<String> runtime, List<String> state, List<String> logs, int runtimeMode,
                              int stateMode, int logsMode, Integer uid, Integer gid) {
        public static final Directories NONE = new Directories(List.of(), List.of(), List.of(), 0755, 0755, 0755, null, null);

        public Directories {
            runtime = List.copyOf(runtime);
            state = List.copyOf(state);
            logs = List.copyOf(logs);
            for (List<String> l : List.of(runtime, state, logs))
                for (String d : l)
                    if (d.isEmpty() || d.startsWith("/") || d.contains("..") )
                        throw new IllegalArgumentException("directory name must be relative and stay below its base: " + d);
        }

        public boolean isEmpty() {
            return runtime.isEmpty() && state.isEmpty() && logs.isEmpty();
        }
    }

    public UnitDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(loadState, "loadState");
        deps = deps == null ? Dependencies.NONE : deps;
        directories = directories == null ? Directories.NONE : directories;
        warnings = List.copyOf(warnings);
        description = description == null || description.isEmpty() ? name : description;
        conditions = conditions == null ? StartConditions.NONE : conditions;
        if (loadState == LoadState.LOADED && kind == Kind.SERVICE && (service == null || plan == null))
            throw new IllegalArgumentException(name + ": a loaded service needs its configuration and spawn plan");
        if (loadState == LoadState.LOADED && kind == Kind.SOCKET && socket == null)
            throw new IllegalArgumentException(name + ": a loaded socket unit needs its sockets");
        if (loadState == LoadState.LOADED && kind == Kind.TIMER && timer == null)
            throw new IllegalArgumentException(name + ": a loaded timer needs its [Timer] settings");
    }

    /** A unit without sockets and no timer. */
    public UnitDefinition(String name, Kind kind, LoadState loadState, String loadError, Path source, String description,
                          Dependencies deps, ServiceConfig service, SpawnPlan plan, Directories directories,
                          List<String> warnings, String fingerprint, StartConditions conditions) {
        this(name, kind, loadState, loadError, source, description, deps, service, plan, directories, warnings,
                fingerprint, conditions, null, 0, null);
    }

    /** A unit without Condition…=/Assert…= checks. */
    public UnitDefinition(String name, Kind kind, LoadState loadState, String loadError, Path source, String description,
                          Dependencies deps, ServiceConfig service, SpawnPlan plan, Directories directories,
                          List<String> warnings, String fingerprint) {
        this(name, kind, loadState, loadError, source, description, deps, service, plan, directories, warnings,
                fingerprint, StartConditions.NONE);
    }

    public boolean loaded() {
        return loadState == LoadState.LOADED;
    }

    /** This unit as a node of the one dependency graph. */
    public dev.jinit.unit.DependencyGraph.Node graphNode() {
        return new dev.jinit.unit.DependencyGraph.Node(name, loaded(), kind == Kind.TARGET, deps.defaultDependencies(),
                deps.requires(), deps.wants(), deps.bindsTo(), deps.requisite(), deps.partOf(), deps.conflicts(),
                deps.after(), deps.before(), deps.wantedBy(), deps.requiredBy());
    }

    /** The same unit with these dependencies and description (a failed unit's readable [Unit]/[Install]). */
    public UnitDefinition withDependencies(String description, Dependencies deps) {
        return new UnitDefinition(name, kind, loadState, loadError, source, description, deps, service, plan,
                directories, warnings, fingerprint, conditions, socket, stdioSocket, timer);
    }

    /** A unit that could not be loaded: it shows in status with the reason, and cannot start. */
    public static UnitDefinition failed(String name, LoadState loadState, String error, Path source) {
        Kind kind = name.endsWith(".target") ? Kind.TARGET : name.endsWith(".socket") ? Kind.SOCKET
                : name.endsWith(".timer") ? Kind.TIMER : Kind.SERVICE;
        return new UnitDefinition(name, kind, loadState, error, source, name, Dependencies.NONE, null, null,
                Directories.NONE, List.of(), "failed:" + error);
    }
}
