package dev.jinit.exec;

import dev.jinit.exec.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The value syntax of systemd.exec(5)'s file-system sandboxing directives, written into a
 * {@link Sandbox.Builder}. Errors are {@link IllegalArgumentException}s with the reason only; {@link Directives}
 * adds the directive and value.
 */
final class SandboxDirectives {
    private SandboxDirectives() {}

    /** The directives handled here (the *Directories= spellings are systemd's older names for *Paths=). */
    static final Set<String> NAMES = Set.of("ProtectSystem", "ProtectHome", "PrivateDevices", "ReadWritePaths",
            "ReadOnlyPaths", "InaccessiblePaths", "ReadWriteDirectories", "ReadOnlyDirectories",
            "InaccessibleDirectories", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths",
            "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
            "ProtectClock", "ProtectProc", "ProcSubset");

    static void apply(Sandbox.Builder s, String key, String v) {
        switch (key) {
            case "ProtectSystem" -> s.protectSystem = v.isEmpty() ? Sandbox.ProtectSystem.NO : switch (v) {
                case "full" -> Sandbox.ProtectSystem.FULL;
                case "strict" -> Sandbox.ProtectSystem.STRICT;
                default -> bool(v, "yes, no, full or strict") ? Sandbox.ProtectSystem.YES : Sandbox.ProtectSystem.NO;
            };
            case "ProtectHome" -> s.protectHome = v.isEmpty() ? Sandbox.ProtectHome.NO : switch (v) {
                case "read-only" -> Sandbox.ProtectHome.READ_ONLY;
                case "tmpfs" -> Sandbox.ProtectHome.TMPFS;
                default -> bool(v, "yes, no, read-only or tmpfs") ? Sandbox.ProtectHome.YES : Sandbox.ProtectHome.NO;
            };
            case "PrivateDevices" -> s.privateDevices = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectKernelTunables" -> s.protectKernelTunables = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectKernelModules" -> s.protectKernelModules = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectKernelLogs" -> s.protectKernelLogs = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectControlGroups" -> s.protectControlGroups = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectClock" -> s.protectClock = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "ProtectProc" -> s.protectProc = switch (v.isEmpty() ? "default" : v) {
                case "default" -> Sandbox.ProtectProc.DEFAULT;
                case "noaccess" -> Sandbox.ProtectProc.NOACCESS;
                case "invisible" -> Sandbox.ProtectProc.INVISIBLE;
                case "ptraceable" -> Sandbox.ProtectProc.PTRACEABLE;
                default -> throw new IllegalArgumentException("not one of default, noaccess, invisible, ptraceable");
            };
            case "ProcSubset" -> s.procSubset = switch (v.isEmpty() ? "all" : v) {
                case "all" -> false;
                case "pid" -> true;
                default -> throw new IllegalArgumentException("not one of all, pid");
            };
            case "ReadWritePaths", "ReadWriteDirectories" -> paths(s.readWrite, v);
            case "ReadOnlyPaths", "ReadOnlyDirectories" -> paths(s.readOnly, v);
            case "InaccessiblePaths", "InaccessibleDirectories" -> paths(s.inaccessible, v);
            case "TemporaryFileSystem" -> {
                if (v.isEmpty()) s.temporaryFileSystems.clear();
                for (String w : DirectiveValues.splitWords(v)) s.temporaryFileSystems.add(temporaryFileSystem(w));
            }
            case "BindPaths", "BindReadOnlyPaths" -> {
                boolean readOnly = key.equals("BindReadOnlyPaths");
                if (v.isEmpty()) s.binds.removeIf(b -> b.readOnly() == readOnly);
                for (String w : DirectiveValues.splitWords(v)) s.binds.add(bind(w, readOnly));
            }
            default -> throw new IllegalArgumentException("unknown directive");
        }
    }

    private static boolean bool(String v, String choices) {
        try {
            return DirectiveValues.parseBoolean(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not " + choices);
        }
    }

    /**
     * {@code [-][+]PATH …}: {@code -} ignores a missing path; {@code +} (relative to the host rather than to
     * RootDirectory=) is accepted and the path taken as given.
     */
    private static void paths(List<Sandbox.PathRule> into, String v) {
        if (v.isEmpty()) into.clear();
        for (String w : DirectiveValues.splitWords(v)) {
            boolean ignore = false;
            String p = w;
            while (p.startsWith("-") || p.startsWith("+")) {
                if (p.charAt(0) == '-') ignore = true;
                p = p.substring(1);
            }
            if (!p.startsWith("/")) throw new IllegalArgumentException("'" + w + "' is not an absolute path");
            into.add(new Sandbox.PathRule(Path.of(p), ignore));
        }
    }

    /** {@code PATH[:OPTIONS]}; options as mount(8): ro, nosuid, nodev, noexec and their opposites, the rest tmpfs data. */
    static Sandbox.TemporaryFileSystem temporaryFileSystem(String w) {
        int colon = w.indexOf(':');
        String path = colon < 0 ? w : w.substring(0, colon);
        if (!path.startsWith("/")) throw new IllegalArgumentException("'" + path + "' is not an absolute path");
        long flags = Mounts.MS_NODEV | Mounts.MS_NOSUID;
        boolean readOnly = false;
        StringBuilder data = new StringBuilder();
        boolean mode = false;
        if (colon >= 0) {
            for (String o : w.substring(colon + 1).split(",")) {
                switch (o.strip().toLowerCase(Locale.ROOT)) {
                    case "" -> { }
                    case "ro" -> readOnly = true;
                    case "rw" -> readOnly = false;
                    case "nosuid" -> flags |= Mounts.MS_NOSUID;
                    case "suid" -> flags &= ~Mounts.MS_NOSUID;
                    case "nodev" -> flags |= Mounts.MS_NODEV;
                    case "dev" -> flags &= ~Mounts.MS_NODEV;
                    case "noexec" -> flags |= Mounts.MS_NOEXEC;
                    case "exec" -> flags &= ~Mounts.MS_NOEXEC;
                    default -> {
                        if (o.strip().startsWith("mode=")) mode = true;
                        if (!data.isEmpty()) data.append(',');
                        data.append(o.strip());
                    }
                }
            }
        }
        // systemd's default for TemporaryFileSystem=: mode=0755 (and nodev, as above).
        if (!mode) data.insert(0, data.isEmpty() ? "mode=0755" : "mode=0755,");
        return new Sandbox.TemporaryFileSystem(Path.of(path), readOnly, flags, data.toString());
    }

    /** {@code [-]SOURCE[:TARGET[:rbind|norbind]]}. */
    static Sandbox.Bind bind(String w, boolean readOnly) {
        boolean ignore = w.startsWith("-");
        String[] parts = (ignore ? w.substring(1) : w).split(":", -1);
        if (parts.length > 3) throw new IllegalArgumentException("'" + w + "' has more than SOURCE:TARGET:OPTIONS");
        String source = parts[0];
        String target = parts.length > 1 ? parts[1] : source;
        boolean recursive = true;
        if (parts.length == 3) {
            recursive = switch (parts[2]) {
                case "rbind", "" -> true;
                case "norbind" -> false;
                default -> throw new IllegalArgumentException("option '" + parts[2] + "' is not rbind or norbind");
            };
        }
        if (!source.startsWith("/") || !target.startsWith("/"))
            throw new IllegalArgumentException("'" + w + "': source and target must be absolute paths");
        return new Sandbox.Bind(Path.of(source), Path.of(target), readOnly, recursive, ignore);
    }

    /** mount(2) flags used for TemporaryFileSystem= (the linux package's constants, without depending on it). */
    private static final class Mounts {
        static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;
    }
}
