package dev.jinit.exec;

import dev.jinit.exec.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything about how one process is started, immutable and validated on construction. Absent
 * attributes are null (or empty/false): the child then keeps what jinit has.
 *
 * @param program          the program: a path, or a bare name searched in the {@code PATH} of {@code env}
 * @param argv             argv, argv[0] included
 * @param env              exactly the child's environment; nothing is inherited by accident
 * @param workingDirectory chdir target (inside {@code rootDirectory} when that is set), or null
 * @param fds              the child's fd table: entry i becomes descriptor i; every other descriptor is closed
 * @param credentials      uid/gid/groups, or null to keep jinit's
 * @param newSession       setsid(2) in the child
 * @param processGroup     null for jinit's group, 0 for a new group led by the child, else that group
 * @param controllingTty   a terminal that becomes the child's controlling tty (needs newSession)
 * @param foreground       make the child's group the foreground group of {@code controllingTty}, or,
 *                         without one, of the terminal on the child's fd 0 (needs {@code processGroup})
 * @param umask            the child's umask, or null
 * @param rootDirectory    chroot(2) target, or null
 * @param namespaces       new namespaces for the child ({@link Namespace#USER} through util-linux unshare)
 * @param privateTmp       a private tmpfs on /tmp (implies a mount namespace)
 * @param rlimits          resource limits, set before exec
 * @param cgroup           a cgroup v2 group the child is placed in before exec (created when missing):
 *                         absolute inside the cgroup2 mount, or relative to it; or null
 * @param oomScoreAdjust   -1000..1000, or null
 * @param nice             -20..19, or null
 * @param cpuAffinity      the CPUs the child may run on, or null
 * @param noNewPrivileges  PR_SET_NO_NEW_PRIVS
 * @param capabilityBoundingSet the capabilities kept in the bounding set (bit N = capability N), or null
 * @param sandbox          file-system and kernel protections made with mounts in the child's own mount
 *                         namespace (ProtectSystem=, PrivateDevices=, ReadOnlyPaths=, …); {@link Sandbox#NONE}
 * @param listenPid        set LISTEN_PID to the child's own pid (sd_listen_fds(3)): the value is written into
 *                         the child's environment while it waits at the exec gate (it shares jinit's memory
 *                         until it execs), so such a spawn always passes the gate
 * @param ambientCapabilities AmbientCapabilities= (bit N = capability N) for a child that runs as another
 *                         user, or null
 */
public record ProcessSpec(
        String program,
        List<String> argv,
        Map<String, String> env,
        Path workingDirectory,
        List<FdSource> fds,
        Credentials credentials,
        boolean newSession,
        Integer processGroup,
        Path controllingTty,
        boolean foreground,
        Integer umask,
        Path rootDirectory,
        Set<Namespace> namespaces,
        boolean privateTmp,
        Map<Rlimit, Rlimit.Limit> rlimits,
        Path cgroup,
        Integer oomScoreAdjust,
        Integer nice,
        BitSet cpuAffinity,
        boolean noNewPrivileges,
        Long capabilityBoundingSet,
        Sandbox sandbox,
        boolean listenPid,
        Long ambientCapabilities) {

    public ProcessSpec {
        if (program == null || program.isEmpty()) throw new IllegalArgumentException("no program to run");
        argv = List.copyOf(argv);
        if (argv.isEmpty()) argv = List.of(program);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        for (String key : env.keySet())
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0)
                throw new IllegalArgumentException("invalid environment variable name: " + key);
        fds = List.copyOf(fds);
        namespaces = namespaces.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(namespaces));
        rlimits = rlimits.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(rlimits));
        cpuAffinity = cpuAffinity == null ? null : (BitSet) cpuAffinity.clone();
        if (sandbox == null) sandbox = Sandbox.NONE;
        if (controllingTty != null && !newSession)
            throw new IllegalArgumentException("a controlling tty needs a new session (setsid)");
        // Without a new controlling tty, foreground means a new group made foreground on the
        // terminal jinit already has as fd 0 (tini's way, so ctrl-C reaches the child).
        if (foreground && controllingTty == null && processGroup == null)
            throw new IllegalArgumentException("foreground needs a controlling tty or a new process group");
        if (processGroup != null && processGroup < 0) throw new IllegalArgumentException("negative process group");
        if (newSession && processGroup != null)
            throw new IllegalArgumentException("a new session already makes a new process group");
        if (umask != null && (umask < 0 || umask > 0777)) throw new IllegalArgumentException("umask out of range: " + umask);
        if (oomScoreAdjust != null && (oomScoreAdjust < -1000 || oomScoreAdjust > 1000))
            throw new IllegalArgumentException("OOM score adjustment out of range -1000..1000: " + oomScoreAdjust);
        if (nice != null && (nice < -20 || nice > 19)) throw new IllegalArgumentException("nice out of range -20..19: " + nice);
        if (cpuAffinity != null && cpuAffinity.isEmpty()) throw new IllegalArgumentException("empty CPU affinity");
        if (listenPid && !env.containsKey(LISTEN_PID))
            throw new IllegalArgumentException("listenPid needs the LISTEN_PID placeholder in the environment");
        if (ambientCapabilities != null && ambientCapabilities == 0) ambientCapabilities = null;
    }

    /** sd_listen_fds(3)'s variable; {@link #LISTEN_PID_PLACEHOLDER} is its value until the child's pid is known. */
    public static final String LISTEN_PID = "LISTEN_PID";
    /** Room for any pid and its terminating NUL, written over at the gate. */
    public static final String LISTEN_PID_PLACEHOLDER = "XXXXXXXXXXX";

    /** The CPUs the process may run on, or null; a copy, since a BitSet is mutable and a spec is not. */
    @Override
    public BitSet cpuAffinity() {
        return cpuAffinity == null ? null : (BitSet) cpuAffinity.clone();
    }

    /** The pieces only the exec gate can apply (the child must exist, but not yet have exec'd). */
    public boolean needsGate() {
        return !rlimits.isEmpty() || cgroup != null || oomScoreAdjust != null || nice != null || cpuAffinity != null
                || listenPid;
    }

    /** The pieces that change the spawning thread's own state, so it must be a throwaway thread. */
    public boolean needsThrowawayThread() {
        return credentials != null || umask != null || rootDirectory != null || !namespaces.isEmpty()
                || privateTmp || noNewPrivileges || capabilityBoundingSet != null || !sandbox.isEmpty()
                || ambientCapabilities != null;
    }

    public static Builder builder(String program, String... args) {
        return new Builder(program, List.of(args));
    }

    public static Builder builder(List<String> argv) {
        return new Builder(argv.getFirst(), argv.subList(1, argv.size()));
    }

    public Builder toBuilder() {
        Builder b = new Builder(program, List.of());
        b.argv = new ArrayList<>(argv);
        b.env = new LinkedHashMap<>(env);
        b.workingDirectory = workingDirectory;
        b.fds = new ArrayList<>(fds);
        b.credentials = credentials;
        b.newSession = newSession;
        b.processGroup = processGroup;
        b.controllingTty = controllingTty;
        b.foreground = foreground;
        b.umask = umask;
        b.rootDirectory = rootDirectory;
        b.namespaces = namespaces.isEmpty() ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(namespaces);
        b.privateTmp = privateTmp;
        b.rlimits = new EnumMap<>(Rlimit.class);
        b.rlimits.putAll(rlimits);
        b.cgroup = cgroup;
        b.oomScoreAdjust = oomScoreAdjust;
        b.nice = nice;
        b.cpuAffinity = cpuAffinity;
        b.noNewPrivileges = noNewPrivileges;
        b.capabilityBoundingSet = capabilityBoundingSet;
        b.sandbox = sandbox;
        b.listenPid = listenPid;
        b.ambientCapabilities = ambientCapabilities;
        return b;
    }

    /** Mutable builder; {@link #build()} validates. Defaults: stdio inherited, empty environment. */
    public static final class Builder {
        private String program;
        private List<String> argv;
        private Map<String, String> env = new LinkedHashMap<>();
        private Path workingDirectory;
        private List<FdSource> fds = new ArrayList<>(List.of(FdSource.INHERIT, FdSource.INHERIT, FdSource.INHERIT));
        private Credentials credentials;
        private boolean newSession;
        private Integer processGroup;
        private Path controllingTty;
        private boolean foreground;
        private Integer umask;
        private Path rootDirectory;
        private EnumSet<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        private boolean privateTmp;
        private EnumMap<Rlimit, Rlimit.Limit> rlimits = new EnumMap<>(Rlimit.class);
        private Path cgroup;
        private Integer oomScoreAdjust;
        private Integer nice;
        private BitSet cpuAffinity;
        private boolean noNewPrivileges;
        private Long capabilityBoundingSet;
        private Sandbox sandbox = Sandbox.NONE;
        private boolean listenPid;
        private Long ambientCapabilities;

        private Builder(String program, List<String> args) {
            this.program = program;
            this.argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(args);
        }

        public Builder program(String v) { program = v; return this; }
        public Builder argv(List<String> v) { argv = new ArrayList<>(v); return this; }
        public Builder env(Map<String, String> v) { env = new LinkedHashMap<>(v); return this; }
        public Builder putEnv(String k, String v) { env.put(k, v); return this; }
        public Builder unsetEnv(String k) { env.remove(k); return this; }
        /** The value the environment has for {@code k} so far, or null. */
        public String envValue(String k) { return env.get(k); }
        public Builder workingDirectory(Path v) { workingDirectory = v; return this; }
        public Builder fds(List<FdSource> v) { fds = new ArrayList<>(v); return this; }
        /** Sets entry {@code childFd} of the fd table, growing it with {@link FdSource.Null} as needed. */
        public Builder fd(int childFd, FdSource source) {
            while (fds.size() <= childFd) fds.add(FdSource.NULL);
            fds.set(childFd, source);
            return this;
        }
        public Builder stdin(FdSource s) { return fd(0, s); }
        public Builder stdout(FdSource s) { return fd(1, s); }
        public Builder stderr(FdSource s) { return fd(2, s); }
        public Builder credentials(Credentials v) { credentials = v; return this; }
        public Builder newSession(boolean v) { newSession = v; return this; }
        public Builder processGroup(Integer v) { processGroup = v; return this; }
        public Builder controllingTty(Path v) { controllingTty = v; return this; }
        public Builder foreground(boolean v) { foreground = v; return this; }
        public Builder umask(Integer v) { umask = v; return this; }
        public Builder rootDirectory(Path v) { rootDirectory = v; return this; }
        public Builder namespace(Namespace n) { namespaces.add(n); return this; }
        public Builder namespaces(Set<Namespace> v) { namespaces = v.isEmpty() ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(v); return this; }
        public Builder privateTmp(boolean v) { privateTmp = v; return this; }
        public Builder rlimit(Rlimit r, Rlimit.Limit l) { rlimits.put(r, l); return this; }
        public Builder cgroup(Path v) { cgroup = v; return this; }
        public Builder oomScoreAdjust(Integer v) { oomScoreAdjust = v; return this; }
        public Builder nice(Integer v) { nice = v; return this; }
        public Builder cpuAffinity(BitSet v) { cpuAffinity = v; return this; }
        public Builder noNewPrivileges(boolean v) { noNewPrivileges = v; return this; }
        public Builder capabilityBoundingSet(Long v) { capabilityBoundingSet = v; return this; }
        public Builder sandbox(Sandbox v) { sandbox = v == null ? Sandbox.NONE : v; return this; }
        /** LISTEN_PID= the child's pid (puts the placeholder in the environment). */
        public Builder listenPid(boolean v) {
            listenPid = v;
            if (v) env.put(LISTEN_PID, LISTEN_PID_PLACEHOLDER);
            else env.remove(LISTEN_PID);
            return this;
        }
        public Builder ambientCapabilities(Long v) { ambientCapabilities = v; return this; }

        public ProcessSpec build() {
            return new ProcessSpec(program, argv, env, workingDirectory, fds, credentials, newSession,
                    processGroup, controllingTty, foreground, umask, rootDirectory, namespaces, privateTmp,
                    rlimits, cgroup, oomScoreAdjust, nice, cpuAffinity, noNewPrivileges, capabilityBoundingSet, sandbox,
                    listenPid, ambientCapabilities);
        }
    }
}
