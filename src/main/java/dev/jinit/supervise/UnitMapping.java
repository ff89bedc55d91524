package dev.jinit.supervise;

import dev.jinit.exec.DirectiveState;
import dev.jinit.exec.Directives;
import dev.jinit.exec.FdSource;
import dev.jinit.exec.OomScorePrivilege;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Rlimit;
import dev.jinit.exec.Users;
import dev.jinit.linux.RegularFile;
import dev.jinit.unit.Condition;
import dev.jinit.unit.Diagnostic;
import dev.jinit.unit.EnvFile;
import dev.jinit.unit.ExecCommand;
import dev.jinit.unit.LoadResult;
import dev.jinit.unit.LoadState;
import dev.jinit.unit.LoadedUnit;
import dev.jinit.unit.Service;
import dev.jinit.unit.ServiceUnit;
import dev.jinit.unit.SocketUnit;
import dev.jinit.unit.SpawnDirective;
import dev.jinit.unit.TargetUnit;
import dev.jinit.unit.TimeSpans;
import dev.jinit.unit.TimerUnit;
import dev.jinit.unit.Unit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Turns the unit loader's model into what the manager runs: a {@link ServiceConfig} for the state
 * machine, and a {@link SpawnPlan} that builds each process at the moment it starts (EnvironmentFile=
 * is read then, and {@code $VAR} expanded with that environment, as systemd does).
 */
public final class UnitMapping {
    private UnitMapping() {}

    /** systemd's default PATH for services. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Directives the {@code +} prefix drops: credentials and sandboxing, not resources or output. */
    private static final Set<String> PRIVILEGED_DROPS = privilegedDrops();

    private static Set<String> privilegedDrops() {
        Set<String> drops = new java.util.HashSet<>(Set.of("User", "Group", "SupplementaryGroups", "RootDirectory",
                "NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities", "PrivateNetwork", "PrivateTmp", "ProtectHostname",
                "PrivateIPC", "PrivateMounts", "PrivatePIDs", "PrivateUsers"));
        drops.addAll(Directives.sandboxNames());
        return Set.copyOf(drops);
    }
    /** Directives the {@code !} prefix drops: only the credential change. */
    private static final Set<String> NO_SETUID_DROPS = Set.of("User", "Group", "SupplementaryGroups");

    public static List<UnitDefinition> map(LoadResult result) {
        return map(result, OomScorePrivilege::refusal);
    }

    /**
     * @param oomRefusal why an OOMScoreAdjust= value cannot be set by this jinit (null when it can); a port so
     *                   tests can play a container's root without CAP_SYS_RESOURCE
     */
    static List<UnitDefinition> map(LoadResult result, IntFunction<String> oomRefusal) {
        List<UnitDefinition> out = new ArrayList<>();
        for (LoadedUnit lu : result.units().values()) {
            switch (lu) {
                case LoadedUnit.Failed f -> {
                    UnitDefinition failed = UnitDefinition.failed(f.name(), f.loadState(),
                            String.join("; ", f.reasons()), f.source());
                    Unit.UnitInfo partial = f.partial();
                    // What could be read of [Unit]/[Install] keeps the unit where it belongs: a unit that
                    // startup would have started is reported as failed there.
                    if (partial != null) failed = failed.withDependencies(partial.description(), deps(partial));
                    out.add(failed);
                }
                case LoadedUnit.Ok ok -> out.add(ok.unit() instanceof SocketUnit su
                        ? socket(su, result.diagnostics(), instanceFactory(result, oomRefusal))
                        : map(ok.unit(), result.diagnostics(), oomRefusal));
            }
        }
        return out;
    }

    static UnitDefinition map(Unit unit, List<Diagnostic> diagnostics) {
        return map(unit, diagnostics, OomScorePrivilege::refusal);
    }

