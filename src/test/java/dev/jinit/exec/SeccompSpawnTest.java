package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** seccomp filters checked from inside real children, through the directives units use. */
class SeccompSpawnTest {
    @TempDir
    Path tmp;

    private static Probe.Result run(String script, String... directives) {
        ProcessSpec.Builder b = Probe.sh(script);
        DirectiveState st = new DirectiveState();
        for (String d : directives) {
            int eq = d.indexOf('=');
            Directives.apply(b, st, d.substring(0, eq), d.substring(eq + 1));
        }
        Directives.finish(b, st);
        return Probe.run(b);
    }

    /** Seccomp: lines of every thread of this JVM. */
    private static String ownThreadsSeccomp() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    for (String line : Files.readAllLines(t.resolve("status")))
                        if (line.startsWith("Seccomp:")) sb.append(line.substring(8).strip());
                } catch (java.io.IOException ended) {
                    // a thread that ended meanwhile
                }
            }
        }
        return sb.toString();
    }

    @Test
    void theChildGetsTheSpawnThreadsFilterAndJinitsThreadsNone() throws Exception {
        Probe.Result r = run("grep -E '^(Seccomp|Seccomp_filters|NoNewPrivs):' /proc/self/status", "SystemCallFilter=~reboot");
        assertEquals("2", r.field("Seccomp"), r.out());
        assertEquals("1", r.field("Seccomp_filters"), "exactly the one filter of the spawn thread");
        assertEquals("0", r.field("NoNewPrivs"), "with CAP_SYS_ADMIN no no_new_privs is needed (as systemd)");
        assertTrue(ownThreadsSeccomp().chars().allMatch(c -> c == '0'), "no thread of jinit is filtered: " + ownThreadsSeccomp());
        Probe.Result plain = run("grep '^Seccomp:' /proc/self/status");
        assertEquals("0", plain.field("Seccomp"), "the next spawn has no filter");
    }

    @Test
    void aDeniedCallReturnsTheChosenErrno() {
        Probe.Result r = run("mkdir " + tmp + "/d; echo rc=$?", "SystemCallFilter=~mkdir mkdirat", "SystemCallErrorNumber=ENOSPC");
        assertTrue(r.err().contains("No space left on device") && r.out().contains("rc=1"), r.out() + r.err());
        assertTrue(!Files.exists(tmp.resolve("d")));
        Probe.Result own = run("mkdir " + tmp + "/e; echo rc=$?", "SystemCallFilter=~mkdir:EROFS mkdirat:EROFS");
        assertTrue(own.err().contains("Read-only file system"), "a per-call errno: " + own.err());
    }

    @Test
    void withoutAnErrnoTheProcessIsKilled() {
        Probe.Result r = run("exec mkdir " + tmp + "/d", "SystemCallFilter=~mkdir mkdirat");
        assertEquals(Wait.CLD_KILLED, r.exit().code(), r.toString());
        assertEquals(Signals.SIGSYS, r.exit().status());
        // and jinit (this JVM) is alive and spawns again
        assertEquals("ok", run("echo ok").out().strip());
    }

    @Test
    void systemServiceAllowListRunsAShellAndRefusesPrivilegedCalls() {
        Probe.Result r = run("echo ok; chroot / /bin/true; echo chroot=$?", "SystemCallFilter=@system-service",
                "SystemCallFilter=~@privileged @resources", "SystemCallErrorNumber=EPERM", "SystemCallArchitectures=native");
        assertTrue(r.out().startsWith("ok\n") && r.out().contains("chroot=125"), r.out() + r.err());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
    }

    @Test
    void aNarrowAllowListKillsTheChildNotJinit() {
        Probe.Result r = run("ls / >/dev/null", "SystemCallFilter=@basic-io");
        assertEquals(Wait.CLD_KILLED, r.exit().code(), r.toString());
        assertEquals(Signals.SIGSYS, r.exit().status());
        assertEquals("ok", run("echo ok").out().strip(), "jinit's spawn thread survived its own filter");
    }

    @Test
    void restrictAddressFamiliesRefusesInet() {
        Probe.Result r = run("exec python3 -c '\nimport socket\nsocket.socket(socket.AF_UNIX).close()\nprint(\"unix ok\")\n"
                + "try:\n socket.socket(socket.AF_INET)\nexcept OSError as e:\n print(\"inet\", e.errno)\n'",
                "RestrictAddressFamilies=AF_UNIX");
        assertEquals("unix ok\ninet 97", r.out().strip(), r.err());
    }

    @Test
    void memoryDenyWriteExecute() {
        Probe.Result r = run("exec python3 -c '\nimport mmap\ntry:\n mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE|mmap.PROT_EXEC)\n"
                + "except OSError as e:\n print(\"wx\", e.errno)\nmmap.mmap(-1, 4096, prot=mmap.PROT_WRITE|mmap.PROT_READ)\nprint(\"rw ok\")\n'",
                "MemoryDenyWriteExecute=yes");
        assertEquals("wx 1\nrw ok", r.out().strip(), r.err());
    }

    @Test
    void namespacesPersonalityRealtimeAndSuidSgid() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        Probe.Result r = run(String.join("; ", "unshare -n true 2>/dev/null; echo ns=$?", "unshare -f -p true 2>/dev/null; echo pid=$?",
                        "setarch linux32 true 2>/dev/null; echo pers=$?", "chrt -f 1 true 2>/dev/null; echo rt=$?",
                        "chmod u+s " + f + " 2>/dev/null; echo suid=$?", "chmod 0640 " + f + "; echo mode=$?"),
                "RestrictNamespaces=~net", "LockPersonality=yes", "RestrictRealtime=yes", "RestrictSUIDSGID=yes");
        assertEquals("ns=1\npid=0\npers=1\nrt=1\nsuid=1\nmode=0", r.out().strip(), r.err());
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void protectionsDenyTheirCalls() {
        Probe.Result r = run("hostname jinit-probe 2>/dev/null; echo host=$?; date -s @0 >/dev/null 2>&1; echo clock=$?",
                "ProtectHostname=yes", "ProtectClock=yes");
        assertEquals("host=1\nclock=1", r.out().strip(), r.err());
    }

    @Test
    void worksWithCredentialsAndRootDirectorylessUser() {
        Probe.Result r = run("id -u; grep '^Seccomp:' /proc/self/status", "User=nobody", "SystemCallFilter=~@privileged",
                "SystemCallErrorNumber=EPERM");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("65534\n"), "RESETIDS' setresuid passed the filter: " + r.out());
    }

    /** The filter together with the exec gate (limits, OOM score), credentials and a sandbox mount. */
    @Test
    void withTheGateCredentialsAndMounts() {
        Probe.Result r = run("cat /proc/self/oom_score_adj; ulimit -n; id -u; grep '^Seccomp:' /proc/self/status;"
                        + " touch /usr/x 2>/dev/null; echo usr=$?",
                "User=nobody", "OOMScoreAdjust=17", "LimitNOFILE=100", "ProtectSystem=strict",
                "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged", "SystemCallErrorNumber=EPERM");
        assertEquals("17\n100\n65534\nSeccomp:\t2\nusr=1", r.out().strip(), r.err());
        assertEquals(0, dev.jinit.linux.Fs.access("/usr", dev.jinit.linux.Fs.W_OK), "jinit's /usr is still writable");
    }
}
