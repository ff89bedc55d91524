package dev.jinit.supervise;

import dev.jinit.linux.Signals;
import dev.jinit.unit.ExitStatusSet;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.NotifyAccess;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the service state machine needs to know about one service, independent of where it came
 * from (a unit file, a test). Durations are milliseconds; a timeout of 0 means none (systemd's
 * "infinity"), a RestartMaxDelay of 0 means unset.
 */
public record ServiceConfig(
        String name,
        ServiceType type,
        List<Command> startPre,
        List<Command> start,
        List<Command> startPost,
        List<Command> reload,
        List<Command> stop,
        List<Command> stopPost,
        boolean remainAfterExit,
        Path pidFile,
        RestartPolicy restart,
        long restartMillis,
        int restartSteps,
        long restartMaxDelayMillis,
        ExitStatusSet successExitStatus,
        ExitStatusSet restartPreventExitStatus,
        ExitStatusSet restartForceExitStatus,
        long timeoutStartMillis,
        long timeoutStopMillis,
        KillMode killMode,
        int killSignal,
        int finalKillSignal,
        boolean sendSigkill,
        boolean sendSighup,
        NotifyAccess notifyAccess,
        long watchdogMillis,
        long startLimitIntervalMillis,
        int startLimitBurst,
        String busName,
        int reloadSignal) {

    /**
     * One Exec*= command line as the machine sees it: the words, and whether a failure is ignored
     * (the {@code -} prefix). The manager maps it back to the full command by role and index.
     */
    public record Command(List<String> argv, boolean ignoreFailure) {
        public Command {
            argv = List.copyOf(argv);
            if (argv.isEmpty()) throw new IllegalArgumentException("empty command line");
        }

        public static Command of(String... argv) {
            return new Command(List.of(argv), false);
        }

        @Override
        public String toString() {
            return (ignoreFailure ? "-" : "") + String.join(" ", argv);
        }
    }

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        startPre = List.copyOf(startPre);
        start = List.copyOf(start);
        startPost = List.copyOf(startPost);
        reload = List.copyOf(reload);
        stop = List.copyOf(stop);
        stopPost = List.copyOf(stopPost);
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(successExitStatus, "successExitStatus");
        Objects.requireNonNull(restartPreventExitStatus, "restartPreventExitStatus");
        Objects.requireNonNull(restartForceExitStatus, "restartForceExitStatus");
        Objects.requireNonNull(killMode, "killMode");
        Objects.requireNonNull(notifyAccess, "notifyAccess");
        if (start.isEmpty() && type != ServiceType.ONESHOT)
            throw new IllegalArgumentException(name + ": service has no ExecStart= setting, which is only allowed for Type=oneshot");
        if (start.size() > 1 && type != ServiceType.ONESHOT)
            throw new IllegalArgumentException(name + ": service has more than one ExecStart= setting, which is only allowed for Type=oneshot");
        if (type == ServiceType.ONESHOT && restart != RestartPolicy.NO && restart != RestartPolicy.ON_FAILURE
                && restart != RestartPolicy.ON_ABNORMAL && restart != RestartPolicy.ON_WATCHDOG && restart != RestartPolicy.ON_ABORT)
            throw new IllegalArgumentException(name + ": Restart=" + restart.word() + " is not allowed for Type=oneshot");
        if (restartMillis < 0 || restartMaxDelayMillis < 0 || timeoutStartMillis < 0 || timeoutStopMillis < 0
                || watchdogMillis < 0 || startLimitIntervalMillis < 0)
            throw new IllegalArgumentException(name + ": negative duration");
        if (restartSteps < 0 || startLimitBurst < 0) throw new IllegalArgumentException(name + ": negative count");
        if (killSignal < 1 || killSignal > Signals.SIGRTMAX) throw new IllegalArgumentException(name + ": bad KillSignal " + killSignal);
        if (finalKillSignal < 1 || finalKillSignal > Signals.SIGRTMAX)
            throw new IllegalArgumentException(name + ": bad FinalKillSignal " + finalKillSignal);
        if (reloadSignal < 1 || reloadSignal > Signals.SIGRTMAX)
            throw new IllegalArgumentException(name + ": bad ReloadSignal " + reloadSignal);
        // systemd: "Service is of type D-Bus but no D-Bus service name has been specified. Refusing."
        if (type == ServiceType.DBUS && (busName == null || busName.isEmpty()))
            throw new IllegalArgumentException(name + ": Type=dbus needs BusName=");
    }

    /** The list of commands for a role. */
    public List<Command> commands(Role role) {
        return switch (role) {
            case START_PRE -> startPre;
            case START -> start;
            case START_POST -> startPost;
            case RELOAD -> reload;
            case STOP -> stop;
            case STOP_POST -> stopPost;
        };
    }

    public static Builder builder(String name, ServiceType type) {
        return new Builder(name, type);
    }

    /** Which Exec*= list a process was started from. */
    public enum Role {
        START_PRE("ExecStartPre"), START("ExecStart"), START_POST("ExecStartPost"), RELOAD("ExecReload"),
        STOP("ExecStop"), STOP_POST("ExecStopPost");

        public final String directive;

        Role(String directive) {
            this.directive = directive;
        }
    }

    /**
     * Defaults are systemd's: Restart=no, RestartSec 100 ms, timeouts 90 s, 5 starts per 10 s, SIGTERM
     * then SIGKILL (FinalKillSignal), no SIGHUP.
     */
    public static final class Builder {
        private final String name;
        private final ServiceType type;
        private List<Command> startPre = List.of(), start = List.of(), startPost = List.of(), reload = List.of(),
                stop = List.of(), stopPost = List.of();
        private boolean remainAfterExit;
        private Path pidFile;
        private RestartPolicy restart = RestartPolicy.NO;
        private long restartMillis = 100;
        private int restartSteps;
        private long restartMaxDelayMillis;
        private ExitStatusSet success = ExitStatusSet.EMPTY, prevent = ExitStatusSet.EMPTY, force = ExitStatusSet.EMPTY;
        private long timeoutStartMillis = 90_000, timeoutStopMillis = 90_000;
        private KillMode killMode = KillMode.CONTROL_GROUP;
        private int killSignal = Signals.SIGTERM;
        private int finalKillSignal = Signals.SIGKILL;
        private boolean sendSigkill = true;
        private boolean sendSighup;
        private NotifyAccess notifyAccess;
        private long watchdogMillis;
        private long startLimitIntervalMillis = 10_000;
        private int startLimitBurst = 5;
        private String busName;
        private int reloadSignal = Signals.SIGHUP;

        private Builder(String name, ServiceType type) {
            this.name = name;
            this.type = type;
        }

        public Builder startPre(Command... c) { startPre = List.of(c); return this; }
        public Builder start(Command... c) { start = List.of(c); return this; }
        public Builder startPost(Command... c) { startPost = List.of(c); return this; }
        public Builder reload(Command... c) { reload = List.of(c); return this; }
        public Builder stop(Command... c) { stop = List.of(c); return this; }
        public Builder stopPost(Command... c) { stopPost = List.of(c); return this; }
        public Builder startPre(List<Command> c) { startPre = c; return this; }
        public Builder start(List<Command> c) { start = c; return this; }
        public Builder startPost(List<Command> c) { startPost = c; return this; }
        public Builder reload(List<Command> c) { reload = c; return this; }
        public Builder stop(List<Command> c) { stop = c; return this; }
        public Builder stopPost(List<Command> c) { stopPost = c; return this; }
        public Builder remainAfterExit(boolean v) { remainAfterExit = v; return this; }
        public Builder pidFile(Path v) { pidFile = v; return this; }
        public Builder restart(RestartPolicy v) { restart = v; return this; }
        public Builder restartMillis(long v) { restartMillis = v; return this; }
        public Builder restartSteps(int v) { restartSteps = v; return this; }
        public Builder restartMaxDelayMillis(long v) { restartMaxDelayMillis = v; return this; }
        public Builder successExitStatus(ExitStatusSet v) { success = v; return this; }
        public Builder restartPreventExitStatus(ExitStatusSet v) { prevent = v; return this; }
        public Builder restartForceExitStatus(ExitStatusSet v) { force = v; return this; }
        public Builder timeoutStartMillis(long v) { timeoutStartMillis = v; return this; }
        public Builder timeoutStopMillis(long v) { timeoutStopMillis = v; return this; }
        public Builder killMode(KillMode v) { killMode = v; return this; }
        public Builder killSignal(int v) { killSignal = v; return this; }
        public Builder sendSigkill(boolean v) { sendSigkill = v; return this; }
        public Builder finalKillSignal(int v) { finalKillSignal = v; return this; }
        public Builder sendSighup(boolean v) { sendSighup = v; return this; }
        public Builder notifyAccess(NotifyAccess v) { notifyAccess = v; return this; }
        public Builder watchdogMillis(long v) { watchdogMillis = v; return this; }
        public Builder startLimitIntervalMillis(long v) { startLimitIntervalMillis = v; return this; }
        public Builder startLimitBurst(int v) { startLimitBurst = v; return this; }
        public Builder busName(String v) { busName = v; return this; }
        public Builder reloadSignal(int v) { reloadSignal = v; return this; }

        public ServiceConfig build() {
            // systemd: NotifyAccess defaults to main for Type=notify (and when WatchdogSec is set), else none.
            NotifyAccess access = notifyAccess != null ? notifyAccess
                    : type.isNotify() || watchdogMillis > 0 ? NotifyAccess.MAIN : NotifyAccess.NONE;
            return new ServiceConfig(name, type, startPre, start, startPost, reload, stop, stopPost, remainAfterExit,
                    pidFile, restart, restartMillis, restartSteps, restartMaxDelayMillis, success, prevent, force,
                    timeoutStartMillis, timeoutStopMillis, killMode, killSignal, finalKillSignal, sendSigkill, sendSighup,
                    access, watchdogMillis,
                    startLimitIntervalMillis, startLimitBurst, busName, reloadSignal);
        }
    }
}
