package dev.jinit.exec.sandbox;

import java.nio.file.Path;

/**
 * One mount the spawn thread makes in the child's mount namespace, in the order {@link MountPlan} gives.
 * The kinds are declared from the most to the least restrictive: when two directives name the same path the
 * earlier kind wins, as in systemd's namespace setup (InaccessiblePaths= beats ReadOnlyPaths=, which beats
 * ReadWritePaths=).
 */
public sealed interface MountStep {
    /** Where the step mounts. */
    Path path();

    /** Whether a missing {@link #path()} (or bind source) skips the step rather than failing the spawn. */
    boolean ignoreMissing();

    /** Precedence among steps on the same path: lower wins. */
    int rank();

    /** An empty, unreadable node of the same kind over the path (InaccessiblePaths=, ProtectHome=yes). */
    record Inaccessible(Path path, boolean ignoreMissing) implements MountStep {
        public int rank() { return 0; }
    }

    /** A copy of {@code source} (taken before any step ran) attached at {@code path}. */
    record BindTree(Path source, Path path, boolean readOnly, boolean recursive, boolean ignoreMissing) implements MountStep {
        public int rank() { return 1; }
    }

    /** A fresh /dev with only the pseudo devices (PrivateDevices=). */
    record PrivateDev(Path path) implements MountStep {
        public boolean ignoreMissing() { return false; }
        public int rank() { return 2; }
    }

    /** A new procfs instance with {@code options} (ProtectProc=, ProcSubset=). */
    record Proc(Path path, String options) implements MountStep {
        public boolean ignoreMissing() { return false; }
        public int rank() { return 3; }
    }

    /** The tree at {@code path} and every mount below it made read-only. */
    record ReadOnly(Path path, boolean ignoreMissing) implements MountStep {
        public int rank() { return 4; }
    }

    /** The tree at {@code path} made writable again below a read-only parent (ReadWritePaths=). */
    record ReadWrite(Path path, boolean ignoreMissing, boolean implicit) implements MountStep {
        public int rank() { return implicit ? 7 : 5; }
    }

    /** A tmpfs (TemporaryFileSystem=, ProtectHome=tmpfs). */
    record Tmpfs(Path path, boolean readOnly, long flags, String data, boolean ignoreMissing) implements MountStep {
        public int rank() { return 6; }
    }
}