    static UnitDefinition map(Unit unit, List<Diagnostic> diagnostics, IntFunction<String> oomRefusal) {
        Unit.UnitInfo info = unit.info();
        List<Path> files = new ArrayList<>();
        if (info.source() != null) files.add(info.source());
        files.addAll(info.dropIns());
        List<String> warnings = new ArrayList<>(diagnostics.stream().filter(d -> files.contains(d.file())).map(Diagnostic::toString).toList());
        UnitDefinition.Dependencies deps = deps(info);
        String fingerprint = fingerprint(files);
        StartConditions conditions = conditions(info.conditions());
        return switch (unit) {
            case SocketUnit so -> socket(so, diagnostics, null);
            case TargetUnit t -> new UnitDefinition(t.name(), UnitDefinition.Kind.TARGET, LoadState.LOADED, null, info.source(),
                    info.description(), deps, null, null, null, warnings, fingerprint, conditions);
            case TimerUnit t -> new UnitDefinition(t.name(), UnitDefinition.Kind.TIMER, LoadState.LOADED, null, info.source(),
                    info.description(), deps, null, null, null, warnings, fingerprint, conditions, null, 0, t.timer());
            case ServiceUnit su -> {
                try {
                    ServiceConfig config = config(su.name(), su.service(), info);
                    boolean skipOom = unattainableOomScore(su.service(), oomRefusal, warnings);
                    unfilteredUserNamespace(su.service(), warnings);
                    yield new UnitDefinition(su.name(), UnitDefinition.Kind.SERVICE, LoadState.LOADED, null, info.source(),
                            info.description(), deps, config, plan(su, skipOom), directories(su.service()), warnings,
                            fingerprint, conditions, null, stdioSocket(su.service()), null);
                } catch (IllegalArgumentException e) {
                    yield UnitDefinition.failed(su.name(), LoadState.BAD_SETTING, (info.source() == null ? su.name() : info.source().toString())
                            + ": " + e.getMessage(), info.source());
                }
            }
        };
    }

    /** Builds the instances of an Accept=yes socket's template from the files read at this load. */
    private static java.util.function.Function<String, UnitDefinition> instanceFactory(LoadResult result,
                                                                                       IntFunction<String> oomRefusal) {
        return name -> switch (result.instance(name)) {
            case LoadedUnit.Ok ok -> map(ok.unit(), List.of(), oomRefusal);
            case LoadedUnit.Failed f -> UnitDefinition.failed(f.name(), f.loadState(), String.join("; ", f.reasons()), f.source());
        };
    }

    /**
     * A socket unit: implicitly ordered before the service it activates (systemd.socket(5)), and with
     * DefaultDependencies=yes before sockets.target.
     */
    static UnitDefinition socket(SocketUnit so, List<Diagnostic> diagnostics,
                                 java.util.function.Function<String, UnitDefinition> instances) {
        Unit.UnitInfo info = so.info();
        List<Path> files = new ArrayList<>();
        if (info.source() != null) files.add(info.source());
        files.addAll(info.dropIns());
        List<String> warnings = new ArrayList<>(diagnostics.stream().filter(d -> files.contains(d.file())).map(Diagnostic::toString).toList());
        UnitDefinition.Dependencies d = deps(info);
        List<String> before = new ArrayList<>(d.before());
        String service = so.serviceName();
        if (!so.socket().accept() && !before.contains(service)) before.add(service);
        if (info.defaultDependencies() && !before.contains("sockets.target")) before.add("sockets.target");
        d = new UnitDefinition.Dependencies(d.requires(), d.wants(), d.bindsTo(), d.after(), before, d.conflicts(),
                d.wantedBy(), d.requiredBy(), d.requisite(), d.partOf(), d.defaultDependencies(), d.onFailure(), d.onSuccess(),
                d.upholds(), d.propagatesReloadTo(), d.reloadPropagatedFrom());
        if (so.socket().accept() && instances == null)
            return UnitDefinition.failed(so.name(), LoadState.BAD_SETTING, so.name() + ": Accept=yes needs the unit directory", info.source());
        return new UnitDefinition(so.name(), UnitDefinition.Kind.SOCKET, LoadState.LOADED, null, info.source(),
                info.description(), d, null, null, null, warnings, fingerprint(files), conditions(info.conditions()),
                new SocketConfig(so.socket(), service, so.socket().accept() ? instances : null), 0, null);
    }

