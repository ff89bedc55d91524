package dev.jinit.unit;

import dev.jinit.exec.DirectiveState;
import dev.jinit.exec.Directives;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.linux.Signals;
import dev.jinit.unit.Unit.UnitInfo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Interprets the assignments of one {@link UnitFile} into a {@link Unit}. Every problem is collected rather than
 * stopping at the first, so the user sees all of them at once: unknown sections and directives are warnings
 * (reported once per file and name, never fatal); a malformed value is an error
 * ({@code file:line: Directive=value: reason}) that fails this unit only.
 *
 * <p>Mutable while building and confined to one call of {@link #build}; what it returns is immutable.
 */
public final class UnitBuilder {

    /**
     * The outcome for one unit: the unit when there is no error, and every diagnostic either way. {@code info}
     * is the [Unit]/[Install] part as far as it could be read, also for a failed unit, so that the failure is
     * placed in the dependency graph where the unit would have been.
     */
    public record Result(Unit unit, Unit.UnitInfo info, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean failed() {
            return unit == null;
        }

        public List<Diagnostic> errors() {
            return diagnostics.stream().filter(Diagnostic::isError).toList();
        }
    }

    private final UnitName name;
    private final UnitFile file;
    private final Specifiers specifiers;
    private final List<Diagnostic> diags = new ArrayList<>();
    private final Set<String> reportedUnknown = new HashSet<>();
    private final List<UnitFile.Assignment> unsupported = new ArrayList<>();

    // [Unit]
    private String description;
    private final List<String> requires = new ArrayList<>(), wants = new ArrayList<>(), bindsTo = new ArrayList<>(),
            after = new ArrayList<>(), before = new ArrayList<>(), conflicts = new ArrayList<>(),
            requisite = new ArrayList<>(), partOf = new ArrayList<>(), onFailure = new ArrayList<>(),
            onSuccess = new ArrayList<>(), upholds = new ArrayList<>(), propagatesReloadTo = new ArrayList<>(),
            reloadPropagatedFrom = new ArrayList<>();
    private Duration startLimitInterval = Duration.ofSeconds(10);
    private int startLimitBurst = 5;
    private boolean defaultDependencies = true;
    private final Map<String, String> origins = new LinkedHashMap<>();
    private final List<Condition> conditions = new ArrayList<>();
    // [Install]
    private final List<String> wantedBy = new ArrayList<>(), requiredBy = new ArrayList<>(), aliases = new ArrayList<>();
    // [Service]
    private ServiceType type;
    private boolean remainAfterExit;
    private Path pidFile;
    private final List<ExecCommand> execStartPre = new ArrayList<>(), execStart = new ArrayList<>(),
            execStartPost = new ArrayList<>(), execReload = new ArrayList<>(), execStop = new ArrayList<>(),
            execStopPost = new ArrayList<>();
    private RestartPolicy restart = RestartPolicy.NO;
    private Duration restartSec = Duration.ofMillis(100);
    private int restartSteps;
    private Duration restartMaxDelay = TimeSpans.INFINITY;
    private ExitStatusSet restartPrevent = ExitStatusSet.EMPTY, restartForce = ExitStatusSet.EMPTY,
            successExit = ExitStatusSet.EMPTY;
    private Duration timeoutStart, timeoutStop;
    private KillMode killMode = KillMode.CONTROL_GROUP;
    private int killSignal = Signals.SIGTERM, finalKillSignal = Signals.SIGKILL;
    private boolean sendSigkill = true, sendSighup;
    private NotifyAccess notifyAccess;
    private Duration watchdog = Duration.ZERO;
    private String busName;
    private int reloadSignal = Signals.SIGHUP;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<EnvFile.Ref> environmentFiles = new ArrayList<>();
    private final List<String> runtimeDirectory = new ArrayList<>(), stateDirectory = new ArrayList<>(),
            logsDirectory = new ArrayList<>();
    private int runtimeDirectoryMode = 0755, stateDirectoryMode = 0755, logsDirectoryMode = 0755;
    private String standardOutput = "journal", standardError = "inherit", standardInput = "null";
    private boolean standardOutputSet;
    private final List<SpawnDirective> spawnDirectives = new ArrayList<>();
    /**
     * Spawn directives are checked here, at load, through the same {@link Directives} the supervisor applies
     * them with, so a bad LimitNOFILE= fails the unit with its line instead of failing every start. Users and
     * groups are resolved only at start ({@link Directives#finish}), as systemd does: the user may be created
     * between load and start.
     */
    private final ProcessSpec.Builder spawnCheck = ProcessSpec.builder("/bin/true");
    private final DirectiveState spawnCheckState = new DirectiveState();
    private int serviceSectionLine;
    // [Timer]
    private final List<Duration> onActive = new ArrayList<>(), onBoot = new ArrayList<>(), onStartup = new ArrayList<>(),
            onUnitActive = new ArrayList<>(), onUnitInactive = new ArrayList<>();
    private final List<CalendarSpec> onCalendar = new ArrayList<>();
    private Duration accuracy = Duration.ofMinutes(1), randomizedDelay = Duration.ZERO;
    private boolean fixedRandomDelay, persistent, wakeSystem, remainAfterElapse = true;
    private String timerUnit;
    private int timerSectionLine;
    // [Socket]
    private final SocketSection socketSection = new SocketSection();
    private int socketSectionLine;

    private UnitBuilder(UnitName name, UnitFile file, SystemContext system) {
        this.name = name;
        this.file = file;
        this.specifiers = new Specifiers(name, system, file.path());
    }

    /**
     * Builds the unit {@code name} (for an instance, from its template's file).
     * @throws BadValueException when {@code name} is a template or of a type jinit does not run
     */
    public static Result build(UnitName name, UnitFile file, SystemContext system) {
        if (name.isTemplate()) throw new BadValueException(name.name() + " is a template; only its instances can be loaded");
        name.kind();
        return new UnitBuilder(name, file, system).run();
    }

    private Result run() {
        diags.addAll(file.diagnostics());
        boolean service = name.kind() == UnitKind.SERVICE;
        boolean timer = name.kind() == UnitKind.TIMER;
        boolean socket = name.kind() == UnitKind.SOCKET;
        for (UnitFile.Assignment a : file.assignments()) {
            try {
                // NUL cannot reach a path, an argument or an environment variable; systemd rejects it too.
                if (a.value().indexOf('\0') >= 0) throw new BadValueException("value contains a NUL character");
                switch (a.section()) {
                    case "Unit" -> unitDirective(a);
                    case "Install" -> installDirective(a);
                    case "Service" -> {
                        if (!service) unknownSection(a);
                        else {
                            if (serviceSectionLine == 0) serviceSectionLine = a.line();
                            serviceDirective(a);
                        }
                    }
                    case "Timer" -> {
                        if (!timer) unknownSection(a);
                        else {
                            if (timerSectionLine == 0) timerSectionLine = a.line();
                            timerDirective(a);
                        }
                    }
                    case "Socket" -> {
                        if (!socket) unknownSection(a);
                        else {
                            if (socketSectionLine == 0) socketSectionLine = a.line();
                            socketDirective(a);
                        }
                    }
                    default -> unknownSection(a);
                }
            } catch (BadValueException | java.nio.file.InvalidPathException e) {
                diags.add(Diagnostic.error(a.file(), a.line(), a.key() + "=" + a.value() + ": " + e.getMessage()));
            }
        }
        TimerUnit.Timer t = timer ? finishTimer() : null;
        defaultDependencies(t);
        if (service && effectiveType() == ServiceType.DBUS) {
            // systemd's service_add_extras: a D-Bus service needs the bus, whatever DefaultDependencies= says.
            implicit(requires, "Requires", "dbus.socket", "(Type=dbus)");
            implicit(after, "After", "dbus.socket", "(Type=dbus)");
        }
        UnitInfo info = new UnitInfo(name.name(), file.path(), dropIns(), description == null ? name.name() : description,
                requires, wants, bindsTo, after, before, conflicts, startLimitInterval, startLimitBurst,
                wantedBy, requiredBy, aliases, defaultDependencies, unsupported, origins, conditions, requisite, partOf,
                onFailure, onSuccess, upholds, propagatesReloadTo, reloadPropagatedFrom);
        Unit unit = null;
        if (service) {
            Service s = finishService();
            if (s != null) unit = new ServiceUnit(info, s);
        } else if (timer) {
            if (t != null) unit = new TimerUnit(info, t);
        } else if (socket) {
            Socket sk = finishSocket();
            if (sk != null) unit = new SocketUnit(info, sk);
        } else {
            unit = new TargetUnit(info);
        }
        if (diags.stream().anyMatch(Diagnostic::isError)) unit = null;
        return new Result(unit, info, diags);
    }

    /** Where the dependencies systemd adds by itself are said to come from. */
    static final String DEFAULT_DEPENDENCY = "(DefaultDependencies=yes)";

    /**
     * The dependencies systemd adds to a unit with DefaultDependencies=yes (systemd.service(5), systemd.timer(5),
     * systemd.target(5)): a service Requires= and is After= sysinit.target and After= basic.target; a timer
     * Requires= and is After= sysinit.target and Before= timers.target (and After= time-set.target and
     * time-sync.target with OnCalendar=); every one of them, targets too, Conflicts= and is Before=
     * shutdown.target. A timer is always Before= the unit it activates. A socket Requires= and is After=
     * sysinit.target (its Before= sockets.target and its service are added where it is mapped).
     */
    private void defaultDependencies(TimerUnit.Timer t) {
        if (t != null) implicit(before, "Before", t.unit());
        if (!defaultDependencies) return;
        UnitKind k = name.kind();
        if (k == UnitKind.SERVICE || k == UnitKind.TIMER || k == UnitKind.SOCKET) {
            implicit(requires, "Requires", "sysinit.target");
            implicit(after, "After", "sysinit.target");
        }
        if (k == UnitKind.SERVICE) implicit(after, "After", "basic.target");
        if (k == UnitKind.TIMER) {
            implicit(before, "Before", "timers.target");
            if (t != null && !t.onCalendar().isEmpty()) {
                implicit(after, "After", "time-set.target");
                implicit(after, "After", "time-sync.target");
            }
        }
        implicit(conflicts, "Conflicts", "shutdown.target");
        implicit(before, "Before", "shutdown.target");
    }

    private void implicit(List<String> into, String directive, String unit) {
        implicit(into, directive, unit, DEFAULT_DEPENDENCY);
    }

    private void implicit(List<String> into, String directive, String unit, String origin) {
        if (unit.equals(name.name()) || into.contains(unit)) return;
        into.add(unit);
        origins.putIfAbsent(directive + "=" + unit, origin);
    }

    /** Type=, or its default: dbus with BusName=, simple with ExecStart=, else oneshot (systemd.service(5)). */
    private ServiceType effectiveType() {
        return type != null ? type : busName != null ? ServiceType.DBUS
                : execStart.isEmpty() ? ServiceType.ONESHOT : ServiceType.SIMPLE;
    }

    /**
     * A bus name as the D-Bus specification allows it: a unique name (":1.42") or a well-known one of
     * at least two dot-separated elements of [A-Za-z0-9_-] not starting with a digit, at most 255 bytes.
     */
    static String busName(String v) {
        String why = null;
        if (v.length() > 255) why = "longer than 255 characters";
        else {
            boolean unique = v.startsWith(":");
            String[] parts = (unique ? v.substring(1) : v).split("\\.", -1);
            if (parts.length < 2) why = "needs at least two elements separated by '.'";
            for (String p : parts) {
                if (why != null) break;
                if (p.isEmpty()) why = "has an empty element";
                else if (!unique && Character.isDigit(p.charAt(0))) why = "has an element starting with a digit";
                else if (!p.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')))
                    why = "may hold only A-Z a-z 0-9 _ - and '.'";
            }
        }
        if (why != null) throw new BadValueException("not a D-Bus name: " + why);
        return v;
    }

    /** The [Timer] section as a whole; null (with an error) when the timer cannot work. */
    private TimerUnit.Timer finishTimer() {
        String unit = timerUnit != null ? timerUnit : name.withoutSuffix() + ".service";
        TimerUnit.Timer t = new TimerUnit.Timer(onActive, onBoot, onStartup, onUnitActive, onUnitInactive, onCalendar,
                accuracy, randomizedDelay, fixedRandomDelay, persistent, wakeSystem, remainAfterElapse, unit);
        if (!t.hasTriggers()) {
            // systemd: "Timer unit lacks value setting. Refusing."
            diags.add(Diagnostic.error(file.path(), timerSectionLine, "timer has no OnActiveSec=, OnBootSec=, OnStartupSec=, "
                    + "OnUnitActiveSec=, OnUnitInactiveSec= or OnCalendar= (systemd: \"Timer unit lacks value setting. Refusing.\")"));
            return null;
        }
        return t;
    }

    // ---- [Timer] ----

    private void timerDirective(UnitFile.Assignment a) {
        String v = a.value();
        switch (a.key()) {
            case "OnActiveSec" -> span(onActive, v);
            case "OnBootSec" -> span(onBoot, v);
            case "OnStartupSec" -> span(onStartup, v);
            case "OnUnitActiveSec" -> span(onUnitActive, v);
            case "OnUnitInactiveSec" -> span(onUnitInactive, v);
            case "OnCalendar" -> {
                if (v.isEmpty()) resetTriggers();
                else onCalendar.add(CalendarSpec.parse(specifiers.expand(v)));
            }
            case "AccuracySec" -> accuracy = v.isEmpty() ? Duration.ofMinutes(1) : TimeSpans.parse(v);
            case "RandomizedDelaySec" -> randomizedDelay = v.isEmpty() ? Duration.ZERO : TimeSpans.parse(v);
            case "FixedRandomDelay" -> fixedRandomDelay = !v.isEmpty() && bool(v);
            case "Persistent" -> persistent = !v.isEmpty() && bool(v);
            case "RemainAfterElapse" -> remainAfterElapse = v.isEmpty() || bool(v);
            case "WakeSystem" -> {
                wakeSystem = !v.isEmpty() && bool(v);
                if (wakeSystem)
                    diags.add(Diagnostic.warning(a.file(), a.line(), "WakeSystem=yes is accepted, but jinit does not wake a "
                            + "suspended machine; the timer fires when the machine is awake"));
            }
            case "OnClockChange", "OnTimezoneChange" -> {
                if (!v.isEmpty()) bool(v);
                unknown(a);
            }
            case "Unit" -> {
                if (v.isEmpty()) {
                    timerUnit = null;
                    return;
                }
                String n = specifiers.expand(v);
                UnitName un = UnitName.parse(n);
                if (un.type().equals("timer")) throw new BadValueException("a timer cannot activate another timer");
                if (un.isTemplate()) throw new BadValueException("a timer cannot activate a template; name an instance");
                timerUnit = n;
            }
            default -> unknown(a);
        }
    }

    private void span(List<Duration> into, String v) {
        if (v.isEmpty()) {
            resetTriggers();
            return;
        }
        Duration d = TimeSpans.parse(v);
        if (TimeSpans.isInfinite(d)) throw new BadValueException("a timer cannot wait forever");
        into.add(d);
    }

    /** systemd.timer(5): an empty value resets every trigger, monotonic and calendar alike. */
    private void resetTriggers() {
        onActive.clear();
        onBoot.clear();
        onStartup.clear();
        onUnitActive.clear();
        onUnitInactive.clear();
        onCalendar.clear();
    }

    private List<Path> dropIns() {
        List<Path> out = new ArrayList<>();
        for (UnitFile.Assignment a : file.assignments())
            if (!a.file().equals(file.path()) && !out.contains(a.file())) out.add(a.file());
        return out;
    }

    private Service finishService() {
        ServiceType t = effectiveType();
        Path where = file.path();
        if (t == ServiceType.DBUS && busName == null) {
            diags.add(Diagnostic.error(where, serviceSectionLine, "Type=dbus needs BusName= (systemd: \"Service is of type D-Bus but no D-Bus "
                    + "service name has been specified. Refusing.\")"));
            return null;
        }
        int line = serviceSectionLine;
        if (execStart.isEmpty() && t != ServiceType.ONESHOT) {
            diags.add(Diagnostic.error(where, line, "Type=" + t.word() + " needs an ExecStart= (only oneshot services may have none)"));
            return null;
        }
        if (execStart.isEmpty() && execStop.isEmpty()) {
            diags.add(Diagnostic.error(where, line, "service has no ExecStart= and no ExecStop=, refusing"));
            return null;
        }
        if (execStart.size() > 1 && t != ServiceType.ONESHOT) {
            diags.add(Diagnostic.error(where, line, "Type=" + t.word() + " allows one ExecStart=, found " + execStart.size()
                    + " (only oneshot services may have several)"));
            return null;
        }
        if (t == ServiceType.ONESHOT && (restart == RestartPolicy.ALWAYS || restart == RestartPolicy.ON_SUCCESS)) {
            diags.add(Diagnostic.error(where, line, "Restart=" + restart.word() + " is not allowed for Type=oneshot"));
            return null;
        }
        Duration defaultTimeout = Duration.ofSeconds(90);
        Duration start = timeoutStart != null ? timeoutStart : t == ServiceType.ONESHOT ? TimeSpans.INFINITY : defaultTimeout;
        Duration stop = timeoutStop != null ? timeoutStop : defaultTimeout;
        NotifyAccess access = notifyAccess != null ? notifyAccess
                : t.isNotify() || !watchdog.isZero() ? NotifyAccess.MAIN : NotifyAccess.NONE;
        if (t.isNotify() && access == NotifyAccess.NONE)
            diags.add(Diagnostic.warning(where, line, "Type=" + t.word() + " with NotifyAccess=none: READY=1 will never be accepted"));
        return new Service(t, remainAfterExit, pidFile, execStartPre, execStart, execStartPost, execReload, execStop,
                execStopPost, restart, restartSec, restartSteps, restartMaxDelay, restartPrevent, restartForce,
                successExit, start, stop, killMode, killSignal, finalKillSignal, sendSigkill, sendSighup, access,
                watchdog, environment, environmentFiles, runtimeDirectory, stateDirectory, logsDirectory,
                runtimeDirectoryMode, stateDirectoryMode, logsDirectoryMode,
                // systemd.exec(5): with StandardInput=socket (or a tty), StandardOutput= defaults to inherit: the same socket.
                !standardOutputSet && standardInput.equals("socket") ? "socket" : standardOutput, standardError,
                spawnDirectives, standardInput, busName, reloadSignal);
    }

    private void unknownSection(UnitFile.Assignment a) {
        unsupported.add(a);
        if (a.section().startsWith("X-")) return; // extension sections are for other tools, silently
        if (reportedUnknown.add("[" + a.section() + "]"))
            diags.add(Diagnostic.warning(a.file(), a.line(), "unknown section [" + a.section() + "], ignoring"));
    }

    private void unknown(UnitFile.Assignment a) {
        unsupported.add(a);
        if (a.key().startsWith("X-")) return;
        if (a.section().equals("Service") && NOT_ENFORCED.contains(a.key())) {
            // A protection the unit's author asked for and systemd would give: never dropped silently.
            if (!a.value().isBlank())
                diags.add(Diagnostic.warning(a.file(), a.line(), a.key() + "=" + a.value() + " " + NOT_ENFORCED_NOTE));
            return;
        }
        if (reportedUnknown.add(a.section() + "." + a.key()))
            diags.add(Diagnostic.warning(a.file(), a.line(), "unknown directive " + a.key() + " in [" + a.section() + "], ignoring"));
    }

    /** What {@code jinit status} shows after a protection it does not apply. */
    public static final String NOT_ENFORCED_NOTE = "is not enforced by jinit (systemd would apply it); the unit runs without it";

    /**
     * systemd.exec(5) and systemd.resource-control(5) protections and limits jinit does not apply (yet): each
     * occurrence is reported as not enforced, with its value, rather than as an unknown directive.
     */
    static final Set<String> NOT_ENFORCED = Set.of("IPAddressAllow", "IPAddressDeny", "IPIngressFilterPath",
            "IPEgressFilterPath", "DeviceAllow", "DevicePolicy", "SecureBits", "KeyringMode",
            "RemoveIPC", "RestrictFileSystems", "RestrictNetworkInterfaces", "SocketBindAllow", "SocketBindDeny",
            "NoExecPaths", "ExecPaths", "SystemCallLog", "DynamicUser", "MountFlags", "SELinuxContext",
            "AppArmorProfile", "SmackProcessLabel", "RootImage", "MountAPIVFS", "MemoryMax",
            "MemoryHigh", "MemoryLimit", "MemorySwapMax", "CPUQuota", "CPUWeight", "CPUShares", "TasksMax", "IOWeight",
            "IODeviceWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax", "IOWriteIOPSMax",
            "BlockIOWeight", "StartupCPUWeight", "StartupIOWeight", "AllowedCPUs", "AllowedMemoryNodes");

    // ---- [Unit] ----

    private void unitDirective(UnitFile.Assignment a) {
        String v = a.value();
        switch (a.key()) {
            case "Description" -> description = v.isEmpty() ? null : specifiers.expand(v);
            case "Requires" -> names(requires, a);
            case "Wants" -> names(wants, a);
            case "BindsTo" -> names(bindsTo, a);
            case "After" -> names(after, a);
            case "Before" -> names(before, a);
            case "Conflicts" -> names(conflicts, a);
            case "Requisite" -> names(requisite, a);
            case "PartOf" -> names(partOf, a);
            case "OnFailure" -> names(onFailure, a);
            case "OnSuccess" -> names(onSuccess, a);
            case "Upholds" -> names(upholds, a);
            case "PropagatesReloadTo" -> names(propagatesReloadTo, a);
            case "ReloadPropagatedFrom" -> names(reloadPropagatedFrom, a);
            case "OnFailureJobMode", "OnSuccessJobMode" -> {
                // systemd's job modes; jinit queues these starts like any other (mode "replace", the default).
                if (!v.isEmpty() && !JOB_MODES.contains(v)) throw new BadValueException("not a job mode (" + String.join(", ", JOB_MODES) + ")");
            }
            case "StartLimitIntervalSec", "StartLimitInterval" ->
                    startLimitInterval = v.isEmpty() ? Duration.ofSeconds(10) : TimeSpans.parse(v);
            case "StartLimitBurst" -> startLimitBurst = v.isEmpty() ? 5 : nonNegativeInt(v);
            case "DefaultDependencies" -> defaultDependencies = v.isEmpty() || bool(v);
            case "Documentation" -> { } // for people only; accepted so it is not reported
            default -> {
                if (Condition.checkOf(a.key()) != null) condition(a);
                else unknown(a);
            }
        }
    }

    /** A path Condition…=/Assert…=; an empty value resets every condition (or every assert), as in systemd. */
    private void condition(UnitFile.Assignment a) {
        boolean isAssert = a.key().startsWith("Assert");
        if (a.value().isBlank()) conditions.removeIf(c -> c.isAssert() == isAssert);
        else conditions.add(Condition.parse(a.key(), specifiers.expand(a.value()), a.where()));
    }

    private void names(List<String> into, UnitFile.Assignment a) {
        String prefix = a.key() + "=";
        if (a.value().isEmpty()) {
            into.clear();
            origins.keySet().removeIf(k -> k.startsWith(prefix));
            return;
        }
        for (String w : Words.splitText(a.value())) {
            String n = specifiers.expand(w);
            UnitName.parse(n);
            if (!into.contains(n)) into.add(n);
            origins.putIfAbsent(prefix + n, a.where());
        }
    }

    private static final List<String> JOB_MODES = List.of("fail", "replace", "replace-irreversibly", "isolate", "flush",
            "ignore-dependencies", "ignore-requirements");

    // ---- [Install] ----

    private void installDirective(UnitFile.Assignment a) {
        switch (a.key()) {
            case "WantedBy" -> names(wantedBy, a);
            case "RequiredBy" -> names(requiredBy, a);
            case "Alias" -> names(aliases, a);
            case "Also", "DefaultInstance" -> { } // only meaningful to systemctl enable; accepted silently
            default -> unknown(a);
        }
    }

    // ---- [Service] ----

    private void serviceDirective(UnitFile.Assignment a) {
        String v = a.value();
        String key = a.key();
        switch (key) {
            // Before systemd 230 these lived in [Service]; old unit files still carry them there.
            case "StartLimitInterval", "StartLimitBurst" -> unitDirective(a);
            case "Type" -> type = v.isEmpty() ? null : ServiceType.parse(v);
            case "RemainAfterExit" -> remainAfterExit = !v.isEmpty() && bool(v);
            case "PIDFile" -> pidFile = v.isEmpty() ? null : pidPath(specifiers.expand(v));
            case "ExecStartPre" -> exec(execStartPre, v);
            case "ExecStart" -> exec(execStart, v);
            case "ExecStartPost" -> exec(execStartPost, v);
            case "ExecReload" -> exec(execReload, v);
            case "ExecStop" -> exec(execStop, v);
            case "ExecStopPost" -> exec(execStopPost, v);
            case "Restart" -> restart = v.isEmpty() ? RestartPolicy.NO : RestartPolicy.parse(v);
            case "RestartSec" -> restartSec = v.isEmpty() ? Duration.ofMillis(100) : TimeSpans.parse(v);
            case "RestartSteps" -> restartSteps = v.isEmpty() ? 0 : nonNegativeInt(v);
            case "RestartMaxDelaySec" -> restartMaxDelay = v.isEmpty() ? TimeSpans.INFINITY : TimeSpans.parse(v);
            case "RestartPreventExitStatus" -> restartPrevent = v.isEmpty() ? ExitStatusSet.EMPTY : restartPrevent.plus(v);
            case "RestartForceExitStatus" -> restartForce = v.isEmpty() ? ExitStatusSet.EMPTY : restartForce.plus(v);
            case "SuccessExitStatus" -> successExit = v.isEmpty() ? ExitStatusSet.EMPTY : successExit.plus(v);
            case "TimeoutStartSec" -> timeoutStart = timeout(v);
            case "TimeoutStopSec" -> timeoutStop = timeout(v);
            case "TimeoutSec" -> {
                timeoutStart = timeout(v);
                timeoutStop = timeoutStart;
            }
            case "KillMode" -> {
                killMode = v.isEmpty() ? KillMode.CONTROL_GROUP : KillMode.parse(v);
                if (killMode == KillMode.NONE)
                    diags.add(Diagnostic.warning(a.file(), a.line(), "KillMode=none leaves the unit's processes running when it stops; "
                            + "only ExecStop= runs"));
            }
            case "KillSignal" -> killSignal = v.isEmpty() ? Signals.SIGTERM : signal(v);
            case "ReloadSignal" -> reloadSignal = v.isEmpty() ? Signals.SIGHUP : signal(v);
            case "BusName" -> busName = v.isEmpty() ? null : busName(specifiers.expand(v));
            case "FinalKillSignal" -> finalKillSignal = v.isEmpty() ? Signals.SIGKILL : signal(v);
            case "SendSIGKILL" -> sendSigkill = v.isEmpty() || bool(v);
            case "SendSIGHUP" -> sendSighup = !v.isEmpty() && bool(v);
            case "NotifyAccess" -> notifyAccess = v.isEmpty() ? null : NotifyAccess.parse(v);
            case "WatchdogSec" -> {
                watchdog = v.isEmpty() ? Duration.ZERO : TimeSpans.parse(v);
                if (TimeSpans.isInfinite(watchdog)) watchdog = Duration.ZERO; // infinity: never fires, i.e. off
            }
            case "Environment" -> environment(v);
            case "EnvironmentFile" -> {
                if (v.isEmpty()) environmentFiles.clear();
                else {
                    boolean optional = v.startsWith("-");
                    String p = specifiers.expand(optional ? v.substring(1).strip() : v);
                    if (!p.startsWith("/")) throw new BadValueException("EnvironmentFile= needs an absolute path");
                    environmentFiles.add(new EnvFile.Ref(Path.of(p), optional));
                }
            }
            case "RuntimeDirectory" -> directories(runtimeDirectory, v);
            case "StateDirectory" -> directories(stateDirectory, v);
            case "LogsDirectory" -> directories(logsDirectory, v);
            case "RuntimeDirectoryMode" -> runtimeDirectoryMode = v.isEmpty() ? 0755 : mode(v);
            case "StateDirectoryMode" -> stateDirectoryMode = v.isEmpty() ? 0755 : mode(v);
            case "LogsDirectoryMode" -> logsDirectoryMode = v.isEmpty() ? 0755 : mode(v);
            case "StandardOutput" -> {
                standardOutput = v.isEmpty() ? "journal" : output(a);
                standardOutputSet = !v.isEmpty();
            }
            case "StandardInput" -> standardInput = v.isEmpty() ? "null" : input(a);
            case "StandardError" -> standardError = v.isEmpty() ? "inherit" : output(a);
            default -> {
                if (Directives.isSpawnDirective(key)) {
                    String expanded = specifiers.expand(v);
                    try {
                        Directives.apply(spawnCheck, spawnCheckState, key, expanded);
                    } catch (IllegalArgumentException e) {
                        // Directives names "Key=value: " itself; the caller adds it with file and line.
                        String m = e.getMessage() == null ? "invalid value" : e.getMessage();
                        String own = key + "=" + expanded + ": ";
                        throw new BadValueException(m.startsWith(own) ? m.substring(own.length()) : m);
                    }
                    spawnDirectives.add(new SpawnDirective(key, expanded, a.file(), a.line()));
                } else {
                    unknown(a);
                }
            }
        }
    }

    // ---- [Socket] ----

    /** The [Socket] settings while they are read; {@link #finishSocket} checks them together. */
    private static final class SocketSection {
        final List<Socket.Listen> listens = new ArrayList<>();
        boolean accept;
        String service;
        String serviceWhere;
        int maxConnections = 64;
        int socketMode = 0666, directoryMode = 0755;
        String socketUser, socketGroup;
        int backlog = Socket.DEFAULT_BACKLOG;
        Socket.BindIPv6Only bindIPv6Only = Socket.BindIPv6Only.DEFAULT;
        boolean reusePort, freeBind, passCredentials, removeOnStop;
        int receiveBuffer, sendBuffer;
        String fileDescriptorName;
        final List<Path> symlinks = new ArrayList<>();
    }

    /** systemd.socket(5) settings jinit accepts but does not apply: each said once, never dropped silently. */
    static final Set<String> SOCKET_NOT_APPLIED = Set.of("PassSecurity", "PassPacketInfo", "Timestamping", "KeepAlive",
            "KeepAliveTimeSec", "KeepAliveIntervalSec", "KeepAliveProbes", "NoDelay", "Priority", "DeferAcceptSec",
            "IPTOS", "IPTTL", "Mark", "Transparent", "Broadcast", "PipeSize", "MessageQueueMaxMessages",
            "MessageQueueMessageSize", "TCPCongestion", "SmackLabel", "SmackLabelIPIn", "SmackLabelIPOut",
            "SELinuxContextFromNet", "Writable", "FlushPending", "TriggerLimitIntervalSec", "TriggerLimitBurst",
            "PollLimitIntervalSec", "PollLimitBurst", "MaxConnectionsPerSource", "BindToDevice", "TimeoutSec",
            "PassFileDescriptorsToExec", "SocketProtocol", "PassPIDFD");

    private void socketDirective(UnitFile.Assignment a) {
        SocketSection k = socketSection;
        String v = a.value();
        switch (a.key()) {
            case "ListenStream" -> listen(Socket.Kind.STREAM, a);
            case "ListenDatagram" -> listen(Socket.Kind.DATAGRAM, a);
            case "ListenSequentialPacket" -> listen(Socket.Kind.SEQPACKET, a);
            case "ListenFIFO" -> listen(Socket.Kind.FIFO, a);
            case "ListenNetlink", "ListenSpecial", "ListenMessageQueue", "ListenUSBFunction" ->
                    throw new BadValueException(a.key() + "= is not supported by jinit (ListenStream=, ListenDatagram=, "
                            + "ListenSequentialPacket= and ListenFIFO= are)");
            case "ExecStartPre", "ExecStartPost", "ExecStopPre", "ExecStopPost" ->
                    throw new BadValueException(a.key() + "= in a socket unit is not supported by jinit");
            case "Accept" -> k.accept = !v.isEmpty() && bool(v);
            case "Service" -> {
                if (v.isEmpty()) {
                    k.service = null;
                    return;
                }
                String n = specifiers.expand(v);
                UnitName un = UnitName.parse(n);
                if (!un.type().equals("service") || un.isTemplate())
                    throw new BadValueException("Service= must name a service unit that is not a template");
                k.service = n;
                k.serviceWhere = a.where();
            }
            case "MaxConnections" -> {
                k.maxConnections = v.isEmpty() ? 64 : nonNegativeInt(v);
                if (k.maxConnections == 0) throw new BadValueException("must be at least 1");
            }
            case "SocketMode" -> k.socketMode = v.isEmpty() ? 0666 : mode(v);
            case "DirectoryMode" -> k.directoryMode = v.isEmpty() ? 0755 : mode(v);
            case "SocketUser" -> k.socketUser = v.isEmpty() ? null : userOrGroup(specifiers.expand(v));
            case "SocketGroup" -> k.socketGroup = v.isEmpty() ? null : userOrGroup(specifiers.expand(v));
            case "Backlog" -> k.backlog = v.isEmpty() ? Socket.DEFAULT_BACKLOG : nonNegativeInt(v);
            case "BindIPv6Only" -> k.bindIPv6Only = v.isEmpty() ? Socket.BindIPv6Only.DEFAULT : Socket.BindIPv6Only.parse(v);
            case "ReusePort" -> k.reusePort = !v.isEmpty() && bool(v);
            case "FreeBind" -> k.freeBind = !v.isEmpty() && bool(v);
            case "PassCredentials" -> k.passCredentials = !v.isEmpty() && bool(v);
            case "RemoveOnStop" -> k.removeOnStop = !v.isEmpty() && bool(v);
            case "ReceiveBuffer" -> k.receiveBuffer = v.isEmpty() ? 0 : size(v);
            case "SendBuffer" -> k.sendBuffer = v.isEmpty() ? 0 : size(v);
            case "FileDescriptorName" -> {
                String n = specifiers.expand(v);
                // sd_listen_fds_with_names(3): LISTEN_FDNAMES is colon-separated; systemd's fdname_is_valid.
                if (n.length() > 255 || n.chars().anyMatch(c -> c == ':' || c < 0x20 || c == 0x7f))
                    throw new BadValueException("not a valid descriptor name (at most 255 printable characters, no ':')");
                k.fileDescriptorName = n.isEmpty() ? null : n;
            }
            case "Symlinks" -> {
                if (v.isEmpty()) {
                    k.symlinks.clear();
                    return;
                }
                for (String w : Words.splitText(v)) {
                    String p = specifiers.expand(w);
                    if (!p.startsWith("/")) throw new BadValueException("Symlinks= needs absolute paths: " + p);
                    k.symlinks.add(Path.of(p).normalize());
                }
            }
            default -> {
                if (SOCKET_NOT_APPLIED.contains(a.key())) {
                    unsupported.add(a);
                    if (!v.isBlank() && reportedUnknown.add("Socket." + a.key()))
                        diags.add(Diagnostic.warning(a.file(), a.line(), a.key() + "=" + v + " is not applied by jinit; the socket is made without it"));
                } else {
                    unknown(a);
                }
            }
        }
    }

    private void listen(Socket.Kind kind, UnitFile.Assignment a) {
        if (a.value().isEmpty()) {
            socketSection.listens.removeIf(l -> l.kind() == kind);
            return;
        }
        String v = specifiers.expand(a.value().strip());
        Socket.Address address;
        if (kind == Socket.Kind.FIFO) {
            if (!v.startsWith("/")) throw new BadValueException("ListenFIFO= needs an absolute path");
            address = new Socket.Address.FilePath(Path.of(v).normalize());
        } else {
            address = Socket.Address.parse(v);
        }
        socketSection.listens.add(new Socket.Listen(kind, address, a.where()));
    }

    private Socket finishSocket() {
        SocketSection k = socketSection;
        Path where = file.path();
        int line = socketSectionLine;
        if (k.listens.isEmpty()) {
            diags.add(Diagnostic.error(where, line, "socket unit has no ListenStream=, ListenDatagram=, "
                    + "ListenSequentialPacket= or ListenFIFO=, refusing"));
            return null;
        }
        if (k.accept) {
            for (Socket.Listen l : k.listens)
                if (l.kind() == Socket.Kind.DATAGRAM || l.kind() == Socket.Kind.FIFO) {
                    diags.add(Diagnostic.error(where, line, "Accept=yes needs stream or sequential-packet sockets, but "
                            + l + " (" + l.where() + ") accepts no connections"));
                    return null;
                }
            if (k.service != null) {
                diags.add(Diagnostic.error(where, line, "Service=" + k.service + " (" + k.serviceWhere
                        + ") cannot be used with Accept=yes (each connection gets an instance of " + name.prefix() + "@.service)"));
                return null;
            }
        }
        long paths = k.listens.stream().filter(l -> l.address() instanceof Socket.Address.FilePath).count();
        if (!k.symlinks.isEmpty() && paths != 1) {
            diags.add(Diagnostic.error(where, line, "Symlinks= needs exactly one file-system socket or FIFO, found " + paths));
            return null;
        }
        return new Socket(k.listens, k.accept, k.service, k.maxConnections, k.socketMode, k.directoryMode,
                k.socketUser, k.socketGroup, k.backlog, k.bindIPv6Only, k.reusePort, k.freeBind, k.passCredentials,
                k.receiveBuffer, k.sendBuffer, k.fileDescriptorName, k.removeOnStop, k.symlinks);
    }

    /** A user or group name (or number), as systemd's valid_user_group_name: resolved only when the socket is made. */
    private static String userOrGroup(String v) {
        if (!v.matches("[A-Za-z_][A-Za-z0-9_.-]{0,30}\\$?|[0-9]{1,10}"))
            throw new BadValueException("not a user or group name");
        return v;
    }

    /** ReceiveBuffer=/SendBuffer=: bytes with an optional K, M or G (1024-based) suffix. */
    private static int size(String v) {
        String s = v.strip();
        long mult = 1;
        char last = s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G') {
            mult = last == 'K' ? 1024 : last == 'M' ? 1024 * 1024 : 1024L * 1024 * 1024;
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 10)
            throw new BadValueException("not a size (bytes, or a number with K, M or G)");
        long n = Long.parseLong(s) * mult;
        if (n > Integer.MAX_VALUE) throw new BadValueException("larger than 2 GiB");
        return (int) n;
    }

    private void exec(List<ExecCommand> into, String value) {
        if (value.isEmpty()) {
            into.clear();
            return;
        }
        into.addAll(ExecCommand.parseLine(value, specifiers));
    }

    private void environment(String value) {
        if (value.isEmpty()) {
            environment.clear();
            return;
        }
        for (String w : Words.splitText(value)) {
            String assignment = specifiers.expand(w);
            int eq = assignment.indexOf('=');
            if (eq <= 0 || !ExecCommand.validName(assignment.substring(0, eq)))
                throw new BadValueException("not a VAR=VALUE assignment: " + assignment);
            String key = assignment.substring(0, eq);
            environment.remove(key);
            environment.put(key, assignment.substring(eq + 1));
        }
    }

    private void directories(List<String> into, String value) {
        if (value.isEmpty()) {
            into.clear();
            return;
        }
        for (String w : Words.splitText(value)) {
            String d = specifiers.expand(w);
            // systemd.exec(5): relative, no "..", no leading slash; they live under /run, /var/lib, /var/log.
            if (d.startsWith("/") || d.isEmpty()) throw new BadValueException("directory " + d + " must be a relative path");
            for (String part : d.split("/"))
                if (part.equals("..") || part.equals(".") || part.isEmpty())
                    throw new BadValueException("directory " + d + " must not contain empty, '.' or '..' components");
            if (d.indexOf(':') >= 0) throw new BadValueException("directory " + d + ": the :SYMLINK form is not supported");
            if (!into.contains(d)) into.add(d);
        }
    }

    private static Path pidPath(String p) {
        Path path = p.startsWith("/") ? Path.of(p) : Path.of("/run", p);
        return path.normalize();
    }

    /** TimeoutStartSec=/TimeoutStopSec=: 0 means "no timeout", as systemd's config_parse_sec_fix_0. */
    private static Duration timeout(String v) {
        if (v.isEmpty()) return null;
        Duration d = TimeSpans.parse(v);
        return d.isZero() ? TimeSpans.INFINITY : d;
    }

    private static int signal(String v) {
        try {
            return Signals.parse(v);
        } catch (IllegalArgumentException e) {
            throw new BadValueException("not a signal name or number");
        }
    }

    private String output(UnitFile.Assignment a) {
        String v = specifiers.expand(a.value());
        String kind = v.contains(":") ? v.substring(0, v.indexOf(':') + 1) : v;
        return switch (kind) {
            case "journal", "inherit", "null" -> v;
            case "kmsg", "journal+console", "kmsg+console", "syslog", "syslog+console" -> {
                // systemd itself maps syslog to the journal; jinit's log pipeline is its journal.
                diags.add(Diagnostic.warning(a.file(), a.line(), a.key() + "=" + v + " is treated as journal (jinit's log pipeline)"));
                yield "journal";
            }
            case "file:", "append:", "truncate:" -> {
                if (!v.substring(kind.length()).startsWith("/")) throw new BadValueException(kind + " needs an absolute path");
                yield v;
            }
            case "tty", "console" -> {
                // jinit's own stdout and stderr are /dev/console in boot mode (and the terminal it was
                // started on otherwise): the unit writes there directly, not through the log pipeline.
                diags.add(Diagnostic.warning(a.file(), a.line(), a.key() + "=" + v
                        + " is treated as inherit (jinit's console: /dev/console in boot mode)"));
                yield "inherit";
            }
            // The connection of an Accept=yes socket (inetd style); checked against the socket when the unit starts.
            case "socket" -> v;
            default -> throw new BadValueException("not an output (journal, inherit, null, file:PATH, append:PATH, truncate:PATH)");
        };
    }

    /** StandardInput=: null, or the connection of an Accept=yes socket, or a file read from the start. */
    private String input(UnitFile.Assignment a) {
        String v = specifiers.expand(a.value());
        if (v.equals("null") || v.equals("socket")) return v;
        if (v.startsWith("file:")) {
            if (!v.substring(5).startsWith("/")) throw new BadValueException("file: needs an absolute path");
            return v;
        }
        if (v.equals("tty") || v.equals("tty-force") || v.equals("tty-fail") || v.equals("data") || v.startsWith("fd:"))
            throw new BadValueException(v + " is not supported by jinit (null, socket, file:PATH)");
        throw new BadValueException("not an input (null, tty, tty-force, tty-fail, data, file:PATH, socket, fd:NAME)");
    }

    private static int mode(String v) {
        if (!v.matches("[0-7]{1,4}")) throw new BadValueException("not an octal file mode");
        return Integer.parseInt(v, 8);
    }

    private static int nonNegativeInt(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new BadValueException("must not be negative");
            return n;
        } catch (NumberFormatException e) {
            throw new BadValueException("not a number");
        }
    }

    /** systemd's parse_boolean. */
    static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on" -> true;
            case "0", "no", "n", "false", "f", "off" -> false;
            default -> throw new BadValueException("not a boolean (yes/no, true/false, on/off, 1/0)");
        };
    }
}
