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
     */
    record Failed(String name, Path source, LoadState loadState, List<String> reasons) implements LoadedUnit {
        public Failed {
            reasons = List.copyOf(reasons);
            if (loadState == LoadState.LOADED) throw new IllegalArgumentException("a failed unit cannot be loaded");
        }
    }
}
