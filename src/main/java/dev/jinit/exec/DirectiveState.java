package dev.jinit.exec;

import dev.jinit.exec.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Directives} collects across several directives before it can be written to a
 * {@link ProcessSpec.Builder}: directives that combine (User=, Group= and SupplementaryGroups=
 * into one set of credentials; WorkingDirectory=~ needs the user's home), that accumulate over
 * repeated lines and are reset by an empty value (Environment=, SupplementaryGroups=, CPUAffinity=,
 * CapabilityBoundingSet=), or whose last assignment wins (the Private*= namespaces).
 *
 * <p>Mutable and owned by whoever is building one spec; create one per spawn, pass it to every
 * {@link Directives#apply(ProcessSpec.Builder, DirectiveState, String, String)} and then once to
 * {@link Directives#finish(ProcessSpec.Builder, DirectiveState)}.
 */
public final class DirectiveState {
    /** Root of the passwd/group files User= and Group= are resolved in (the host's, as systemd does). */
    final Path usersRoot;
    /** Root of /proc used to find the cgroup2 mount for Slice=. */
    final Path procRoot;

    String user;
    String group;
    final Set<String> supplementaryGroups = new LinkedHashSet<>();
    boolean supplementaryGroupsSet;
    final Map<String, String> environment = new LinkedHashMap<>();
    /** Null: CapabilityBoundingSet= never given (the bounding set is left alone). */
    Long capabilityBoundingSet;
    /** Null: AmbientCapabilities= never given. */
    Long ambientCapabilities;
    /** Null or empty: CPUAffinity= not given or reset. */
    BitSet cpuAffinity;
    String workingDirectory;
    boolean workingDirectoryOptional;
    /** RootDirectory= as given, so that a "-" working directory is looked for inside it. */
    String rootDirectory;
    final Map<Namespace, Boolean> namespaces = new EnumMap<>(Namespace.class);
    String slice;
    /** ProtectSystem=, PrivateDevices=, ReadOnlyPaths= and the other file-system protections. */
    final Sandbox.Builder sandbox = new Sandbox.Builder();

    public DirectiveState() {
        this(Path.of("/"), Path.of("/proc"));
    }

    /** For tests and other roots: where {@code etc/passwd} and {@code etc/group} live, and /proc. */
    public DirectiveState(Path usersRoot, Path procRoot) {
        this.usersRoot = usersRoot;
        this.procRoot = procRoot;
    }
}