    /** Which of stdin, stdout and stderr (bits 0, 1, 2) are the connection of an Accept=yes socket. */
    private static int stdioSocket(Service s) {
        int mask = 0;
        if (s.standardInput().equals("socket")) mask |= 1;
        if (s.standardOutput().equals("socket")) mask |= 2;
        if (s.effectiveStandardError().equals("socket")) mask |= 4;
        return mask;
    }

    /** systemd's order: the conditions first (unmet: skipped), then the asserts (unmet: failed). */
    static StartConditions conditions(List<Condition> all) {
        if (all.isEmpty()) return StartConditions.NONE;
        List<Condition> conditions = all.stream().filter(c -> !c.isAssert()).toList();
        List<Condition> asserts = all.stream().filter(Condition::isAssert).toList();
        return () -> {
            String unmet = Condition.unmet(conditions);
            if (unmet != null) return new StartConditions.Unmet(false, unmet);
            unmet = Condition.unmet(asserts);
            return unmet == null ? null : new StartConditions.Unmet(true, unmet);
        };
    }

    private static UnitDefinition.Dependencies deps(Unit.UnitInfo info) {
        return new UnitDefinition.Dependencies(info.requires(), info.wants(), info.bindsTo(), info.after(),
                info.before(), info.conflicts(), info.wantedBy(), info.requiredBy(), info.requisite(), info.partOf(),
                info.defaultDependencies(), info.onFailure(), info.onSuccess(), info.upholds(), info.propagatesReloadTo(),
                info.reloadPropagatedFrom());
    }

    static ServiceConfig config(String name, Service s, Unit.UnitInfo info) {
        return new ServiceConfig(name, s.type(),
                commands(s.execStartPre()), commands(s.execStart()), commands(s.execStartPost()),
                commands(s.execReload()), commands(s.execStop()), commands(s.execStopPost()),
                s.remainAfterExit(), s.pidFile(), s.restart(),
                millis(s.restartSec()), s.restartSteps(), millis(s.restartMaxDelay()),
                s.successExitStatus(), s.restartPreventExitStatus(), s.restartForceExitStatus(),
                millis(s.timeoutStart()), millis(s.timeoutStop()), s.killMode(),
                s.killSignal(), s.finalKillSignal(), s.sendSigkill(), s.sendSighup(), s.notifyAccess(), millis(s.watchdog()),
                millis(info.startLimitInterval()), info.startLimitBurst(), s.busName(), s.reloadSignal());
    }

    private static List<ServiceConfig.Command> commands(List<ExecCommand> list) {
        List<ServiceConfig.Command> out = new ArrayList<>();
        for (ExecCommand c : list) {
            List<String> argv = new ArrayList<>();
            argv.add(c.path());
            argv.addAll(c.words());
            out.add(new ServiceConfig.Command(argv, c.has(ExecCommand.Prefix.IGNORE_FAILURE)));
        }
        return out;
    }

    /** Infinity and zero both mean "no limit" to the state machine. */
    private static long millis(Duration d) {
        if (d == null || TimeSpans.isInfinite(d)) return 0;
        return d.toMillis();
    }

    private static UnitDefinition.Directories directories(Service s) {
        if (s.runtimeDirectory().isEmpty() && s.stateDirectory().isEmpty() && s.logsDirectory().isEmpty())
            return UnitDefinition.Directories.NONE;
        Integer uid = null, gid = null;
        for (SpawnDirective d : s.spawnDirectives()) {
            if (d.key().equals("User") && !d.value().isBlank()) {
                try {
                    Users.User u = Users.system().user(d.value().strip());
                    uid = u.uid();
                    gid = u.gid();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(d.where() + ": User=" + d.value() + ": " + e.getMessage(), e);
                }
            }
        }
        return new UnitDefinition.Directories(s.runtimeDirectory(), s.stateDirectory(), s.logsDirectory(),
                s.runtimeDirectoryMode(), s.stateDirectoryMode(), s.logsDirectoryMode(), uid, gid);
    }

