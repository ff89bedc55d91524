package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Rlimit;
import dev.jinit.linux.Signals;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.LoadState;
import dev.jinit.unit.NotifyAccess;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import dev.jinit.unit.UnitLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitMappingTest {
    @TempDir
    Path dir;

    List<UnitDefinition> load() throws Exception {
        return UnitMapping.map(UnitLoader.load(dir));
    }

    UnitDefinition find(List<UnitDefinition> defs, String name) {
        return defs.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void serviceDirectivesReachTheMachineAndTheSpawnPlan() throws Exception {
        Files.writeString(dir.resolve("env"), "FROM_FILE=yes\n");
        Files.writeString(dir.resolve("web.service"), """
                [Unit]
                Description=Web
                After=db.service
                Wants=db.service
                StartLimitBurst=7
                [Service]
                Type=notify
                Environment=A=1 "B=two words"
                EnvironmentFile=%s
                ExecStartPre=-/bin/true
                ExecStart=@/bin/sleep web-sleep $B ${A}0
                TimeoutStartSec=infinity
                TimeoutStopSec=5
                Restart=on-abnormal
                RestartSec=2
                KillSignal=SIGINT
                KillMode=mixed
                WatchdogSec=3
                LimitNOFILE=100
                StandardError=null
                RuntimeDirectory=web
                [Install]
                WantedBy=multi-user.target
                """.formatted(dir.resolve("env")));
        Files.writeString(dir.resolve("db.service"), "[Service]\nExecStart=/bin/sleep 1\n");
        UnitDefinition web = find(load(), "web.service");
        assertTrue(web.loaded(), String.valueOf(web.loadError()));
        ServiceConfig c = web.service();
        assertEquals(ServiceType.NOTIFY, c.type());
        assertEquals(0, c.timeoutStartMillis(), "infinity means no timeout");
        assertEquals(5000, c.timeoutStopMillis());
        assertEquals(RestartPolicy.ON_ABNORMAL, c.restart());
        assertEquals(2000, c.restartMillis());
        assertEquals(Signals.SIGINT, c.killSignal());
        assertEquals(KillMode.MIXED, c.killMode());
        assertEquals(NotifyAccess.MAIN, c.notifyAccess());
        assertEquals(3000, c.watchdogMillis());
        assertEquals(7, c.startLimitBurst());
        assertTrue(c.startPre().getFirst().ignoreFailure());
        assertEquals(List.of("db.service"), web.deps().after().stream().filter(n -> !n.endsWith(".target")).toList());
        assertEquals(List.of("db.service", "sysinit.target", "basic.target"), web.deps().after(), "with DefaultDependencies=yes");
        assertEquals(List.of("multi-user.target"), web.deps().wantedBy());
        assertEquals(List.of("web"), web.directories().runtime());

        ProcessSpec spec = web.plan().spec(ServiceConfig.Role.START, 0, Map.of("MAINPID", "42"));
        assertEquals("/bin/sleep", spec.program());
        assertEquals(List.of("web-sleep", "two", "words", "10"), spec.argv());
        assertEquals("1", spec.env().get("A"));
        assertEquals("yes", spec.env().get("FROM_FILE"));
        assertEquals("42", spec.env().get("MAINPID"));
        assertTrue(spec.env().get("PATH").contains("/usr/bin"));
        assertEquals(FdSource.NULL, spec.fds().get(0));
        assertEquals(new FdSource.Pipe(true), spec.fds().get(1));
        assertEquals(FdSource.NULL, spec.fds().get(2));
        assertEquals(new Rlimit.Limit(100, 100), spec.rlimits().get(Rlimit.NOFILE));
    }

    @Test
    void errorsNameTheFileAndLine() throws Exception {
        Files.writeString(dir.resolve("a.service"), """
                [Service]
                User=no-such-user-here
                ExecStart=/bin/true
                """);
        Files.writeString(dir.resolve("b.service"), """
                [Service]
                EnvironmentFile=/nonexistent/env-file
                ExecStart=/bin/true
                """);
        Files.writeString(dir.resolve("c.service"), """
                [Service]
                Type=oneshot
                Restart=always
                ExecStart=/bin/true
                """);
        List<UnitDefinition> defs = load();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> find(defs, "a.service").plan().spec(ServiceConfig.Role.START, 0, Map.of()));
        assertTrue(e.getMessage().contains("a.service:2") && e.getMessage().contains("no-such-user-here"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> find(defs, "b.service").plan().spec(ServiceConfig.Role.START, 0, Map.of()));
        assertTrue(e.getMessage().contains("/nonexistent/env-file"), e.getMessage());
        UnitDefinition c = find(defs, "c.service");
        assertEquals(LoadState.BAD_SETTING, c.loadState());
        assertTrue(c.loadError().contains("c.service") && c.loadError().contains("Restart=always"), c.loadError());
    }

    @Test
    void fingerprintsFollowTheFiles() throws Exception {
        Path f = dir.resolve("x.service");
        Files.writeString(f, "[Service]\nExecStart=/bin/true\n");
        String before = find(load(), "x.service").fingerprint();
        assertEquals(before, find(load(), "x.service").fingerprint());
        Files.writeString(f, "[Service]\nExecStart=/bin/false\n");
        assertNotEquals(before, find(load(), "x.service").fingerprint());
        assertNull(find(load(), "x.service").loadError());
    }

    /**
     * Debian's postgresql@ (and dbus) ask for OOMScoreAdjust=-900. A container's root without
     * CAP_SYS_RESOURCE cannot lower it; systemd logs "assuming containerized execution" and runs the
     * unit anyway, and so does jinit: the unit loads, says why, and its processes get no adjustment.
     */
    @Test
    void unattainableOomScoreIsWarnedNotFatal() throws Exception {
        Files.copy(Path.of(UnitMappingTest.class.getResource("/debian-units/postgresql@.service").toURI()),
                dir.resolve("postgresql@.service"));
        var loaded = UnitLoader.load(dir).with("postgresql@15-main.service");
        UnitDefinition container = find(UnitMapping.map(loaded, v -> v < 0 ? "OOMScoreAdjust=" + v
                + " is below jinit's own (0) and jinit lacks CAP_SYS_RESOURCE" : null), "postgresql@15-main.service");
        assertTrue(container.loaded(), String.valueOf(container.loadError()));
        assertTrue(container.warnings().stream().anyMatch(w -> w.contains("postgresql@.service:30:")
                && w.contains("assuming containerized execution")), container.warnings().toString());
        assertNull(container.plan().spec(ServiceConfig.Role.START, 0, Map.of()).oomScoreAdjust());

        UnitDefinition privileged = find(UnitMapping.map(loaded, v -> null), "postgresql@15-main.service");
        assertEquals(-900, privileged.plan().spec(ServiceConfig.Role.START, 0, Map.of()).oomScoreAdjust());
        assertTrue(privileged.warnings().stream().noneMatch(w -> w.contains("containerized")));
    }

    /** docs/units.md: an empty value resets; a drop-in can take OOMScoreAdjust= and Nice= back out. */
    @Test
    void emptyOomScoreAdjustInADropInResets() throws Exception {
        Files.writeString(dir.resolve("d.service"), "[Service]\nExecStart=/bin/true\nOOMScoreAdjust=-500\nNice=5\n");
        Files.createDirectories(dir.resolve("d.service.d"));
        Files.writeString(dir.resolve("d.service.d/reset.conf"), "[Service]\nOOMScoreAdjust=\nNice=\n");
        UnitDefinition d = find(load(), "d.service");
        assertTrue(d.loaded(), String.valueOf(d.loadError()));
        ProcessSpec spec = d.plan().spec(ServiceConfig.Role.START, 0, Map.of());
        assertNull(spec.oomScoreAdjust());
        assertNull(spec.nice());
        assertTrue(d.warnings().stream().noneMatch(w -> w.contains("containerized")), d.warnings().toString());
    }

    /** systemd.exec(5): the unit's own RuntimeDirectory=/StateDirectory=/LogsDirectory= stay writable under ProtectSystem=strict. */
    @Test
    void serviceDirectoriesStayWritableUnderStrict() throws Exception {
        Files.writeString(dir.resolve("s.service"), """
                [Service]
                ExecStart=/bin/true
                ExecStartPost=+/bin/true
                ProtectSystem=strict
                RuntimeDirectory=s
                StateDirectory=s
                """);
        Files.writeString(dir.resolve("plain.service"), "[Service]\nExecStart=/bin/true\nRuntimeDirectory=p\n");
        Files.writeString(dir.resolve("filtered.service"), "[Service]\nExecStart=/bin/true\nRuntimeDirectory=f\nSystemCallFilter=@system-service\n");
        List<UnitDefinition> defs = load();
        ProcessSpec spec = find(defs, "s.service").plan().spec(ServiceConfig.Role.START, 0, Map.of());
        assertEquals(dev.jinit.exec.sandbox.Sandbox.ProtectSystem.STRICT, spec.sandbox().protectSystem());
        assertEquals(List.of(Path.of("/run/s"), Path.of("/var/lib/s")),
                spec.sandbox().readWrite().stream().map(r -> r.path()).toList());
        assertTrue(find(defs, "s.service").plan().spec(ServiceConfig.Role.START_POST, 0, Map.of()).sandbox().isEmpty(),
                "the + prefix runs without the sandbox");
        assertTrue(find(defs, "plain.service").plan().spec(ServiceConfig.Role.START, 0, Map.of()).sandbox().isEmpty(),
                "a unit without sandboxing gets no mounts");
        ProcessSpec filtered = find(defs, "filtered.service").plan().spec(ServiceConfig.Role.START, 0, Map.of());
        assertTrue(filtered.sandbox().needsSeccomp() && !filtered.sandbox().needsMounts(),
                "a system call filter alone needs no mount namespace");
    }
}
