package dev.jinit.unit;

import dev.jinit.exec.ExitStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The [Service] section, typed and with systemd's defaults filled in. Durations use {@link TimeSpans#INFINITY}
 * for "no limit"; {@link #watchdog} is {@link Duration#ZERO} when there is no watchdog.
 *
 * @param type                     Type= (simple when ExecStart= is set, else oneshot)
 * @param remainAfterExit          RemainAfterExit=
 * @param pidFile                  PIDFile= (relative paths are under /run, as in systemd), or null
 * @param execStartPre             ExecStartPre=
 * @param execStart                ExecStart= (exactly one, except for oneshot)
 * @param execStartPost            ExecStartPost=
 * @param execReload               ExecReload=
 * @param execStop                 ExecStop=
 * @param execStopPost             ExecStopPost=
 * @param restart                  Restart=
 * @param restartSec               RestartSec= (default 100 ms)
 * @param restartSteps             RestartSteps= (0: no backoff)
 * @param restartMaxDelay          RestartMaxDelaySec= (infinity when unset)
 * @param restartPreventExitStatus RestartPreventExitStatus=
 * @param restartForceExitStatus   RestartForceExitStatus=
 * @param successExitStatus        SuccessExitStatus= (on top of 0 and SIGHUP/SIGINT/SIGTERM/SIGPIPE)
 * @param timeoutStart             TimeoutStartSec= (90 s; infinity for oneshot; 0 means infinity)
 * @param timeoutStop              TimeoutStopSec= (90 s; 0 means infinity)
 * @param killMode                 KillMode=
 * @param killSignal               KillSignal= (SIGTERM)
 * @param finalKillSignal          FinalKillSignal= (SIGKILL), sent after TimeoutStopSec=
 * @param sendSigkill              SendSIGKILL=
 * @param sendSighup               SendSIGHUP= (SIGHUP right after KillSignal=, for shells)
 * @param notifyAccess             NotifyAccess= (main for Type=notify or with WatchdogSec=, else none)
 * @param watchdog                 WatchdogSec=
 * @param environment              Environment=, in order (later assignments win). Not a spawn directive here:
 *                                 the supervisor merges it with EnvironmentFile= and jinit's own variables
 * @param environmentFiles         EnvironmentFile=, read at each start
 * @param runtimeDirectory         RuntimeDirectory= (relative to /run)
 * @param stateDirectory           StateDirectory= (relative to /var/lib)
 * @param logsDirectory            LogsDirectory= (relative to /var/log)
 * @param runtimeDirectoryMode     RuntimeDirectoryMode= (0755)
 * @param stateDirectoryMode       StateDirectoryMode= (0755)
 * @param logsDirectoryMode        LogsDirectoryMode= (0755)
 * @param standardOutput           StandardOutput= as written (journal when unset: jinit's log pipeline)
 * @param standardError            StandardError= as written; {@code inherit} (the default) means "where stdout
 *                                 goes", as in systemd, which is not what {@code exec.Directives} means by
 *                                 inherit: use {@link #effectiveStandardError()}
 * @param spawnDirectives          every process attribute directive (User=, LimitNOFILE=, …) in file order
 * @param standardInput            StandardInput= (null when unset)
 * @param busName                  BusName= (required by Type=dbus, which it implies when Type= is unset), or null
 * @param reloadSignal             ReloadSignal= (SIGHUP): what a reload of Type=notify-reload sends the main process
 */
public record Service(
        ServiceType type, boolean remainAfterExit, Path pidFile,
        List<ExecCommand> execStartPre, List<ExecCommand> execStart, List<ExecCommand> execStartPost,
        List<ExecCommand> execReload, List<ExecCommand> execStop, List<ExecCommand> execStopPost,
        RestartPolicy restart, Duration restartSec, int restartSteps, Duration restartMaxDelay,
        ExitStatusSet restartPreventExitStatus, ExitStatusSet restartForceExitStatus, ExitStatusSet successExitStatus,
        Duration timeoutStart, Duration timeoutStop,
        KillMode killMode, int killSignal, int finalKillSignal, boolean sendSigkill, boolean sendSighup,
        NotifyAccess notifyAccess, Duration watchdog,
        Map<String, String> environment, List<EnvFile.Ref> environmentFiles,
        List<String> runtimeDirectory, List<String> stateDirectory, List<String> logsDirectory,
        int runtimeDirectoryMode, int stateDirectoryMode, int logsDirectoryMode,
        String standardOutput, String standardError,
        List<SpawnDirective> spawnDirectives, String standardInput, String busName, int reloadSignal) {

    public Service {
        execStartPre = List.copyOf(execStartPre);
        execStart = List.copyOf(execStart);
        execStartPost = List.copyOf(execStartPost);
        execReload = List.copyOf(execReload);
        execStop = List.copyOf(execStop);
        execStopPost = List.copyOf(execStopPost);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        environmentFiles = List.copyOf(environmentFiles);
        runtimeDirectory = List.copyOf(runtimeDirectory);
        stateDirectory = List.copyOf(stateDirectory);
        logsDirectory = List.copyOf(logsDirectory);
        spawnDirectives = List.copyOf(spawnDirectives);
        if (standardInput == null || standardInput.isEmpty()) standardInput = "null";
        if (type != ServiceType.ONESHOT && execStart.size() != 1)
            throw new BadValueException("Type=" + type.word() + " needs exactly one ExecStart=, found " + execStart.size());
        if (restartSteps < 0) throw new BadValueException("negative RestartSteps=");
        if (type == ServiceType.DBUS && busName == null)
            throw new BadValueException("Type=dbus needs BusName= (systemd: \"Service is of type D-Bus but no D-Bus service name has been specified. Refusing.\")");
    }

    /**
     * StandardError= resolved as systemd does: {@code inherit} means the same destination as stdout. The
     * supervisor can give both the same descriptor when they are equal.
     */
    public String effectiveStandardError() {
        return standardError.equals("inherit") ? standardOutput : standardError;
    }
}
