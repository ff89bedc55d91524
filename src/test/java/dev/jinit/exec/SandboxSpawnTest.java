package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each sandboxing directive checked from inside a real child, spawned through the same {@link Directives}
 * the unit files go through; and jinit's own view unchanged afterwards.
 */
class SandboxSpawnTest {
    @TempDir
    Path tmp;

    /** The child's answers to {@code script}, with the directives applied as a unit's [Service] lines. */
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

    private static long capBnd(Probe.Result r) {
        return Long.parseUnsignedLong(r.field("CapBnd"), 16);
    }

    @Test
    void protectSystemStrictRefusesWritesToUsrButNotToTheApiFileSystems() {
        Probe.Result r = run("touch /usr/jinit-sandbox-probe 2>&1; echo usr=$?; touch /etc/jinit-sandbox-probe 2>&1; echo etc=$?;"
                + " echo x > /dev/null; echo dev=$?; touch /dev/shm/jinit-sandbox-probe-$$ && rm /dev/shm/jinit-sandbox-probe-$$; echo shm=$?",
                "ProtectSystem=strict");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Read-only file system"), r.out());
        assertTrue(r.out().contains("usr=1") && r.out().contains("etc=1"), r.out());
        assertTrue(r.out().contains("dev=0") && r.out().contains("shm=0"), "/dev stays writable: " + r.out());
        assertFalse(Files.exists(Path.of("/usr/jinit-sandbox-probe")));
        assertEquals(0, Fs.access("/usr", Fs.W_OK), "jinit's own /usr is still writable after the spawn");
        Probe.Result plain = run("touch /usr/jinit-sandbox-plain-$$ && rm /usr/jinit-sandbox-plain-$$ && echo ok");
        assertEquals("ok", plain.out().strip(), "a child without sandboxing writes to /usr: " + plain.err());
    }

    @Test
    void protectSystemFullAndYes() {
        Probe.Result full = run("touch /etc/jinit-sandbox-probe 2>/dev/null; echo etc=$?; touch " + "/var/tmp/jinit-sandbox-$$ && rm /var/tmp/jinit-sandbox-$$; echo var=$?",
                "ProtectSystem=full");
        assertEquals("etc=1\nvar=0", full.out().strip(), full.err());
        Probe.Result yes = run("touch /etc/jinit-sandbox-probe-$$ && rm /etc/jinit-sandbox-probe-$$; echo etc=$?; touch /usr/x 2>/dev/null; echo usr=$?",
                "ProtectSystem=yes");
        assertEquals("etc=0\nusr=1", yes.out().strip(), yes.err());
    }

    @Test
    void privateDevicesHoldsOnlyThePseudoDevices() {
        Probe.Result r = run("ls -A /dev; echo --; head -c 4 /dev/zero | od -An -tx1; grep CapBnd /proc/self/status",
                "PrivateDevices=yes");
        assertEquals(0, r.exitCode(), r.err());
        String[] parts = r.out().split("--\n");
        Set<String> dev = new TreeSet<>(parts[0].lines().toList());
        Set<String> allowed = Set.of("null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "hugepages",
                "ptmx", "fd", "stdin", "stdout", "stderr");
        assertTrue(allowed.containsAll(dev), "only pseudo devices: " + dev);
        assertTrue(dev.containsAll(List.of("null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx", "fd")), dev.toString());
        assertEquals("00 00 00 00", parts[1].lines().findFirst().orElseThrow().strip(), "/dev/zero works");
        assertEquals(0, capBnd(r) & ((1L << 27) | (1L << 17)), "CAP_MKNOD and CAP_SYS_RAWIO leave the bounding set");
    }

    @Test
    void protectKernelTunablesMakesProcSysAndSysReadOnly() {
        // Writes the current value back: harmless even if the protection were missing.
        Probe.Result r = run("v=$(cat /proc/sys/kernel/printk_ratelimit); echo $v > /proc/sys/kernel/printk_ratelimit; echo sys=$?;"
                + " grep -c ' /sys ro,' /proc/self/mountinfo", "ProtectKernelTunables=yes");
        assertTrue(r.err().contains("Read-only file system") && !r.out().contains("sys=0"), r.out() + r.err());
        assertTrue(Integer.parseInt(r.out().strip().lines().reduce((a, b) -> b).orElseThrow()) >= 1, "/sys is mounted read-only: " + r.out());
    }

