package dev.jinit.unit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real unit files from Debian packages (copied into test resources, see the README there) parse and load with
 * no error; unsupported directives are only warned about.
 */
class DebianUnitsTest {
    private static LoadResult debian() throws IOException, URISyntaxException {
        Path dir = Path.of(DebianUnitsTest.class.getResource("/debian-units").toURI());
        return UnitLoader.load(dir, Fixtures.CTX).with("redis-server@main.service").with("dnsmasq@eth0.service");
    }

    @Test
    void everyFileLoadsWithoutError() throws Exception {
        LoadResult r = debian();
        assertEquals(List.of("cron.service", "dnsmasq.service", "dnsmasq@eth0.service", "memcached.service",
                "redis-server.service", "redis-server@main.service", "rescue-ssh.target", "ssh.service"),
                Fixtures.own(r, r.units().keySet()));
        for (LoadedUnit u : r.units().values())
            assertInstanceOf(LoadedUnit.Ok.class, u, () -> u.name() + ": " + u);
        assertTrue(r.diagnostics().stream().noneMatch(Diagnostic::isError), r.diagnostics().toString());
        // Each unsupported directive is reported once per file, with file:line.
        LoadResult pg = r.with("postgresql@15-main.service");
        List<String> postgresql = pg.warnings().stream().map(Diagnostic::toString).filter(s -> s.contains("postgresql@.service")).toList();
        assertTrue(postgresql.contains(r.dir().resolve("postgresql@.service") + ":9: unknown directive RequiresMountsFor in [Unit], ignoring"),
                postgresql.toString());
        // memcached's sandboxing (ProtectSystem=, PrivateDevices=, RestrictAddressFamilies=, MemoryDenyWriteExecute=,
        // RestrictNamespaces=, …) is applied now: nothing in its file is reported as ignored.
        List<String> memcached = r.warnings().stream().map(Diagnostic::toString).filter(s -> s.contains("memcached.service")).toList();
        assertEquals(List.of(), memcached);
    }

    @Test
    void sshIsANotifyServiceWithItsDefaultsFile() throws Exception {
        ServiceUnit ssh = (ServiceUnit) debian().unit("ssh.service").orElseThrow();
        Service s = ssh.service();
        assertEquals(ServiceType.NOTIFY, s.type());
        assertEquals(List.of(new EnvFile.Ref(Path.of("/etc/default/ssh"), true)), s.environmentFiles());
        assertEquals(List.of("/usr/sbin/sshd", "-D", "-o", "LogLevel=INFO"),
                s.execStart().getFirst().expand(Map.of("SSHD_OPTS", "-o LogLevel=INFO")).argv());
        assertEquals(2, s.execReload().size());
        assertEquals(KillMode.PROCESS, s.killMode());
        assertEquals(RestartPolicy.ON_FAILURE, s.restart());
        assertTrue(s.restartPreventExitStatus().codes().contains(255));
        assertEquals(List.of("sshd"), s.runtimeDirectory());
        assertEquals(0755, s.runtimeDirectoryMode());
        assertEquals(List.of("network.target", "auditd.service"), Fixtures.written(ssh.info(), "After", ssh.info().after()));
        assertEquals("ssh.service", debian().unit("sshd.service").orElseThrow().name(), "Alias=sshd.service");
    }

