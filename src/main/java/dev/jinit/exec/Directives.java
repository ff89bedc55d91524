package dev.jinit.exec;

import dev.jinit.exec.sandbox.Sandbox;
import dev.jinit.linux.Posix;
import dev.jinit.linux.ProcStatus;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * THE mapping from systemd's spawn directives (systemd.exec(5), plus Slice= from
 * systemd.resource-control(5)) to a {@link ProcessSpec.Builder}, shared by {@code jinit exec -p}
 * and the unit-file supervisor so both accept exactly the same names and value syntax.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message starts with the directive and the
 * value ({@code LimitNOFILE=abc: not a number or 'infinity'}); callers add the file and line.
 *
 * <p>Supported: User=, Group=, SupplementaryGroups=, WorkingDirectory= ({@code -} prefix, {@code ~}),
 * Environment=, UMask=, RootDirectory=, every Limit*= (soft:hard, K/M/G sizes, time spans for
 * LimitCPU= and LimitRTTIME=, ±nice for LimitNICE=, infinity), Nice=, OOMScoreAdjust=, CPUAffinity=,
 * NoNewPrivileges=, CapabilityBoundingSet=, PrivateNetwork=, PrivateTmp=, ProtectHostname=,
 * PrivateIPC=, PrivateMounts=, PrivatePIDs=, PrivateUsers=, StandardOutput=/StandardError=
 * (file:, append:, truncate:, null, inherit, journal) and Slice=.
 *
 * <p>Differences from systemd, on purpose: {@code inherit} means jinit's own descriptor (jinit has
 * no StandardInput= to copy from); {@code file:PATH} truncates like {@code truncate:} (systemd
 * overwrites from offset 0 without truncating, which differs only when the old file was longer);
 * Slice=NAME.slice places the process itself in that slice's cgroup under the cgroup2 mount
 * (nested by dashes as systemd does: {@code a-b.slice} is {@code a.slice/a-b.slice}), which is how
 * {@code jinit exec} offers cgroup placement; the supervisor may put units one level below.
 */
public final class Directives {
    private Directives() {}

    private static final Set<String> NAMES = Set.of("User", "Group", "SupplementaryGroups", "WorkingDirectory",
            "Environment", "UMask", "RootDirectory", "Nice", "OOMScoreAdjust", "CPUAffinity", "NoNewPrivileges",
            "CapabilityBoundingSet", "PrivateNetwork", "PrivateTmp", "ProtectHostname", "PrivateIPC",
            "PrivateMounts", "PrivatePIDs", "PrivateUsers", "StandardOutput", "StandardError", "Slice",
            "AmbientCapabilities");

    /** Whether {@code key} is a directive this class applies (names are case-sensitive, as in systemd). */
    public static boolean isSpawnDirective(String key) {
        return NAMES.contains(key) || SandboxDirectives.NAMES.contains(key) || SeccompDirectives.NAMES.contains(key)
                || limitFor(key) != null;
    }

    /** The directives that need mounts in the child's namespace (ProtectSystem=, PrivateDevices=, ReadOnlyPaths=, …). */
    public static Set<String> fileSystemSandboxNames() {
        return SandboxDirectives.NAMES;
    }

    /** The sandboxing directives: the file-system ones and the system call filters (SystemCallFilter=, …). */
    public static Set<String> sandboxNames() {
        Set<String> all = new java.util.HashSet<>(SandboxDirectives.NAMES);
        all.addAll(SeccompDirectives.NAMES);
        return Set.copyOf(all);
    }

    /** Every directive name this class accepts, Limit*= included. */
    public static Set<String> names() {
        Set<String> all = new LinkedHashSet<>(NAMES);
        all.addAll(new java.util.TreeSet<>(SandboxDirectives.NAMES));
        all.addAll(new java.util.TreeSet<>(SeccompDirectives.NAMES));
        for (Rlimit r : Rlimit.values()) all.add(r.directive());
        return all;
    }

