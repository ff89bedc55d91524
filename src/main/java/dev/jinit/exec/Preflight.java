package dev.jinit.exec;

import dev.jinit.exec.sandbox.MountPlan;
import dev.jinit.exec.sandbox.Sandbox;
import dev.jinit.exec.seccomp.BpfAssembler;
import dev.jinit.exec.seccomp.PolicyCompiler;
import dev.jinit.exec.seccomp.SeccompPolicy;
import dev.jinit.exec.sandbox.MountStep;
import dev.jinit.linux.Capabilities;
import dev.jinit.linux.Namespaces;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Prctl;
import dev.jinit.linux.Resources;
import dev.jinit.linux.ThreadIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks, before anything is spawned, that jinit can give a child every attribute its spec asks
 * for, and works out what the throwaway spawn thread must do. A spec that cannot be honoured is
 * refused here with a message naming the attribute and why (shell code 2): better than a child
 * that dies half set up, or one that runs with less isolation than its unit asked for.
 */
final class Preflight {
    private Preflight() {}

    /** util-linux unshare, the one way to give a child of a multithreaded process a user namespace. */
    static final Path UNSHARE = Path.of("/usr/bin/unshare");

    /**
     * What the throwaway thread and the gate do for one spec.
     *
     * @param program      the path to exec (the unshare binary for a user namespace)
     * @param argv         argv to exec with
     * @param unshareFlags namespaces the spawn thread unshares (CLONE_NEWNS included for PrivateTmp)
     * @param cgroups      the cgroup2 hierarchy when a cgroup is asked for, else null
     * @param cgroup       the absolute cgroup directory, or null
     * @param caps         jinit's capability sets when checked
     * @param mounts       the sandbox's mounts in order (empty without sandboxing)
     * @param inaccessibleFile the empty mode-0000 file bound over hidden files, or null when none is hidden
     * @param rlimits      the limits to set at the gate: the spec's, each lowered to what jinit may set
     * @param warnings     a line for each limit that was lowered
     * @param seccomp      the BPF program the spawn thread installs last, packed, or null for none
     */
    record Plan(String program, List<String> argv, int unshareFlags, Cgroups cgroups, Path cgroup,
                Capabilities.Sets caps, List<MountStep> mounts, Path inaccessibleFile,
                Map<Rlimit, Rlimit.Limit> rlimits, List<String> warnings, long[] seccomp) {
        Plan {
            rlimits = Map.copyOf(rlimits);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * What a gated spawn without per-thread attributes checks against and that does not change while
     * jinit runs: the capabilities of the threads that call the Spawner (jinit changes capabilities
     * only on throwaway spawn threads), the cgroup2 mount (null when none was found: looked for
     * again on each spawn that asks for a cgroup) and whether the gate's /proc file exists.
     */
    record Facts(Capabilities.Sets caps, Cgroups cgroups, boolean gateSupported) {
        static Facts find() {
            return new Facts(Capabilities.current(), Cgroups.find().orElse(null), Preflight.gateSupported());
        }
    }

    /**
     * {@link #check} for a spec whose only special attributes are the gate's ({@link
     * ProcessSpec#needsThrowawayThread()} false): the same refusals, with what {@code facts} holds
     * instead of reading /proc on every spawn.
     */
    static Plan checkGated(ProcessSpec spec, String program, Facts facts) {
        if (spec.needsThrowawayThread()) throw new IllegalArgumentException("spec needs a throwaway thread");
        Capabilities.Sets caps = facts.caps();
        Cgroups cgroups = null;
        if (spec.cgroup() != null) {
            cgroups = facts.cgroups() != null ? facts.cgroups() : Cgroups.find().orElseThrow(() -> refuse(
                    "cgroup " + spec.cgroup() + ": no cgroup2 file system is mounted (none in /proc/self/mountinfo)"));
        }
        Path cgroup = checkCgroup(spec, cgroups);
        checkAffinity(spec);
        checkNice(spec, caps);
        List<String> warnings = new ArrayList<>();
        Map<Rlimit, Rlimit.Limit> rlimits = closestLimits(spec, caps, warnings);
        checkOomScore(spec, caps);
        if (spec.needsGate() && !facts.gateSupported()) checkGateSupport();
        return new Plan(program, spec.argv(), 0, cgroups, cgroup, caps, List.of(), null, rlimits, warnings, null);
    }

    static SpawnException refuse(String message) {
        return new SpawnException(message, 2);
    }

    /** Checks {@code spec}; {@code unshare} is the util-linux binary a user namespace is handed to. */
    static Plan check(ProcessSpec spec, String program, Path unshare) {
        Capabilities.Sets caps = Capabilities.current();
        checkCredentials(spec, caps);
        checkRoot(spec, caps);
        checkBoundingSet(spec, caps);
        Cgroups cgroups = spec.cgroup() == null ? null : Cgroups.find().orElseThrow(() -> refuse(
                "cgroup " + spec.cgroup() + ": no cgroup2 file system is mounted (none in /proc/self/mountinfo)"));
        Path cgroup = checkCgroup(spec, cgroups);
        checkAffinity(spec);
        checkNice(spec, caps);
        List<String> warnings = new ArrayList<>();
        Map<Rlimit, Rlimit.Limit> rlimits = closestLimits(spec, caps, warnings);
        checkOomScore(spec, caps);
        if (spec.needsGate()) checkGateSupport();

        int flags = 0;
        for (Namespace ns : spec.namespaces()) if (ns != Namespace.USER) flags |= ns.cloneFlag;
        if (spec.privateTmp() || spec.sandbox().needsMounts()) flags |= Namespaces.CLONE_NEWNS;
        if (flags != 0 && !caps.has(Capabilities.CAP_SYS_ADMIN))
            throw refuse("new namespaces (" + describe(spec) + ") need CAP_SYS_ADMIN, which jinit lacks");

        String exec = program;
        List<String> argv = spec.argv();
        if (spec.namespaces().contains(Namespace.USER)) {
            if (spec.ambientCapabilities() != null)
                throw refuse("AmbientCapabilities= with PrivateUsers= is not supported by jinit (the user namespace is made "
                        + "by util-linux unshare, after which the capabilities would be lost)");
            if (spec.rootDirectory() != null)
                throw refuse("a user namespace cannot be created inside a chroot (RootDirectory=" + spec.rootDirectory()
                        + "): the kernel refuses CLONE_NEWUSER there");
            if (!Files.isExecutable(unshare))
                throw refuse("a user namespace needs util-linux unshare (" + unshare + "), which is not installed: "
                        + "a multithreaded process such as jinit cannot create one itself");
            List<String> handoff = new ArrayList<>();
            handoff.add(unshare.toString());
            // Without credentials the child is root inside its namespace (unshare -r); with them it
            // keeps its own uid and gid there, mapped to themselves.
            handoff.add(spec.credentials() == null ? "--map-root-user" : "--map-current-user");
            if (spec.capabilityBoundingSet() != null) {
                // A new user namespace starts with a full bounding set (the kernel resets it), so the
                // one this thread dropped is lost: setpriv drops it again inside the namespace. It
                // needs CAP_SETPCAP there, which --keep-caps lends it as ambient capabilities; it
                // clears them before it execs the program, which thus gains nothing.
                Path setpriv = unshare.resolveSibling("setpriv");
                if (!Files.isExecutable(setpriv))
                    throw refuse("CapabilityBoundingSet= in a user namespace needs util-linux setpriv (" + setpriv
                            + "), which is not installed: the kernel gives a new user namespace a full bounding set");
                handoff.addAll(List.of("--keep-caps", "--", setpriv.toString(),
                        "--bounding-set=" + setprivCaps(spec.capabilityBoundingSet()), "--inh-caps=-all",
                        "--ambient-caps=-all"));
            }
            handoff.add("--");
            handoff.add(program);
            handoff.addAll(argv.subList(1, argv.size()));
            exec = unshare.toString();
            argv = List.copyOf(handoff);
        }
        List<MountStep> mounts = MountPlan.of(spec.sandbox(), spec.rootDirectory());
        Path hider = mounts.stream().anyMatch(m -> m instanceof MountStep.Inaccessible) ? inaccessibleFile() : null;
        return new Plan(exec, argv, flags, cgroups, cgroup, caps, mounts, hider, rlimits, warnings, seccompProgram(spec));
    }

    /**
     * The seccomp program for {@code spec}, or null. Not for a spec handed to util-linux unshare (a user
     * namespace): the filter would apply to unshare and setpriv themselves, whose unshare(2)/capset(2) the
     * unit's RestrictNamespaces=/SystemCallFilter= typically refuse; such a unit is told its filter is not
     * enforced (supervise.UnitMapping).
     */
    static long[] seccompProgram(ProcessSpec spec) {
        Sandbox sb = spec.sandbox();
        if (!sb.needsSeccomp() || spec.namespaces().contains(Namespace.USER)) return null;
        Credentials c = spec.credentials();
        SeccompPolicy policy = PolicyCompiler.compile(sb.seccomp(), new PolicyCompiler.Protections(sb.privateDevices(),
                sb.protectKernelModules(), sb.protectKernelLogs(), sb.protectClock()), c == null ? null : new int[] {c.uid(), c.gid()});
        List<BpfAssembler.Insn> program;
        try {
            program = BpfAssembler.assemble(policy);
        } catch (IllegalArgumentException e) {
            throw refuse("SystemCallFilter=: " + e.getMessage());
        }
        long[] packed = new long[program.size()];
        for (int i = 0; i < packed.length; i++) packed[i] = program.get(i).packed();
        return packed;
    }

    /**
     * The empty, mode-0000 file that InaccessiblePaths= and its kin bind over files, as systemd binds
     * /run/systemd/inaccessible/reg: in /run/jinit, or in the temporary directory without a writable /run.
     */
    static Path inaccessibleFile() {
        Path dir = Files.isWritable(Path.of("/run")) ? Path.of("/run/jinit")
                : Path.of(System.getProperty("java.io.tmpdir"), "jinit-" + Posix.geteuid());
        Path file = dir.resolve("inaccessible");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.util.Set.of()));
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(file) != 0)
                throw refuse("InaccessiblePaths=: " + file + " must be an empty regular file");
            return file;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return file;
        } catch (IOException e) {
            throw refuse("InaccessiblePaths=: cannot create " + file + ": " + e.getMessage());
        }
    }

    /** setpriv's spelling of a bounding set: {@code -all,+net_bind_service,+setuid}. */
    static String setprivCaps(long keep) {
        StringBuilder sb = new StringBuilder("-all");
        for (int cap = 0; cap < 64; cap++) {
            if ((keep & (1L << cap)) == 0) continue;
            sb.append(",+").append(Capabilities.name(cap).toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""));
        }
        return sb.toString();
    }

    private static void checkCredentials(ProcessSpec spec, Capabilities.Sets caps) {
        Credentials c = spec.credentials();
        if (c == null) return;
        if (!caps.has(Capabilities.CAP_SETUID) || !caps.has(Capabilities.CAP_SETGID))
            throw refuse("running as uid " + c.uid() + " gid " + c.gid() + " needs CAP_SETUID and CAP_SETGID; jinit runs"
                    + " as uid " + Posix.geteuid() + " without them");
        if (c.groups().size() > 65536) throw refuse("too many supplementary groups: " + c.groups().size());
    }

    private static void checkRoot(ProcessSpec spec, Capabilities.Sets caps) {
        Path root = spec.rootDirectory();
        if (root != null) {
            if (!root.isAbsolute()) throw refuse("RootDirectory=" + root + " is not an absolute path");
            if (!Files.isDirectory(root)) throw refuse("RootDirectory=" + root + " is not a directory");
            if (!caps.has(Capabilities.CAP_SYS_CHROOT)) throw refuse("RootDirectory=" + root + " needs CAP_SYS_CHROOT, which jinit lacks");
        }
        if (spec.privateTmp()) {
            Path tmp = root == null ? Path.of("/tmp") : root.resolve("tmp");
            if (!Files.isDirectory(tmp)) throw refuse("PrivateTmp=yes needs a directory " + tmp + " to mount over");
        }
    }

    private static void checkBoundingSet(ProcessSpec spec, Capabilities.Sets caps) {
        Long keep = spec.capabilityBoundingSet();
        if (keep == null) return;
        int last = Prctl.lastCapability();
        if (last < 63 && (keep >>> (last + 1)) != 0)
            throw refuse("CapabilityBoundingSet= names " + Capabilities.name(63 - Long.numberOfLeadingZeros(keep))
                    + ", which this kernel does not have (its last is " + Capabilities.name(last) + ")");
        boolean dropsSomething = (caps.bounding() & ~keep) != 0;
        if (dropsSomething && !caps.has(Capabilities.CAP_SETPCAP))
            throw refuse("CapabilityBoundingSet= needs CAP_SETPCAP to drop capabilities, which jinit lacks");
    }

    private static Path checkCgroup(ProcessSpec spec, Cgroups cgroups) {
        if (cgroups == null) return null;
        try {
            return cgroups.resolve(spec.cgroup());
        } catch (IllegalArgumentException e) {
            throw refuse(e.getMessage());
        }
    }

    private static void checkAffinity(ProcessSpec spec) {
        BitSet wanted = spec.cpuAffinity();
        if (wanted == null) return;
        BitSet online;
        try {
            online = CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        } catch (IOException | IllegalArgumentException e) {
            online = Resources.getAffinity(0);
        }
        BitSet missing = (BitSet) wanted.clone();
        missing.andNot(online);
        if (!missing.isEmpty())
            throw refuse("CPUAffinity=" + CpuList.format(wanted) + " names CPUs this machine does not have: "
                    + CpuList.format(missing) + " (online: " + CpuList.format(online) + ")");
    }

    private static void checkNice(ProcessSpec spec, Capabilities.Sets caps) {
        if (spec.nice() == null) return;
        int own = Resources.getNice(0);
        if (spec.nice() < own && !caps.has(Capabilities.CAP_SYS_NICE))
            throw refuse("Nice=" + spec.nice() + " is below jinit's own nice value " + own + " and jinit lacks CAP_SYS_NICE");
    }

    /**
     * The limits to give the child, as systemd's setrlimit_closest: without CAP_SYS_RESOURCE nobody
     * can raise a hard limit above their own, so a limit asked above jinit's hard limit is set to
     * the closest value allowed (soft and hard each at most jinit's hard limit) with a warning,
     * rather than refusing the unit. Debian's redis-server.service asks LimitNOFILE=65535; a
     * container's root often has a lower hard limit and no CAP_SYS_RESOURCE.
     */
    static Map<Rlimit, Rlimit.Limit> closestLimits(ProcessSpec spec, Capabilities.Sets caps, List<String> warnings) {
        if (spec.rlimits().isEmpty() || caps.has(Capabilities.CAP_SYS_RESOURCE)) return spec.rlimits();
        Map<Rlimit, Rlimit.Limit> out = new java.util.EnumMap<>(Rlimit.class);
        for (Map.Entry<Rlimit, Rlimit.Limit> e : spec.rlimits().entrySet()) {
            long ownHard = Resources.getLimit(0, e.getKey().resource).hard();
            Rlimit.Limit closest = closest(e.getValue(), ownHard);
            if (!closest.equals(e.getValue()))
                warnings.add(e.getKey().directive() + "=" + limitText(e.getValue()) + " is above jinit's hard limit ("
                        + limitText(ownHard) + ") and jinit lacks CAP_SYS_RESOURCE: set to " + limitText(closest) + " instead");
            out.put(e.getKey(), closest);
        }
        return out;
    }

    /** {@code wanted} with soft and hard each capped at {@code ownHard} (unsigned: RLIM_INFINITY is the largest). */
    static Rlimit.Limit closest(Rlimit.Limit wanted, long ownHard) {
        long soft = Long.compareUnsigned(wanted.soft(), ownHard) > 0 ? ownHard : wanted.soft();
        long hard = Long.compareUnsigned(wanted.hard(), ownHard) > 0 ? ownHard : wanted.hard();
        return new Rlimit.Limit(soft, hard);
    }

    private static void checkOomScore(ProcessSpec spec, Capabilities.Sets caps) {
        if (spec.oomScoreAdjust() == null) return;
        String why = OomScorePrivilege.refusal(spec.oomScoreAdjust(), caps.has(Capabilities.CAP_SYS_RESOURCE),
                OomScorePrivilege.own());
        if (why != null) throw refuse(why);
    }

    private static boolean gateSupported() {
        return Files.exists(Path.of("/proc/self/task/" + ThreadIds.gettid() + "/children"));
    }

    private static void checkGateSupport() {
        Path children = Path.of("/proc/self/task/" + ThreadIds.gettid() + "/children");
        if (!Files.exists(children))
            throw refuse("resource limits, cgroup, OOM score, nice and CPU affinity are applied at an exec gate that needs "
                    + children + " (a kernel with CONFIG_PROC_CHILDREN)");
    }

    static String limitText(Rlimit.Limit l) {
        return l.soft() == l.hard() ? limitText(l.soft()) : limitText(l.soft()) + ":" + limitText(l.hard());
    }

    static String limitText(long v) {
        return v == Rlimit.INFINITY ? "infinity" : Long.toUnsignedString(v);
    }

    private static String describe(ProcessSpec spec) {
        List<String> names = new ArrayList<>();
        for (Namespace ns : spec.namespaces()) if (ns != Namespace.USER) names.add(ns.procName);
        if (spec.privateTmp()) names.add("PrivateTmp");
        if (spec.sandbox().needsMounts()) names.add("sandboxing mounts");
        return String.join(", ", names);
    }
}