    @Test
    void redisTemplateInstanceAndSpawnDirectives() throws Exception {
        ServiceUnit redis = (ServiceUnit) debian().unit("redis-server@main.service").orElseThrow();
        Service s = redis.service();
        assertEquals("Advanced key-value store (main)", redis.description());
        assertEquals(List.of("/etc/redis/redis-main.conf", "--supervised", "systemd", "--daemonize", "no"), s.execStart().getFirst().words());
        assertEquals(Path.of("/run/redis-main/redis-server.pid"), s.pidFile());
        assertEquals(List.of("redis-main"), s.runtimeDirectory());
        assertTrue(TimeSpans.isInfinite(s.timeoutStop()), "TimeoutStopSec=0 means no timeout");
        assertEquals(List.of("User=redis", "Group=redis", "UMask=007", "PrivateTmp=true", "LimitNOFILE=65535",
                        "PrivateDevices=true", "ProtectHome=true", "ProtectSystem=strict", "ReadWritePaths=-/var/lib/redis",
                        "ReadWritePaths=-/var/log/redis", "ReadWritePaths=-/var/run/redis-main", "CapabilityBoundingSet=",
                        "LockPersonality=true", "MemoryDenyWriteExecute=true",
                        "NoNewPrivileges=true", "PrivateUsers=true", "ProtectClock=true", "ProtectControlGroups=true",
                        "ProtectHostname=true", "ProtectKernelLogs=true", "ProtectKernelModules=true",
                        "ProtectKernelTunables=true", "ProtectProc=invisible", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                        "RestrictNamespaces=true", "RestrictRealtime=true", "RestrictSUIDSGID=true",
                        "SystemCallArchitectures=native", "SystemCallFilter=@system-service",
                        "SystemCallFilter=~ @privileged @resources", "ReadWriteDirectories=-/etc/redis"),
                s.spawnDirectives().stream().map(d -> d.key() + "=" + d.value()).toList());
    }

    @Test
    void dnsmasqIsForkingWithPidFileAndRequirements() throws Exception {
        LoadResult r = debian();
        ServiceUnit d = (ServiceUnit) r.unit("dnsmasq@eth0.service").orElseThrow();
        assertEquals(ServiceType.FORKING, d.service().type());
        assertEquals(Path.of("/run/dnsmasq/dnsmasq.eth0.pid"), d.service().pidFile());
        assertEquals(List.of("checkconfig", "eth0"), d.service().execStartPre().getFirst().words());
        UnitGraph g = new UnitGraph(r);
        assertEquals(List.of(), g.startProblems("dnsmasq.service"),
                "network.target is not in the directory: the requirement fails when started");
        assertTrue(g.startupSet().containsAll(List.of("cron.service", "memcached.service", "ssh.service", "dnsmasq.service")));
        assertFalse(g.startupSet().contains("rescue-ssh.target"));
        assertEquals(Duration.ofSeconds(90), ((ServiceUnit) r.unit("cron.service").orElseThrow()).service().timeoutStop());
    }

    /**
     * postgresql-common's template: the instance postgresql@15-main (made by its generator from the cluster
     * 15/main) asserts /etc/postgresql/%I/postgresql.conf, which is 15/main, as in systemd.
     */
    @Test
    void postgresqlInstanceUnescapesTheClusterPath() throws Exception {
        ServiceUnit pg = (ServiceUnit) debian().with("postgresql@15-main.service").unit("postgresql@15-main.service").orElseThrow();
        assertEquals("PostgreSQL Cluster 15-main", pg.description());
        Condition exists = pg.info().conditions().stream().filter(Condition::isAssert).findFirst().orElseThrow();
        assertEquals(Path.of("/etc/postgresql/15/main/postgresql.conf"), exists.path());
        Service s = pg.service();
        assertEquals(ServiceType.FORKING, s.type());
        assertEquals(Path.of("/run/postgresql/15-main.pid"), s.pidFile(), "%i keeps the dash");
        assertEquals(List.of("--skip-systemctl-redirect", "15-main", "start"), s.execStart().getFirst().words());
        assertEquals(List.of("OOMScoreAdjust=-900"), s.spawnDirectives().stream().map(d -> d.key() + "=" + d.value()).toList());
    }

    /** Where the packages are installed (the CI script installs them), their own files load too. */
    @Test
    void installedPackageUnitsLoad(@TempDir Path dir) throws IOException {
        List<String> names = List.of("cron.service", "memcached.service", "redis-server.service", "ssh.service", "dnsmasq.service");
        int found = 0;
        for (String n : names) {
            Path p = Path.of("/lib/systemd/system", n);
            if (Files.isRegularFile(p)) {
                Files.copy(p, dir.resolve(n));
                found++;
            }
        }
        assumeTrue(found > 0, "none of " + names + " is installed");
        LoadResult r = UnitLoader.load(dir, SystemContext.current());
        for (LoadedUnit u : r.units().values()) assertInstanceOf(LoadedUnit.Ok.class, u, () -> u.name() + ": " + u);
        assertEquals(found, Fixtures.own(r, r.units().keySet()).size());
    }
}
