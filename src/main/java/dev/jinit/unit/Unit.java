package dev.jinit.unit;

import java.nio.file.Path;
import java.util.List;

/**
 * A successfully loaded unit: a {@link ServiceUnit}, a {@link TargetUnit}, a {@link SocketUnit} or a {@link TimerUnit}.
 * Immutable; a reload builds new ones.
 */
public sealed interface Unit permits ServiceUnit, TargetUnit, SocketUnit, TimerUnit {
    UnitInfo info();

    default String name() {
        return info().name();
    }

    default UnitKind kind() {
        return switch (this) {
            case ServiceUnit s -> UnitKind.SERVICE;
            case TargetUnit t -> UnitKind.TARGET;
            case TimerUnit t -> UnitKind.TIMER;
            case SocketUnit s -> UnitKind.SOCKET;
        };
    }

    default Path source() {
        return info().source();
    }

    default String description() {
        return info().description();
    }

    /**
     * What every unit type has: [Unit] and [Install].
     *
     * @param name                the unit name, e.g. {@code web@8080.service}
     * @param source              the file it was loaded from (for an instance: the template)
     * @param dropIns             the drop-in files applied after it, in order
     * @param description         Description=, or the name when not set
     * @param requires            Requires=
     * @param wants               Wants= (including the {@code NAME.wants/} directory)
     * @param bindsTo             BindsTo=
     * @param after               After=
     * @param before              Before=
     * @param conflicts           Conflicts=
     * @param startLimitInterval  StartLimitIntervalSec= (default 10 s; zero disables rate limiting)
     * @param startLimitBurst     StartLimitBurst= (default 5)
     * @param wantedBy            [Install] WantedBy=
     * @param requiredBy          [Install] RequiredBy= (including the {@code NAME.requires/} directory)
     * @param aliases             [Install] Alias=: other names that find this unit
     * @param defaultDependencies DefaultDependencies= (yes): for a target, whether it is ordered after what it
     *                            pulls in
     * @param unsupported         every assignment jinit does not interpret (unknown directives and sections), kept
     *                            as written with file and line, for status output and for tools
     * @param origins             where each dependency was declared: {@code "After=b.service"} →
     *                            {@code "/etc/units/a.service:3"}, so that graph errors can name the line
     * @param conditions          the path Condition…= and Assert…= checks, evaluated at each start
     * @param requisite           Requisite=: must already be up when this unit starts (never started by it)
     * @param partOf              PartOf=: stopping or restarting those units stops or restarts this one
     * @param onFailure           OnFailure=: units started when this one enters the failed state
     * @param onSuccess           OnSuccess=: units started when this one goes inactive successfully
     * @param upholds             Upholds=: units started again whenever they are down while this one is up
     * @param propagatesReloadTo  PropagatesReloadTo=: reloading this unit reloads those
     * @param reloadPropagatedFrom ReloadPropagatedFrom=: reloading those units reloads this one
     */
    record UnitInfo(String name, Path source, List<Path> dropIns, String description,
                    List<String> requires, List<String> wants, List<String> bindsTo,
                    List<String> after, List<String> before, List<String> conflicts,
                    java.time.Duration startLimitInterval, int startLimitBurst,
                    List<String> wantedBy, List<String> requiredBy, List<String> aliases,
                    boolean defaultDependencies, List<UnitFile.Assignment> unsupported,
                    java.util.Map<String, String> origins, List<Condition> conditions,
                    List<String> requisite, List<String> partOf, List<String> onFailure, List<String> onSuccess,
                    List<String> upholds, List<String> propagatesReloadTo, List<String> reloadPropagatedFrom) {
        public UnitInfo {
            onFailure = List.copyOf(onFailure);
            onSuccess = List.copyOf(onSuccess);
            upholds = List.copyOf(upholds);
            propagatesReloadTo = List.copyOf(propagatesReloadTo);
            reloadPropagatedFrom = List.copyOf(reloadPropagatedFrom);
            requisite = List.copyOf(requisite);
            partOf = List.copyOf(partOf);
            dropIns = List.copyOf(dropIns);
            requires = List.copyOf(requires);
            wants = List.copyOf(wants);
            bindsTo = List.copyOf(bindsTo);
            after = List.copyOf(after);
            before = List.copyOf(before);
            conflicts = List.copyOf(conflicts);
            wantedBy = List.copyOf(wantedBy);
            requiredBy = List.copyOf(requiredBy);
            aliases = List.copyOf(aliases);
            unsupported = List.copyOf(unsupported);
            origins = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(origins));
            conditions = List.copyOf(conditions);
            if (startLimitBurst < 0) throw new IllegalArgumentException("negative StartLimitBurst");
        }

        /** Without OnFailure=, OnSuccess=, Upholds= and reload propagation. */
        public UnitInfo(String name, Path source, List<Path> dropIns, String description,
                        List<String> requires, List<String> wants, List<String> bindsTo,
                        List<String> after, List<String> before, List<String> conflicts,
                        java.time.Duration startLimitInterval, int startLimitBurst,
                        List<String> wantedBy, List<String> requiredBy, List<String> aliases,
                        boolean defaultDependencies, List<UnitFile.Assignment> unsupported,
                        java.util.Map<String, String> origins, List<Condition> conditions,
                        List<String> requisite, List<String> partOf) {
            this(name, source, dropIns, description, requires, wants, bindsTo, after, before, conflicts, startLimitInterval,
                    startLimitBurst, wantedBy, requiredBy, aliases, defaultDependencies, unsupported, origins, conditions,
                    requisite, partOf, List.of(), List.of(), List.of(), List.of(), List.of());
        }

        /** Where {@code directive=unit} was declared ({@code file:line}), or null when it was not. */
        public String origin(String directive, String unit) {
            return origins.get(directive + "=" + unit);
        }
    }
}
