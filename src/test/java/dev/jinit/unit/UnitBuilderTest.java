package dev.jinit.unit;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jinit.unit.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class UnitBuilderTest {

    @Test
    void defaultsFollowSystemd() {
        Service s = service("[Service]\nExecStart=/bin/sleep 1\n");
        assertEquals(ServiceType.SIMPLE, s.type());
        assertFalse(s.remainAfterExit());
        assertEquals(RestartPolicy.NO, s.restart());
        assertEquals(Duration.ofMillis(100), s.restartSec());
        assertEquals(0, s.restartSteps());
        assertTrue(TimeSpans.isInfinite(s.restartMaxDelay()));
        assertEquals(Duration.ofSeconds(90), s.timeoutStart());
        assertEquals(Duration.ofSeconds(90), s.timeoutStop());
        assertEquals(KillMode.CONTROL_GROUP, s.killMode());
        assertEquals(Signals.SIGTERM, s.killSignal());
        assertEquals(Signals.SIGKILL, s.finalKillSignal());
        assertTrue(s.sendSigkill());
        assertFalse(s.sendSighup());
        assertEquals(NotifyAccess.NONE, s.notifyAccess());
        assertEquals(Duration.ZERO, s.watchdog());
        assertEquals("journal", s.standardOutput());
        assertEquals("inherit", s.standardError());
        Unit.UnitInfo i = info("t.service", "[Service]\nExecStart=/bin/true\n");
        assertEquals("t.service", i.description());
        assertEquals(Duration.ofSeconds(10), i.startLimitInterval());
        assertEquals(5, i.startLimitBurst());
    }

    @Test
    void unitSection() {
        Unit.UnitInfo i = info("a.service", """
                [Unit]
                Description=The %n unit
                Documentation=man:a(8)
                Requires=b.service c.service
                Wants=d.service
                BindsTo=e.service
                After=b.service
                After=f.target
                Before=g.service
                Conflicts=h.service
                StartLimitIntervalSec=30s
                StartLimitBurst=3
                [Service]
                ExecStart=/bin/true
                [Install]
                WantedBy=multi-user.target
                RequiredBy=x.target
                Alias=alias.service
                """);
        assertEquals("The a.service unit", i.description());
        assertEquals(List.of("b.service", "c.service"), Fixtures.written(i, "Requires", i.requires()));
        assertEquals(List.of("d.service"), i.wants());
        assertEquals(List.of("e.service"), i.bindsTo());
        assertEquals(List.of("b.service", "f.target"), Fixtures.written(i, "After", i.after()));
        assertEquals(List.of("g.service"), Fixtures.written(i, "Before", i.before()));
        assertEquals(List.of("h.service"), Fixtures.written(i, "Conflicts", i.conflicts()));
        assertEquals(Duration.ofSeconds(30), i.startLimitInterval());
        assertEquals(3, i.startLimitBurst());
        assertEquals(List.of("multi-user.target"), i.wantedBy());
        assertEquals(List.of("x.target"), i.requiredBy());
        assertEquals(List.of("alias.service"), i.aliases());
        assertEquals(Path.of("/u/a.service"), i.source());
    }

    @Test
    void oldStartLimitPlaceAndDefaultDependencies() {
        Unit.UnitInfo i = info("a.service", "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/bin/a\n"
                + "StartLimitInterval=1min\nStartLimitBurst=2\n");
        assertEquals(Duration.ofMinutes(1), i.startLimitInterval());
        assertEquals(2, i.startLimitBurst());
        assertFalse(i.defaultDependencies());
        assertTrue(info("b.service", "[Service]\nExecStart=/bin/a\n").defaultDependencies());
    }

    @Test
    void emptyValueResetsLists() {
        Unit.UnitInfo i = info("a.service", "[Unit]\nAfter=x.service\nAfter=\nAfter=y.service\n[Service]\nExecStart=/bin/a\n"
                + "ExecStart=\nExecStart=/bin/b\nExecStartPre=/bin/p\nExecStartPre=\n");
        assertEquals(List.of("y.service"), Fixtures.written(i, "After", i.after()));
        Service s = service("[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\nExecStartPre=/bin/p\nExecStartPre=\n"
                + "Environment=A=1\nEnvironment=\nEnvironment=B=2\nSuccessExitStatus=3\nSuccessExitStatus=\n");
        assertEquals("/bin/b", s.execStart().getFirst().path());
        assertEquals(List.of(), s.execStartPre());
        assertEquals(Map.of("B", "2"), s.environment());
        assertTrue(s.successExitStatus().isEmpty());
    }

    @Test
    void emptyScalarResetsToDefault() {
        Service s = service("[Service]\nExecStart=/bin/a\nRestart=always\nRestart=\nKillSignal=INT\nKillSignal=\n");
        assertEquals(RestartPolicy.NO, s.restart());
        assertEquals(Signals.SIGTERM, s.killSignal());
    }

    @Test
    void serviceDirectives() {
        Service s = service("""
                [Service]
                Type=notify
                ExecStartPre=-/bin/pre 1 ; /bin/pre 2
                ExecStart=@/bin/daemon daemond --flag "two words"
                ExecStartPost=/bin/post
                ExecReload=/bin/kill -HUP $MAINPID
                ExecStop=/bin/stop
                ExecStopPost=+/bin/stoppost
                Restart=on-failure
                RestartSec=2s
                RestartSteps=4
                RestartMaxDelaySec=1min
                RestartPreventExitStatus=255 SIGABRT
                RestartForceExitStatus=7
                SuccessExitStatus=3 4
                SuccessExitStatus=USR1
                TimeoutSec=20
                TimeoutStopSec=1min
                KillMode=mixed
                KillSignal=SIGINT
                FinalKillSignal=SIGQUIT
                SendSIGKILL=no
                SendSIGHUP=yes
                NotifyAccess=all
                WatchdogSec=30
                PIDFile=x/y.pid
                Environment="A=one two" B=2 'C=%n'
                EnvironmentFile=-/etc/default/t
                EnvironmentFile=/etc/t.env
                RuntimeDirectory=t t/sub
                RuntimeDirectoryMode=0700
                StateDirectory=t
                LogsDirectory=t
                StandardOutput=append:/var/log/t.log
                StandardError=null
                User=nobody
                LimitNOFILE=1024
                """);
        assertEquals(ServiceType.NOTIFY, s.type());
        assertEquals(2, s.execStartPre().size());
        assertTrue(s.execStartPre().getFirst().has(ExecCommand.Prefix.IGNORE_FAILURE));
        assertEquals(List.of("daemond", "--flag", "two words"), s.execStart().getFirst().expand(Map.of()).argv());
        assertEquals(List.of("/bin/kill", "-HUP", "42"), s.execReload().getFirst().expand(Map.of("MAINPID", "42")).argv());
        assertTrue(s.execStopPost().getFirst().has(ExecCommand.Prefix.PRIVILEGED));
        assertEquals(RestartPolicy.ON_FAILURE, s.restart());
        assertEquals(Duration.ofSeconds(2), s.restartSec());
        assertEquals(4, s.restartSteps());
        assertEquals(Duration.ofMinutes(1), s.restartMaxDelay());
        assertEquals(Set.of(255), s.restartPreventExitStatus().codes());
        assertEquals(Set.of(Signals.SIGABRT), s.restartPreventExitStatus().signals());
        assertEquals(Set.of(7), s.restartForceExitStatus().codes());
        assertEquals(Set.of(3, 4), s.successExitStatus().codes());
        assertEquals(Set.of(Signals.SIGUSR1), s.successExitStatus().signals());
        assertEquals(Duration.ofSeconds(20), s.timeoutStart());
        assertEquals(Duration.ofMinutes(1), s.timeoutStop());
        assertEquals(KillMode.MIXED, s.killMode());
        assertEquals(Signals.SIGINT, s.killSignal());
        assertEquals(Signals.SIGQUIT, s.finalKillSignal());
        assertFalse(s.sendSigkill());
        assertTrue(s.sendSighup());
        assertEquals(NotifyAccess.ALL, s.notifyAccess());
        assertEquals(Duration.ofSeconds(30), s.watchdog());
        assertEquals(Path.of("/run/x/y.pid"), s.pidFile());
        assertEquals(Map.of("A", "one two", "B", "2", "C", "t.service"), s.environment());
        assertEquals(List.of(new EnvFile.Ref(Path.of("/etc/default/t"), true), new EnvFile.Ref(Path.of("/etc/t.env"), false)),
                s.environmentFiles());
        assertEquals(List.of("t", "t/sub"), s.runtimeDirectory());
        assertEquals(0700, s.runtimeDirectoryMode());
        assertEquals(List.of("t"), s.stateDirectory());
        assertEquals(List.of("t"), s.logsDirectory());
        assertEquals(0755, s.logsDirectoryMode());
        assertEquals("append:/var/log/t.log", s.standardOutput());
        assertEquals("null", s.standardError());
        assertEquals(List.of("User", "LimitNOFILE"), s.spawnDirectives().stream().map(SpawnDirective::key).toList());
        assertEquals("/u/t.service:36", s.spawnDirectives().getFirst().where());
    }

    @Test
    void spawnDirectivesAreCheckedAtLoadThroughExecDirectives() {
        UnitBuilder.Result r = build("t.service", """
                [Service]
                ExecStart=/bin/a
                LimitNOFILE=lots
                PrivateTmp=maybe
                Nice=40
                CapabilityBoundingSet=CAP_BOGUS
                Slice=nope
                User=no-such-user-here
                LimitCORE=infinity
                Slice=app.slice
                """);
        List<String> e = r.errors().stream().map(Diagnostic::toString).toList();
        assertEquals(5, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("/u/t.service:3: LimitNOFILE=lots: "), e.get(0));
        assertTrue(e.get(1).startsWith("/u/t.service:4: PrivateTmp=maybe: "), e.get(1));
        assertTrue(e.get(2).startsWith("/u/t.service:5: Nice=40: "), e.get(2));
        assertTrue(e.get(3).startsWith("/u/t.service:6: CapabilityBoundingSet=CAP_BOGUS: "), e.get(3));
        assertTrue(e.get(4).startsWith("/u/t.service:7: Slice=nope: "), e.get(4));
        for (String m : e) assertFalse(m.matches(".*: (\\w+)=[^:]*: \\1=.*"), "directive named twice: " + m);
        Service ok = service("[Service]\nExecStart=/bin/a\nUser=no-such-user-here\nLimitCORE=infinity\n");
        assertEquals(2, ok.spawnDirectives().size(), "users are resolved at start, as in systemd");
    }

    @Test
    void nulInAValueFailsTheUnit() {
        // Found by SyntaxProperties: a NUL used to escape as InvalidPathException from PIDFile=.
        UnitBuilder.Result r = build("t.service", "[Service]\nExecStart=/bin/a\nPIDFile=x\0y\n");
        assertTrue(errors(r).startsWith("/u/t.service:3: PIDFile=x\0y: value contains a NUL character"), errors(r));
    }

    @Test
    void outputPathsExpandSpecifiers() {
        Service s = service("[Service]\nExecStart=/bin/a\nStandardOutput=append:/var/log/%N.log\nStandardError=file:%L/%n.err\n");
        assertEquals("append:/var/log/t.log", s.standardOutput());
        assertEquals("file:/var/log/t.service.err", s.standardError());
    }

    @Test
    void standardErrorInheritMeansWhereStdoutGoes() {
        assertEquals("journal", service("[Service]\nExecStart=/bin/a\n").effectiveStandardError());
        assertEquals("append:/x", service("[Service]\nExecStart=/bin/a\nStandardOutput=append:/x\n").effectiveStandardError());
        assertEquals("null", service("[Service]\nExecStart=/bin/a\nStandardOutput=append:/x\nStandardError=null\n").effectiveStandardError());
    }

    @Test
    void typeDefaultsAndOneshot() {
        Service s = service("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\nType=oneshot\nRemainAfterExit=yes\n");
        assertEquals(2, s.execStart().size());
        assertTrue(s.remainAfterExit());
        assertTrue(TimeSpans.isInfinite(s.timeoutStart()), "oneshot has no start timeout by default");
        assertEquals(ServiceType.ONESHOT, service("[Service]\nExecStop=/bin/x\n").type(), "no ExecStart= means oneshot");
        assertEquals(NotifyAccess.MAIN, service("[Service]\nType=notify\nExecStart=/bin/a\n").notifyAccess());
        assertEquals(NotifyAccess.MAIN, service("[Service]\nWatchdogSec=5\nExecStart=/bin/a\n").notifyAccess());
    }

    @Test
    void zeroTimeoutMeansInfinity() {
        Service s = service("[Service]\nExecStart=/bin/a\nTimeoutStopSec=0\nTimeoutStartSec=infinity\n");
        assertTrue(TimeSpans.isInfinite(s.timeoutStop()));
        assertTrue(TimeSpans.isInfinite(s.timeoutStart()));
    }

    @Test
    void invalidCombinationsFailTheUnit() {
        assertTrue(errors(build("t.service", "[Service]\nType=simple\n")).contains("needs an ExecStart="));
        assertTrue(errors(build("t.service", "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n")).contains("allows one ExecStart="));
        assertTrue(errors(build("t.service", "[Service]\nType=oneshot\n")).contains("no ExecStart= and no ExecStop="));
        assertTrue(errors(build("t.service", "[Service]\nType=oneshot\nExecStart=/bin/a\nRestart=always\n"))
                .contains("Restart=always is not allowed for Type=oneshot"));
    }

    @Test
    void malformedValuesFailWithFileLineDirectiveValueAndReason() {
        String text = """
                [Unit]
                After=not a unit
                StartLimitBurst=-1
                [Service]
                ExecStart=/bin/a
                Type=idle
                Restart=sometimes
                RestartSec=soon
                KillMode=everything
                KillSignal=SIGFOO
                NotifyAccess=some
                SendSIGKILL=maybe
                SuccessExitStatus=300
                EnvironmentFile=relative
                Environment=NOEQUALS
                RuntimeDirectory=/abs
                RuntimeDirectoryMode=999
                StandardOutput=nowhere
                ExecStartPre=/bin/x "unterminated
                PIDFile=%z
                """;
        UnitBuilder.Result r = build("t.service", text);
        assertTrue(r.failed());
        List<String> e = r.errors().stream().map(Diagnostic::toString).toList();
        assertEquals(List.of(
                "/u/t.service:2: After=not a unit: unit name not has no type suffix (like .service)",
                "/u/t.service:3: StartLimitBurst=-1: must not be negative",
                "/u/t.service:6: Type=idle: Type=idle is not supported by jinit (use simple, exec, oneshot, notify, notify-reload, forking or dbus)",
                "/u/t.service:7: Restart=sometimes: not a restart policy (no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always)",
                "/u/t.service:8: RestartSec=soon: not a time span: soon",
                "/u/t.service:9: KillMode=everything: not a kill mode (control-group, mixed, process, none)",
                "/u/t.service:10: KillSignal=SIGFOO: not a signal name or number",
                "/u/t.service:11: NotifyAccess=some: not a notify access (none, main, exec, all)",
                "/u/t.service:12: SendSIGKILL=maybe: not a boolean (yes/no, true/false, on/off, 1/0)",
                "/u/t.service:13: SuccessExitStatus=300: exit status 300 is not in 0..255",
                "/u/t.service:14: EnvironmentFile=relative: EnvironmentFile= needs an absolute path",
                "/u/t.service:15: Environment=NOEQUALS: not a VAR=VALUE assignment: NOEQUALS",
                "/u/t.service:16: RuntimeDirectory=/abs: directory /abs must be a relative path",
                "/u/t.service:17: RuntimeDirectoryMode=999: not an octal file mode",
                "/u/t.service:18: StandardOutput=nowhere: not an output (journal, inherit, null, file:PATH, append:PATH, truncate:PATH)",
                "/u/t.service:19: ExecStartPre=/bin/x \"unterminated: unterminated \" quote",
                "/u/t.service:20: PIDFile=%z: unknown specifier %z (write %% for a literal %)"), e);
    }

    @Test
    void unknownDirectivesAndSectionsAreWarnedOnceAndKeptNonFatal() {
        UnitBuilder.Result r = build("t.service", """
                [Unit]
                ConditionVirtualization=container
                [Service]
                ExecStart=/bin/a
                SyslogIdentifier=full
                SyslogIdentifier=strict
                X-Custom=ok
                [Socket]
                ListenStream=22
                [X-Extension]
                Foo=bar
                """);
        assertFalse(r.failed(), r.diagnostics().toString());
        assertEquals(List.of("/u/t.service:2: unknown directive ConditionVirtualization in [Unit], ignoring",
                "/u/t.service:5: unknown directive SyslogIdentifier in [Service], ignoring",
                "/u/t.service:9: unknown section [Socket], ignoring"), r.diagnostics().stream().map(Diagnostic::toString).toList());
        assertEquals(List.of("Unit.ConditionVirtualization=container@2", "Service.SyslogIdentifier=full@5", "Service.SyslogIdentifier=strict@6",
                        "Service.X-Custom=ok@7", "Socket.ListenStream=22@9", "X-Extension.Foo=bar@11"),
                r.unit().info().unsupported().stream().map(a -> a.section() + "." + a.key() + "=" + a.value() + "@" + a.line()).toList(),
                "unknown directives are kept, every occurrence");
    }

    @Test
    void killModeNoneIsAcceptedWithWarning() {
        UnitBuilder.Result r = build("t.service", "[Service]\nExecStart=/bin/a\nKillMode=none\n");
        assertFalse(r.failed());
        assertEquals(KillMode.NONE, ((ServiceUnit) r.unit()).service().killMode());
        assertTrue(r.diagnostics().getFirst().toString().startsWith("/u/t.service:3: KillMode=none leaves"));
    }

    @Test
    void syslogOutputIsJournalWithWarning() {
        UnitBuilder.Result r = build("t.service", "[Service]\nExecStart=/bin/a\nStandardOutput=syslog\n");
        assertEquals("journal", ((ServiceUnit) r.unit()).service().standardOutput());
        assertEquals(1, r.diagnostics().size());
    }

    @Test
    void targetsHaveNoServiceSection() {
        UnitBuilder.Result r = build("web.target", "[Unit]\nDescription=web\nWants=a.service\n[Service]\nExecStart=/bin/a\n");
        assertInstanceOf(TargetUnit.class, r.unit());
        assertEquals(UnitKind.TARGET, r.unit().kind());
        assertTrue(r.diagnostics().getFirst().toString().contains("unknown section [Service]"));
    }

    @Test
    void templatesCannotBeBuiltDirectlyButInstancesCan() {
        assertThrows(BadValueException.class, () -> build("w@.service", "[Service]\nExecStart=/bin/a %i\n"));
        Service s = ((ServiceUnit) build("w@8080.service", "[Service]\nExecStart=/bin/a %i\n").unit()).service();
        assertEquals(List.of("8080"), s.execStart().getFirst().words());
    }

    @Test
    void successAndRestartRules() {
        Service s = service("[Service]\nExecStart=/bin/a\nRestart=on-failure\nSuccessExitStatus=3 SIGUSR2\n"
                + "RestartPreventExitStatus=4\nRestartForceExitStatus=0\n");
        // The rules themselves (one implementation) are tested with the supervisor's RestartRules;
        // here: the unit file's values arrive in the model.
        assertEquals(RestartPolicy.ON_FAILURE, s.restart());
        ExitStatusSet success = s.successExitStatus();
        assertTrue(success.isClean(ExitStatus.exited(0), true));
        assertTrue(success.isClean(ExitStatus.exited(3), true));
        assertTrue(success.isClean(ExitStatus.killed(Signals.SIGTERM, false), true));
        assertTrue(success.isClean(ExitStatus.killed(Signals.SIGUSR2, false), true));
        assertFalse(success.isClean(ExitStatus.exited(1), true));
        assertFalse(success.isClean(ExitStatus.killed(Signals.SIGKILL, false), true));
        assertTrue(s.restartPreventExitStatus().contains(ExitStatus.exited(4)));
        assertFalse(s.restartPreventExitStatus().contains(ExitStatus.exited(1)));
        assertTrue(s.restartForceExitStatus().contains(ExitStatus.exited(0)));
    }

    @Test
    void restartTableMatchesSystemd() {
        // Rows: clean, unclean code, unclean signal, timeout, watchdog — systemd.service(5), Table 2.
        Map<RestartPolicy, String> table = Map.of(
                RestartPolicy.NO, "-----",
                RestartPolicy.ALWAYS, "XXXXX",
                RestartPolicy.ON_SUCCESS, "X----",
                RestartPolicy.ON_FAILURE, "-XXXX",
                RestartPolicy.ON_ABNORMAL, "--XXX",
                RestartPolicy.ON_ABORT, "--X--",
                RestartPolicy.ON_WATCHDOG, "----X");
        table.forEach((policy, row) -> {
            RestartPolicy.Cause[] causes = RestartPolicy.Cause.values();
            for (int k = 0; k < causes.length; k++)
                assertEquals(row.charAt(k) == 'X', policy.restartsOn(causes[k]), policy + " " + causes[k]);
        });
    }

    @Test
    void restartBackoffSettingsArrive() {
        Service s = service("[Service]\nExecStart=/bin/a\nRestartSec=1\nRestartSteps=3\nRestartMaxDelaySec=8\n");
        assertEquals(Duration.ofSeconds(1), s.restartSec());
        assertEquals(3, s.restartSteps());
        assertEquals(Duration.ofSeconds(8), s.restartMaxDelay());
    }
}
