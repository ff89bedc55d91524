package dev.jinit.unit;

import java.nio.file.Path;
import java.util.List;

/** What loading one name gave: a {@link Ok} unit, or a {@link Failed} one with the reasons. */
public sealed interface LoadedUnit permits LoadedUnit.Ok, LoadedUnit.Failed {
    String name();

    LoadState loadState();

    /** A unit that loaded; it may still carry warnings in the load result's diagnostics. */
    record Ok(Unit unit) implements LoadedUnit {
        public String name() {
            return unit.name();
        }

        public LoadState loadState() {
            return LoadState.LOADED;
        }
    }

    /**
     * A unit that cannot run. One failed unit never stops the others from loading.
     *
     * @param source  the file, or null when there is none
     * @param reasons each a full {@code file:line: Directive=value: reason} message
     * @param partial for {@link LoadState#BAD_SETTING}: the [Unit]/[Install] settings that could be read, so
     *                the graph still knows who wants this unit and it shows as failed where it would have
     *                started; null when the file could not be read at all
     */
    record Failed(String name, Path source, LoadState loadState, List<String> reasons, Unit.UnitInfo partial)
            implements LoadedUnit {
        public Failed {
            reasons = List.copyOf(reasons);
            if (loadState == LoadState.LOADED) throw new IllegalArgumentException("a failed unit cannot be loaded");
        }

        public Failed(String name, Path source, LoadState loadState, List<String> reasons) {
            this(name, source, loadState, reasons, null);
        }
    }

    /** The [Unit]/[Install] settings known for this unit: all of them when loaded, what could be read when not. */
    default Unit.UnitInfo infoOrNull() {
        return switch (this) {
            case Ok ok -> ok.unit().info();
            case Failed f -> f.partial();
        };
    }
}