    /**
     * Applies a single directive on its own: a fresh {@link DirectiveState}, finished at once.
     * Right for validating one line or for a spec with one identity directive; when User=, Group=,
     * SupplementaryGroups=, Environment=, CPUAffinity= or CapabilityBoundingSet= may appear together
     * or repeat, use the {@link DirectiveState} form so they combine as systemd combines them.
     */
    public static void apply(ProcessSpec.Builder b, String key, String value) {
        DirectiveState st = new DirectiveState();
        apply(b, st, key, value);
        finish(b, st);
    }

    /**
     * Applies one directive. Directives that stand alone go straight to the builder; the others are
     * recorded in {@code st} for {@link #finish}. An empty value resets list directives.
     *
     * @throws IllegalArgumentException "Key=value: reason" for an unknown directive or a bad value
     */
    public static void apply(ProcessSpec.Builder b, DirectiveState st, String key, String value) {
        try {
            applyUnchecked(b, st, key, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private static void applyUnchecked(ProcessSpec.Builder b, DirectiveState st, String key, String value) {
        Rlimit limit = limitFor(key);
        if (limit != null) {
            b.rlimit(limit, parseLimit(limit, value));
            return;
        }
        String v = value.strip();
        if (SandboxDirectives.NAMES.contains(key)) {
            SandboxDirectives.apply(st.sandbox, key, v);
            return;
        }
        if (SeccompDirectives.NAMES.contains(key)) {
            SeccompDirectives.apply(st.sandbox.seccomp, key, v);
            return;
        }
        switch (key) {
            case "User" -> st.user = v.isEmpty() ? null : checkName(v);
            case "Group" -> st.group = v.isEmpty() ? null : checkName(v);
            case "SupplementaryGroups" -> {
                if (v.isEmpty()) st.supplementaryGroups.clear();
                for (String g : DirectiveValues.splitWords(v)) st.supplementaryGroups.add(checkName(g));
                st.supplementaryGroupsSet = true;
            }
            case "WorkingDirectory" -> {
                boolean optional = v.startsWith("-");
                String dir = optional ? v.substring(1) : v;
                if (dir.isEmpty() && !optional) {
                    st.workingDirectory = null;
                } else if (!dir.equals("~") && !dir.startsWith("/")) {
                    throw new IllegalArgumentException("not an absolute path or ~");
                } else {
                    st.workingDirectory = dir;
                    st.workingDirectoryOptional = optional;
                }
            }
            case "Environment" -> {
                if (v.isEmpty()) st.environment.clear();
                for (String word : DirectiveValues.splitWords(v)) {
                    int eq = word.indexOf('=');
                    if (eq <= 0 || !DirectiveValues.isEnvName(word.substring(0, eq)))
                        throw new IllegalArgumentException("'" + word + "' is not a NAME=VALUE assignment");
                    if (word.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in '" + word + "'");
                    st.environment.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            case "UMask" -> b.umask(DirectiveValues.parseUmask(v));
            case "RootDirectory" -> {
                if (!v.isEmpty() && !v.startsWith("/")) throw new IllegalArgumentException("not an absolute path");
                st.rootDirectory = v.isEmpty() ? null : v;
                b.rootDirectory(v.isEmpty() ? null : Path.of(v));
            }
            // An empty value resets to "not set" (systemd's config_parse_exec_nice/_oom_score_adjust).
            case "Nice" -> b.nice(v.isEmpty() ? null : DirectiveValues.parseInt(v, -20, 19));
            case "OOMScoreAdjust" -> b.oomScoreAdjust(v.isEmpty() ? null : DirectiveValues.parseInt(v, -1000, 1000));
            case "CPUAffinity" -> {
                if (v.isEmpty()) {
                    st.cpuAffinity = null;
                } else {
                    BitSet cpus = DirectiveValues.parseCpuList(v);
                    if (st.cpuAffinity == null) st.cpuAffinity = cpus;
                    else st.cpuAffinity.or(cpus);
                }
            }
            case "NoNewPrivileges" -> b.noNewPrivileges(DirectiveValues.parseBoolean(v));
            case "CapabilityBoundingSet" -> st.capabilityBoundingSet = mergeCapabilities(st.capabilityBoundingSet, v);
            case "AmbientCapabilities" -> st.ambientCapabilities = v.isBlank() ? null : mergeCapabilities(st.ambientCapabilities, v);
            case "PrivateNetwork" -> st.namespaces.put(Namespace.NET, DirectiveValues.parseBoolean(v));
            case "PrivateTmp" -> b.privateTmp(DirectiveValues.parseBoolean(v));
            case "ProtectHostname" -> {
                // A UTS namespace of its own, and (systemd's seccomp part) no sethostname/setdomainname.
                boolean on = DirectiveValues.parseBoolean(v);
                st.namespaces.put(Namespace.UTS, on);
                st.sandbox.seccomp.protectHostname = on;
            }
            case "PrivateIPC" -> st.namespaces.put(Namespace.IPC, DirectiveValues.parseBoolean(v));
            case "PrivateMounts" -> st.namespaces.put(Namespace.MOUNT, DirectiveValues.parseBoolean(v));
            case "PrivatePIDs" -> st.namespaces.put(Namespace.PID, DirectiveValues.parseBoolean(v));
            case "PrivateUsers" -> st.namespaces.put(Namespace.USER, DirectiveValues.parseBoolean(v));
            case "StandardOutput" -> b.stdout(parseOutput(v));
            case "StandardError" -> b.stderr(parseOutput(v));
            case "Slice" -> st.slice = v.isEmpty() ? null : checkSlice(v);
            default -> throw new IllegalArgumentException("unknown directive");
        }
    }

    /**
     * Writes what {@code st} collected to the builder: credentials (User= alone: its primary group
     * and every group listing it, like initgroups; Group= replaces the primary group;
     * SupplementaryGroups= adds), the environment, working directory, capability bounding set,
     * CPU affinity, namespaces and cgroup.
     *
     * @throws IllegalArgumentException naming the directive for an unknown user or group, a missing
     *                                  working directory without {@code -}, or Slice= without cgroup2
     */
    public static void finish(ProcessSpec.Builder b, DirectiveState st) {
        Users.User user = null;
        Users db = null;
        if (st.user != null || st.group != null || st.supplementaryGroupsSet || "~".equals(st.workingDirectory))
            db = Users.of(st.usersRoot);
        Users users = db;
        if (st.user != null) user = named("User", st.user, () -> users.user(st.user));
        if (st.user != null || st.group != null || st.supplementaryGroupsSet) {
            Integer groupGid = st.group == null ? null : named("Group", st.group, () -> users.gid(st.group));
            int uid = user != null ? user.uid() : Posix.geteuid();
            int gid = groupGid != null ? groupGid : user != null ? user.gid() : effectiveGid(st);
            List<Integer> groups = new ArrayList<>(user != null ? users.initgroups(user, gid) : List.of());
            for (String g : st.supplementaryGroups) {
                int id = named("SupplementaryGroups", g, () -> users.gid(g));
                if (!groups.contains(id)) groups.add(id);
            }
            b.credentials(new Credentials(uid, gid, groups));
        }
        st.environment.forEach(b::putEnv);
        if (st.workingDirectory != null) {
            String dir = st.workingDirectory;
            if (dir.equals("~")) {
                Users.User home = user;
                if (home == null) {
                    int euid = Posix.geteuid();
                    home = users.findUser(euid).orElseThrow(() -> new IllegalArgumentException(
                            "WorkingDirectory=~: uid " + euid + " has no passwd entry and so no home directory"));
                }
                dir = home.home();
            }
            // The directory the child will see: under RootDirectory= when there is one.
            Path seen = st.rootDirectory == null ? Path.of(dir) : Path.of(st.rootDirectory, dir.substring(1));
            if (!st.workingDirectoryOptional || Files.isDirectory(seen)) b.workingDirectory(Path.of(dir));
        }
        Sandbox sandbox = st.sandbox.build();
        b.sandbox(sandbox);
        // PrivateDevices=, ProtectKernelModules=, ProtectKernelLogs= and ProtectClock= also take their
        // capabilities out of the bounding set, as systemd does.
        long dropped = sandbox.droppedCapabilities();
        if (dropped != 0) {
            long keep = st.capabilityBoundingSet != null ? st.capabilityBoundingSet : DirectiveValues.ALL_CAPABILITIES;
            b.capabilityBoundingSet(keep & ~dropped);
        } else if (st.capabilityBoundingSet != null) {
            b.capabilityBoundingSet(st.capabilityBoundingSet);
        }
        // AmbientCapabilities= (systemd.exec(5)): kept across the change to User= and raised for the program;
        // a capability outside the bounding set cannot be had, as in systemd.
        if (st.ambientCapabilities != null && st.ambientCapabilities != 0) {
            long bounding = st.capabilityBoundingSet != null ? st.capabilityBoundingSet : DirectiveValues.ALL_CAPABILITIES;
            b.ambientCapabilities(st.ambientCapabilities & bounding & ~dropped);
        }
        if (st.cpuAffinity != null && !st.cpuAffinity.isEmpty()) b.cpuAffinity((BitSet) st.cpuAffinity.clone());
        st.namespaces.forEach((ns, on) -> {
            if (on) b.namespace(ns);
        });
        if (st.slice != null) b.cgroup(sliceCgroup(st));
    }

    /**
     * A time span per systemd.time(7) ("5", "1min 30s", "500ms"; a bare number is seconds), for
     * options outside the directives that take one.
     *
     * @throws IllegalArgumentException for a malformed span or "infinity"
     */
    public static java.time.Duration parseDuration(String value) {
        long usec = DirectiveValues.parseTimeUsec(value, 1_000_000L);
        if (usec < 0) throw new IllegalArgumentException("'" + value + "' is not a finite time span");
        return java.time.Duration.ofNanos(Math.multiplyExact(usec, 1000L));
    }

    private static <T> T named(String key, String value, java.util.function.Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private static Rlimit limitFor(String key) {
        Rlimit r = Rlimit.forDirective(key);
        return r != null && r.directive().equals(key) ? r : null;
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c == '/' || c == 127))
            throw new IllegalArgumentException("'" + name + "' is not a valid user or group name");
        return name;
    }

    /** LimitX=: one value for both limits, or soft:hard. */
    static Rlimit.Limit parseLimit(Rlimit r, String value) {
        String v = value.strip();
        int colon = v.indexOf(':');
        long soft = parseLimitValue(r, colon < 0 ? v : v.substring(0, colon));
        long hard = colon < 0 ? soft : parseLimitValue(r, v.substring(colon + 1));
        if (hard != Rlimit.INFINITY && (soft == Rlimit.INFINITY || Long.compareUnsigned(soft, hard) > 0))
            throw new IllegalArgumentException("soft limit exceeds hard limit");
        return new Rlimit.Limit(soft, hard);
    }

    private static long parseLimitValue(Rlimit r, String value) {
        String v = value.strip();
        if (v.equals("infinity")) return Rlimit.INFINITY;
        try {
            return switch (r) {
                case FSIZE, DATA, STACK, CORE, RSS, MEMLOCK, AS, MSGQUEUE -> DirectiveValues.parseSize(v);
                // RLIMIT_CPU counts whole seconds: round up so that "500ms" still limits.
                case CPU -> {
                    long usec = DirectiveValues.parseTimeUsec(v, 1_000_000L);
                    yield (usec + 999_999) / 1_000_000;
                }
                case RTTIME -> DirectiveValues.parseTimeUsec(v, 1L);
                case NICE -> parseNiceLimit(v);
                default -> {
                    if (!Users.isNumber(v)) throw new IllegalArgumentException("x");
                    yield Long.parseLong(v);
                }
            };
        } catch (IllegalArgumentException e) {
            String what = switch (r) {
                case FSIZE, DATA, STACK, CORE, RSS, MEMLOCK, AS, MSGQUEUE -> "a size (with K, M, G, …)";
                case CPU, RTTIME -> "a time span";
                case NICE -> "a nice level (+N or -N) or a raw limit 0..40";
                default -> "a number";
            };
            throw new IllegalArgumentException("not " + what + " or 'infinity'");
        }
    }

    /**
     * RLIMIT_NICE holds 20 - nice, so +N/-N (a nice level) maps to 20 - level; an unsigned
     * number is the raw limit, 0..40 (0 is the kernel's default and means "no raising").
     */
    private static long parseNiceLimit(String v) {
        if (v.startsWith("+") || v.startsWith("-")) {
            int level = Integer.parseInt(v);
            if (level < -20 || level > 19) throw new IllegalArgumentException("nice level out of range");
            return 20 - level;
        }
        if (!Users.isNumber(v) || v.length() > 2 || Integer.parseInt(v) > 40) throw new IllegalArgumentException("raw limit out of range");
        return Long.parseLong(v);
    }

    /** systemd's merge rule: an empty value or the first line replaces; later lines OR, or AND-NOT with ~. */
    static Long mergeCapabilities(Long current, String value) {
        String v = value.strip();
        boolean invert = v.startsWith("~");
        long sum = DirectiveValues.parseCapabilities(invert ? v.substring(1) : v);
        if (sum == 0 || current == null || current == DirectiveValues.ALL_CAPABILITIES)
            return invert ? ~sum & DirectiveValues.ALL_CAPABILITIES : sum;
        return invert ? current & ~sum : current | sum;
    }

    /**
     * A StandardOutput=/StandardError= value: {@code null}, {@code inherit} (jinit's own descriptor),
     * {@code journal} (a pipe to jinit), or {@code file:}/{@code truncate:}/{@code append:} with an
     * absolute path. Units map their stderr {@code inherit} to stdout's value before calling this.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    public static FdSource parseOutput(String v) {
        if (v.equals("null")) return FdSource.NULL;
        if (v.equals("inherit")) return FdSource.INHERIT;
        if (v.equals("journal")) return new FdSource.Pipe(true);
        FdSource.WriteFile.Mode mode = FdSource.WriteFile.Mode.ofValue(v).orElse(null);
        if (mode != null) {
            String path = v.substring(mode.prefix().length());
            if (!path.startsWith("/")) throw new IllegalArgumentException("'" + path + "' is not an absolute path");
            return new FdSource.WriteFile(Path.of(path), mode);
        }
        throw new IllegalArgumentException("not one of file:PATH, append:PATH, truncate:PATH, null, inherit, journal");
    }

    /** A slice name as systemd accepts it: NAME.slice, dash-separated parts, none empty. */
    private static String checkSlice(String v) {
        if (v.equals("-.slice")) return v;
        if (!v.endsWith(".slice")) throw new IllegalArgumentException("a slice name must end in .slice");
        String prefix = v.substring(0, v.length() - ".slice".length());
        if (prefix.isEmpty() || prefix.startsWith("-") || prefix.endsWith("-") || prefix.contains("--")
                || !prefix.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "-_.:\\@".indexOf(c) >= 0)))
            throw new IllegalArgumentException("not a valid slice name");
        return v;
    }

    /** {@code a-b.slice} lives at {@code <cgroup2>/a.slice/a-b.slice}; {@code -.slice} is the root. */
    private static Path sliceCgroup(DirectiveState st) {
        Path dir;
        try {
            dir = Cgroups.findMount(st.procRoot).orElseThrow(() ->
                    new IllegalArgumentException("Slice=" + st.slice + ": no cgroup2 file system is mounted"));
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("Slice=" + st.slice + ": " + e.getMessage(), e);
        }
        if (st.slice.equals("-.slice")) return dir;
        String prefix = st.slice.substring(0, st.slice.length() - ".slice".length());
        int from = 0;
        while (true) {
            int dash = prefix.indexOf('-', from);
            String part = dash < 0 ? prefix : prefix.substring(0, dash);
            dir = dir.resolve(part + ".slice");
            if (dash < 0) return dir;
            from = dash + 1;
        }
    }

    /** The effective gid, from /proc (no extra native binding needed for one number). */
    private static int effectiveGid(DirectiveState st) {
        try {
            return ProcStatus.read(st.procRoot.resolve("self/status")).id("Gid", ProcStatus.EFFECTIVE);
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot tell jinit's effective gid: " + e.getMessage(), e);
        }
    }
}