    /**
     * systemd (exec-invoke's set_oom_score_adjust) goes on without an OOMScoreAdjust= it is not allowed to
     * set, "assuming containerized execution": postgresql@ and dbus ask for -900, which a container's root
     * without CAP_SYS_RESOURCE cannot give. The unit then runs without it and says why in its warnings.
     *
     * @return whether the plan must leave OOMScoreAdjust= out
     */
    private static boolean unattainableOomScore(Service s, IntFunction<String> oomRefusal, List<String> warnings) {
        SpawnDirective last = null;
        for (SpawnDirective d : s.spawnDirectives()) if (d.key().equals("OOMScoreAdjust")) last = d;
        if (last == null || last.value().isBlank()) return false;
        String why = oomRefusal.apply(Integer.parseInt(last.value().strip().replaceFirst("^\\+", "")));
        if (why == null) return false;
        warnings.add(last.where() + ": " + why + "; assuming containerized execution, ignoring (as systemd does)");
        return true;
    }

    /**
     * PrivateUsers= hands the start to util-linux unshare (a JVM cannot make a user namespace itself), and a
     * seccomp filter installed before it would hit unshare and setpriv themselves: such a unit runs without its
     * filter (exec.Preflight), and says so here rather than silently.
     */
    private static void unfilteredUserNamespace(Service s, List<String> warnings) {
        boolean userNs = false;
        SpawnDirective filtering = null;
        for (SpawnDirective d : s.spawnDirectives()) {
            if (d.key().equals("PrivateUsers")) userNs = isTrue(d.value());
            if (SECCOMP_DIRECTIVES.contains(d.key()) && !d.value().isBlank() && filtering == null) filtering = d;
        }
        if (userNs && filtering != null)
            warnings.add(filtering.where() + ": " + filtering.key() + "= (with every system call filter of the unit) is not enforced: "
                    + "PrivateUsers= hands the start to util-linux unshare, which the filter would stop");
    }

    private static final Set<String> SECCOMP_DIRECTIVES = Set.of("SystemCallFilter", "SystemCallArchitectures",
            "RestrictAddressFamilies", "RestrictNamespaces", "MemoryDenyWriteExecute", "LockPersonality", "RestrictRealtime",
            "RestrictSUIDSGID");

