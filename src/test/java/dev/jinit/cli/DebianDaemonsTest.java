package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Debian 12's own unit files (test resources, copied verbatim from the packages) started by
 * {@code jinit run} for each daemon that is installed (.ci/run installs cron, memcached,
 * redis-server, openssh-server and dnsmasq). Each daemon gets a drop-in with PrivateNetwork=yes,
 * so it listens only inside its own network namespace: no port is taken on the machine and no
 * traffic leaves it.
 */
class DebianDaemonsTest {
    /** unit → the program its ExecStart= needs. */
    static final Map<String, String> DAEMONS = new LinkedHashMap<>();

    static {
        DAEMONS.put("cron.service", "/usr/sbin/cron");
        DAEMONS.put("memcached.service", "/usr/bin/memcached");
        DAEMONS.put("redis-server.service", "/usr/bin/redis-server");
        DAEMONS.put("ssh.service", "/usr/sbin/sshd");
        DAEMONS.put("dnsmasq.service", "/usr/sbin/dnsmasq");
    }

    @Test
    void installedDaemonsRunFromTheirDebianUnitFiles() throws Exception {
        // Not under /tmp: PrivateTmp= (memcached, redis) mounts a private /tmp over it, which would hide
        // the NOTIFY_SOCKET in jinit's state directory from redis (Type=notify).
        JinitRun layout = JinitRun.layout(Path.of("/run"), "debian");
        List<String> units = new ArrayList<>();
        for (Map.Entry<String, String> d : DAEMONS.entrySet()) {
            if (!Files.isExecutable(Path.of(d.getValue()))) continue;
            String unit = d.getKey();
            units.add(unit);
            layout.unit(unit, Files.readString(Path.of("src/test/resources/debian-units", unit)));
            Path dropIn = Files.createDirectories(layout.units.resolve(unit + ".d"));
            String extra = unit.equals("redis-server.service")
                    // Debian asks for 65535 open files; a container's hard limit may be lower and raising
                    // it needs CAP_SYS_RESOURCE, which jinit refuses to pretend it has.
                    ? "LimitNOFILE=4096\n" : "";
            Files.writeString(dropIn.resolve("jinit-test.conf"), "[Service]\nPrivateNetwork=yes\n" + extra);
        }
        assumeTrue(!units.isEmpty(), "none of the Debian daemons is installed");
        // dnsmasq Requires= network.target, which systemd provides and a bare unit directory does not.
        layout.unit("network.target", "[Unit]\nDescription=Network\n");
        // The daemons' own configuration points at /run, /var/lib and /var/log: use the real bases.
        try (JinitRun j = layout.start("--runtime-base", "/run", "--state-base", "/var/lib", "--logs-base", "/var/log")) {
            List<Integer> pids = new ArrayList<>();
            for (String unit : units) {
                JinitRun.Client s = j.awaitStatus(unit, "active (running)");
                Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(s.out());
                assertTrue(m.find(), s.toString());
                pids.add(Integer.parseInt(m.group(1)));
            }
            assertEquals(0, j.terminate(), j.output());
            for (int i = 0; i < pids.size(); i++)
                assertFalse(JinitRun.alive(pids.get(i)), units.get(i) + " is stopped when jinit stops");
        } finally {
            // /run is memory: do not leave the layout there.
            try (var walk = Files.walk(layout.root)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