    @Test
    void protectControlGroupsKernelModulesLogsAndClock() {
        Probe.Result r = run("mkdir /sys/fs/cgroup/jinit-sandbox-probe 2>/dev/null; echo cg=$?; ls -A /lib/modules | wc -l;"
                + " grep CapBnd /proc/self/status",
                "ProtectControlGroups=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes", "ProtectClock=yes");
        assertTrue(r.out().startsWith("cg=1\n0\n"), r.out() + r.err());
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/jinit-sandbox-probe")));
        long dropped = (1L << 16) | (1L << 34) | (1L << 25) | (1L << 35);
        assertEquals(0, capBnd(r) & dropped, "CAP_SYS_MODULE, CAP_SYSLOG, CAP_SYS_TIME, CAP_WAKE_ALARM dropped: " + r.out());
    }

    @Test
    void protectHomeVariants() throws Exception {
        String home = System.getProperty("user.home");
        Probe.Result yes = run("ls -A /root | wc -l; touch /root/x 2>/dev/null; echo w=$?", "ProtectHome=yes");
        assertEquals("0\nw=1", yes.out().strip(), yes.err());
        Probe.Result tmpfs = run("ls -A /root | wc -l; grep -c ' /root ro,.* - tmpfs ' /proc/self/mountinfo", "ProtectHome=tmpfs");
        assertEquals("0\n1", tmpfs.out().strip(), tmpfs.err());
        Probe.Result ro = run("ls -A /root | wc -l; touch /root/jinit-sandbox-probe 2>/dev/null; echo w=$?", "ProtectHome=read-only");
        try (var l = Files.list(Path.of("/root"))) {
            assertEquals(l.count() + "\nw=1", ro.out().strip(), "read-only: the same entries, no write");
        }
        assertTrue(Files.isDirectory(Path.of(home)), "jinit still sees its own home");
    }

    @Test
    void pathDirectives() throws Exception {
        Path ro = Files.createDirectories(tmp.resolve("ro/sub"));
        Files.writeString(tmp.resolve("ro/file"), "secret");
        Path gone = Files.createDirectories(tmp.resolve("gone"));
        Files.writeString(gone.resolve("f"), "x");
        Path tfs = Files.createDirectories(tmp.resolve("tfs"));
        Files.writeString(tfs.resolve("old"), "x");
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("hello"), "hi");
        Path dst = Files.createDirectories(tmp.resolve("dst"));
        Path rodst = Files.createDirectories(tmp.resolve("rodst"));
        String t = tmp.toString();
        Probe.Result r = run(String.join(";",
                        "touch " + t + "/ro/new 2>/dev/null; echo ro=$?",
                        "touch " + t + "/ro/sub/new; echo rw=$?",
                        "ls -A " + t + "/gone | wc -l",
                        "cat " + t + "/ro/file | wc -c",
                        "ls -A " + t + "/tfs | wc -l",
                        "cat " + t + "/dst/hello; echo",
                        "cat " + t + "/rodst/hello; echo",
                        "touch " + t + "/rodst/x 2>/dev/null; echo rob=$?"),
                "ReadOnlyPaths=" + ro.getParent(), "ReadWritePaths=" + ro, "InaccessiblePaths=" + gone + " -/nonexistent/x",
                "InaccessiblePaths=" + t + "/ro/file", "TemporaryFileSystem=" + tfs + ":ro",
                "BindPaths=" + src + ":" + dst, "BindReadOnlyPaths=" + src + ":" + rodst);
        assertEquals("ro=1\nrw=0\n0\n0\n0\nhi\nhi\nrob=1", r.out().strip(), r.err());
        assertTrue(Files.exists(ro.resolve("new")), "ReadWritePaths= below a read-only path is writable");
        assertEquals("secret", Files.readString(tmp.resolve("ro/file")));
        assertFalse(Files.exists(dst.resolve("hello")), "the bind mount stays in the child's namespace");
    }

    @Test
    void missingRequiredPathFailsTheSpawnNamingIt() {
        SpawnException e = org.junit.jupiter.api.Assertions.assertThrows(SpawnException.class,
                () -> run("true", "ReadWritePaths=/nonexistent/jinit-rw"));
        assertTrue(e.getMessage().contains("/nonexistent/jinit-rw") && e.getMessage().contains("ENOENT"), e.getMessage());
        SpawnException b = org.junit.jupiter.api.Assertions.assertThrows(SpawnException.class,
                () -> run("true", "BindPaths=/nonexistent/jinit-src:/tmp"));
        assertTrue(b.getMessage().contains("/nonexistent/jinit-src"), b.getMessage());
        assertEquals("ok", run("echo ok", "BindPaths=-/nonexistent/jinit-src:/tmp").out().strip(), "- ignores a missing source");
    }

    @Test
    void protectProcMountsAProcWithHidepid() {
        Probe.Result r = run("grep ' /proc ' /proc/self/mountinfo | tail -1", "ProtectProc=invisible", "ProcSubset=pid");
        assertTrue(r.out().contains("hidepid=invisible") && r.out().contains("subset=pid"), r.out() + r.err());
    }
}