    private static boolean isTrue(String v) {
        return Set.of("1", "yes", "y", "true", "t", "on").contains(v.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** Builds each process of the service when it is about to run. */
    static SpawnPlan plan(ServiceUnit su) {
        return plan(su, false);
    }

    private static SpawnPlan plan(ServiceUnit su, boolean skipOomScore) {
        Service s = su.service();
        String where = su.source() == null ? su.name() : su.source().toString();
        return (role, index, extraEnv) -> {
            ExecCommand cmd = switch (role) {
                case START_PRE -> s.execStartPre().get(index);
                case START -> s.execStart().get(index);
                case START_POST -> s.execStartPost().get(index);
                case RELOAD -> s.execReload().get(index);
                case STOP -> s.execStop().get(index);
                case STOP_POST -> s.execStopPost().get(index);
            };
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", DEFAULT_PATH);
            env.putAll(s.environment());
            for (EnvFile.Ref ref : s.environmentFiles()) {
                try {
                    env.putAll(ref.read().vars());
                } catch (IOException e) {
                    throw new IllegalArgumentException(where + ": EnvironmentFile=" + ref.path() + ": " + e.getMessage(), e);
                }
            }
            env.putAll(extraEnv);
            ExecCommand.Invocation inv = cmd.expand(env);
            ProcessSpec.Builder b = ProcessSpec.builder(inv.argv()).program(inv.path()).env(env);
            // StandardInput=socket: a placeholder the driver replaces with the connection (stdioSocket).
            b.stdin(s.standardInput().startsWith("file:") ? new FdSource.ReadFile(Path.of(s.standardInput().substring(5))) : FdSource.NULL);
            DirectiveState st = new DirectiveState();
            Set<String> dropped = cmd.has(ExecCommand.Prefix.PRIVILEGED) ? PRIVILEGED_DROPS
                    : cmd.has(ExecCommand.Prefix.NO_SETUID) ? NO_SETUID_DROPS : Set.of();
            for (SpawnDirective d : s.spawnDirectives()) {
                if (dropped.contains(d.key()) || (skipOomScore && d.key().equals("OOMScoreAdjust"))) continue;
                try {
                    Directives.apply(b, st, d.key(), d.value());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(d.where() + ": " + e.getMessage(), e);
                }
            }
            // systemd.exec(5): RuntimeDirectory=, StateDirectory= and LogsDirectory= stay writable under
            // ProtectSystem=strict (and any read-only parent), unless the sandbox is dropped by "+". Only
            // for a unit that has file-system sandboxing: the others must not pay for a mount namespace.
            if (dropped != PRIVILEGED_DROPS && s.spawnDirectives().stream().anyMatch(d -> Directives.fileSystemSandboxNames().contains(d.key()))) {
                for (String d : s.runtimeDirectory()) Directives.apply(b, st, "ReadWritePaths", "-/run/" + d);
                for (String d : s.stateDirectory()) Directives.apply(b, st, "ReadWritePaths", "-/var/lib/" + d);
                for (String d : s.logsDirectory()) Directives.apply(b, st, "ReadWritePaths", "-/var/log/" + d);
            }
            try {
                Directives.finish(b, st);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(placeOf(e.getMessage(), s.spawnDirectives(), where) + ": " + e.getMessage(), e);
            }
            // jinit runs with its soft descriptor limit raised (FdLimits); a service must not inherit that.
            if (s.spawnDirectives().stream().noneMatch(d -> d.key().equals("LimitNOFILE")))
                b.rlimit(Rlimit.NOFILE, FdLimits.childDefault());
            applyOutput(b, s.standardOutput(), s.standardError(), where);
            return b.build();
        };
    }

    /**
     * Where a combined directive error comes from: Directives.finish reports "User=x: ..." without a
     * line, so the last line that set that directive is named.
     */
    private static String placeOf(String message, List<SpawnDirective> directives, String fallback) {
        int eq = message == null ? -1 : message.indexOf('=');
        if (eq <= 0) return fallback;
        String key = message.substring(0, eq);
        String place = fallback;
        for (SpawnDirective d : directives) if (d.key().equals(key)) place = d.where();
        return place;
    }

    /**
     * StandardOutput=/StandardError=: journal is a pipe to jinit's log pipeline (each stream its own
     * pipe, so lines keep their stream); stderr "inherit" goes where stdout goes.
     */
    private static void applyOutput(ProcessSpec.Builder b, String stdout, String stderr, String where) {
        String out = stdout == null || stdout.isEmpty() ? "journal" : stdout;
        String err = stderr == null || stderr.isEmpty() || stderr.equals("inherit") ? out : stderr;
        b.stdout(output("StandardOutput", out, where));
        // stderr following a stdout file is an equal WriteFile, which the Spawner opens once for both.
        b.stderr(output("StandardError", err, where));
    }

    private static FdSource output(String key, String v, String where) {
        if (v.equals("socket")) return FdSource.NULL; // the connection, put there by the driver (stdioSocket)
        try {
            return Directives.parseOutput(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + key + "=" + v + ": " + e.getMessage(), e);
        }
    }

    /** Changes when any of the unit's files changes (content, or existence). */
    static String fingerprint(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try {
                    // Never a blocking read: the loader already refused anything but a regular file, and a
                    // file replaced by a FIFO since then must not hang the load here either.
                    md.update(RegularFile.read(p.toRealPath(), 4L * 1024 * 1024));
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    md.update(Long.toString(a.size()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException e) {
                    md.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
