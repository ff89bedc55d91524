package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Capabilities;
import dev.jinit.linux.Pty;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every spawn attribute, checked from the child's side: the child reports what the kernel says
 * about it (/proc/self/...), through a pipe. Runs as root.
 */
class SpawnerAttributesTest {
    static final int NOBODY = 65534;
    static final Credentials AS_NOBODY = new Credentials(NOBODY, NOBODY, List.of(NOBODY, 100));

    @TempDir
    Path tmp;

    @Test
    void credentialsSetEveryIdAndDropCapabilities() {
        Probe.Result r = Probe.run(Probe.sh("cat /proc/self/status").credentials(AS_NOBODY));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("65534\t65534\t65534\t65534", r.field("Uid"));
        assertEquals("65534\t65534\t65534\t65534", r.field("Gid"));
        assertEquals("100 65534", r.field("Groups"));
        assertEquals("0000000000000000", r.field("CapEff"));
        assertEquals("0000000000000000", r.field("CapPrm"));
        // the child's setuid ran while it shared jinit's memory: jinit must still be dumpable
        assertEquals(1, dev.jinit.linux.Prctl.prctl(dev.jinit.linux.Prctl.PR_GET_DUMPABLE, 0, 0, 0, 0));
    }

    @Test
    void boundingSetAndNoNewPrivileges() {
        long keep = (1L << Capabilities.CAP_NET_BIND_SERVICE) | (1L << Capabilities.CAP_KILL);
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/status")
                .capabilityBoundingSet(keep).noNewPrivileges(true));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(String.format("%016x", keep), r.field("CapBnd"));
        // root's permitted set after exec is its bounding set
        assertEquals(String.format("%016x", keep), r.field("CapPrm"));
        assertEquals("1", r.field("NoNewPrivs"));
        // the bounding set of jinit's own thread is untouched
        assertTrue(dev.jinit.linux.Prctl.inBoundingSet(Capabilities.CAP_SYS_ADMIN));
    }

    @Test
    void signalMaskAndIgnoresNeverLeakFromTheJvmThread() {
        int[] blocked = {Signals.SIGTTOU, Signals.SIGXFSZ};
        int[] ignored = {Signals.SIGTTIN, Signals.SIGURG};
        ThreadSignals changed = new ThreadSignals(blocked, ignored);
        try {
            for (ProcessSpec.Builder b : List.of(ProcessSpec.builder("/bin/cat", "/proc/self/status"),
                    ProcessSpec.builder("/bin/cat", "/proc/self/status").umask(022),
                    ProcessSpec.builder("/bin/cat", "/proc/self/status").nice(1))) {
                Probe.Result r = Probe.run(b);
                assertEquals("0000000000000000", r.field("SigBlk"), "cheap, throwaway and gated paths alike");
                assertEquals("0000000000000000", r.field("SigIgn"));
            }
        } finally {
            changed.close();
        }
    }

    @Test
    void resourceLimitsHoldFromTheFirstInstruction() {
        // cat is the program itself: what it prints is what it had at its first instruction.
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/limits")
                .rlimit(Rlimit.NOFILE, new Rlimit.Limit(1234, 4321))
                .rlimit(Rlimit.CORE, new Rlimit.Limit(0, 0))
                .rlimit(Rlimit.NPROC, new Rlimit.Limit(777, 777)));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("1234", "4321"), limit(r.out(), "Max open files"));
        assertEquals(List.of("0", "0"), limit(r.out(), "Max core file size"));
        assertEquals(List.of("777", "777"), limit(r.out(), "Max processes"));
    }

    @Test
    void resourceLimitsForAChildRunningAsAnotherUser() {
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/limits")
                .credentials(AS_NOBODY).rlimit(Rlimit.NOFILE, new Rlimit.Limit(321, 654)));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("321", "654"), limit(r.out(), "Max open files"));
    }

    static List<String> limit(String limits, String name) {
        for (String line : limits.split("\n"))
            if (line.startsWith(name + " ")) {
                String[] f = line.substring(name.length()).trim().split("\\s+");
                return List.of(f[0], f[1]);
            }
        throw new AssertionError("no " + name + " in " + limits);
    }

    @Test
    void cgroupPlacementBeforeExec() {
        Cgroups cgroups = Cgroups.find().orElseThrow(() -> new AssertionError("the tests need cgroup2 mounted"));
        Path group = Path.of("jinit-test-" + UUID.randomUUID());
        try {
            Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/cgroup").cgroup(group));
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().lines().anyMatch(l -> l.equals("0::/" + group)), r.out());
            assertTrue(Files.isDirectory(cgroups.resolve(group)), "created when missing");
        } finally {
            cgroups.remove(group);
        }
    }

    @Test
    void oomScoreAdjustment() {
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/oom_score_adj").oomScoreAdjust(345));
        assertEquals("345", r.out().trim(), r.err());
        ProcessSpec.Builder negative = ProcessSpec.builder("/bin/cat", "/proc/self/oom_score_adj").oomScoreAdjust(-345);
        if (Capabilities.current().has(Capabilities.CAP_SYS_RESOURCE)) {
            assertEquals("-345", Probe.run(negative).out().trim());
        } else {
            SpawnException e = assertThrows(SpawnException.class, () -> Probe.run(negative));
            assertEquals(2, e.shellCode());
            assertTrue(e.getMessage().contains("OOMScoreAdjust=-345"), e.getMessage());
        }
    }

    @Test
    void niceValue() {
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/stat").nice(7));
        assertEquals("7", statField(r.out(), 19));
    }

    /** Field n (1-based) of a /proc/PID/stat line; the comm field may hold spaces, so count after ')'. */
    static String statField(String stat, int n) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return n == 1 ? stat.substring(0, stat.indexOf(' ')) : rest[n - 3];
    }

    @Test
    void cpuAffinity() {
        BitSet online = CpuList.parse(readUnchecked(Path.of("/sys/devices/system/cpu/online")));
        BitSet one = new BitSet();
        one.set(online.length() - 1);
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/status").cpuAffinity(one));
        assertEquals(CpuList.format(one), r.field("Cpus_allowed_list"));
    }

    @Test
    void namespaces() throws IOException {
        List<Namespace> all = List.of(Namespace.MOUNT, Namespace.UTS, Namespace.IPC, Namespace.NET, Namespace.PID,
                Namespace.CGROUP);
        StringBuilder script = new StringBuilder("echo $$");
        for (Namespace ns : all) script.append("; readlink /proc/self/ns/").append(ns.procName);
        // plain, and through the exec gate (the spawn thread's child is pid 1 of its namespace, yet
        // found and reported by its pid in jinit's)
        for (boolean gated : new boolean[] {false, true}) {
            ProcessSpec.Builder b = Probe.sh(script.toString());
            for (Namespace ns : all) b.namespace(ns);
            if (gated) b.oomScoreAdjust(5);
            Probe.Result r = Probe.run(b);
            assertEquals(0, r.exitCode(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("1", lines.get(0), "first process of its own pid namespace");
            assertTrue(r.pid() > 1);
            for (int i = 0; i < all.size(); i++) {
                String own = Files.readSymbolicLink(Path.of("/proc/self/ns/" + all.get(i).procName)).toString();
                assertTrue(lines.get(i + 1).startsWith(all.get(i).procName + ":["), lines.get(i + 1));
                assertNotEquals(own, lines.get(i + 1), all.get(i) + " namespace is new");
            }
        }
        // the cheap path is untouched by the throwaway thread's namespaces
        Probe.Result after = Probe.run(ProcessSpec.builder("/bin/readlink", "/proc/self/ns/net"));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(), after.out().trim());
    }

    @Test
    void newNetworkNamespaceHasLoopbackUp() {
        // As PrivateNetwork= under systemd: lo is up with 127.0.0.1 and ::1, and it is the only link.
        // /proc/net is the reader's namespace (unlike /sys/class/net, which is the mounter's).
        Probe.Result r = Probe.run(Probe.sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ';"
                + " grep -A1 -F '|-- 127.0.0.1' /proc/net/fib_trie | grep -q 'host LOCAL' && echo local").namespace(Namespace.NET));
        assertEquals(List.of("lo", "local"), r.out().lines().toList(), "only lo, with 127.0.0.1 local: " + r.out() + r.err());
    }

    @Test
    void userNamespaceIsHandedToUnshare() throws IOException {
        String ownUser = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
        Probe.Result r = Probe.run(Probe.sh("cat /proc/self/uid_map; readlink /proc/self/ns/user; id -u")
                .namespace(Namespace.USER));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("0", "0", "1"), Arrays.asList(lines.get(0).trim().split("\\s+")));
        assertNotEquals(ownUser, lines.get(1));
        assertEquals("0", lines.get(2));

        Probe.Result asNobody = Probe.run(Probe.sh("cat /proc/self/uid_map; id -u").namespace(Namespace.USER)
                .credentials(AS_NOBODY));
        assertEquals(0, asNobody.exitCode(), asNobody.err());
        List<String> l2 = asNobody.out().lines().toList();
        assertEquals(List.of("65534", "65534", "1"), Arrays.asList(l2.get(0).trim().split("\\s+")));
        assertEquals("65534", l2.get(1));
    }

    @Test
    void boundingSetHoldsInsideAUserNamespace() {
        // The kernel gives a new user namespace a full bounding set; redis-server.service has both
        // PrivateUsers=yes and an empty CapabilityBoundingSet=.
        long netBindService = 1L << 10;
        for (boolean asNobody : new boolean[] {false, true}) {
            ProcessSpec.Builder b = Probe.sh("grep -E '^(CapBnd|CapEff|CapAmb|CapInh)' /proc/self/status; cat /proc/self/uid_map")
                    .namespace(Namespace.USER).capabilityBoundingSet(netBindService).noNewPrivileges(true);
            if (asNobody) b.credentials(AS_NOBODY);
            Probe.Result r = Probe.run(b);
            assertEquals(0, r.exitCode(), r.err());
            assertEquals("0000000000000400", r.field("CapBnd"), r.out());
            assertEquals(asNobody ? "0000000000000000" : "0000000000000400", r.field("CapEff"), "root in its namespace keeps"
                    + " only the bounding set; another user nothing: " + r.out());
            assertEquals("0000000000000000", r.field("CapAmb"), r.out());
            assertEquals("0000000000000000", r.field("CapInh"), r.out());
            assertTrue(r.out().contains(asNobody ? "65534" : " 0 "), "the program runs in the new namespace: " + r.out());
        }
        assertEquals("-all", Preflight.setprivCaps(0));
        assertEquals("-all,+chown,+net_bind_service,+checkpoint_restore", Preflight.setprivCaps(1L | 1L << 10 | 1L << 40));
    }

    /** A root directory holding busybox (static) and a marker file. */
    private Path makeRoot() throws IOException {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("sub"));
        Files.createDirectories(root.resolve("tmp"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
        Files.writeString(root.resolve("marker"), "inside the root\n");
        for (Path p : List.of(tmp, root, root.resolve("sub"), root.resolve("busybox")))
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        return root;
    }

    @Test
    void rootDirectory() throws IOException {
        Path root = makeRoot();
        Probe.Result r = Probe.run(ProcessSpec.builder("/busybox", "sh", "-c", "/busybox cat /marker; /busybox ls /; pwd")
                .rootDirectory(root));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("inside the root", "busybox", "marker", "sub", "tmp", "/"), r.out().lines().toList());

        // with a working directory, another user and the exec gate: the gate FIFO lies outside the root
        Probe.Result gated = Probe.run(ProcessSpec.builder("/busybox", "sh", "-c", "pwd; /busybox id -u; ulimit -n")
                .rootDirectory(root).workingDirectory(Path.of("/sub")).credentials(AS_NOBODY)
                .rlimit(Rlimit.NOFILE, new Rlimit.Limit(99, 99)));
        assertEquals(0, gated.exitCode(), gated.err());
        assertEquals(List.of("/sub", "65534", "99"), gated.out().lines().toList());
    }

    @Test
    void umask() {
        Probe.Result r = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/status").umask(0027));
        assertEquals("0027", r.field("Umask"));
        Probe.Result own = Probe.run(ProcessSpec.builder("/bin/cat", "/proc/self/status"));
        assertNotEquals("0027", own.field("Umask"), "jinit's umask is unchanged");
    }

    @Test
    void privateTmp() throws IOException {
        String name = "jinit-private-tmp-" + UUID.randomUUID();
        Path hostMarker = Path.of("/tmp", name + "-host");
        Files.writeString(hostMarker, "x");
        try {
            Probe.Result r = Probe.run(Probe.sh("ls -A /tmp; touch /tmp/" + name + "-child; grep -c ' /tmp .* - tmpfs ' /proc/self/mountinfo")
                    .privateTmp(true));
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(List.of("1"), r.out().lines().toList(), "an empty tmpfs on /tmp");
            assertFalse(Files.exists(Path.of("/tmp", name + "-child")), "nothing leaks to the host's /tmp");
            assertTrue(Files.exists(hostMarker));

            // gated, with the gate FIFO itself under the /tmp that the tmpfs covers
            Path gates = Files.createDirectories(tmp.resolve("gates"));
            Probe.Result gated = Probe.run(new Spawner(gates), Probe.sh("ls -A /tmp; cat /proc/self/oom_score_adj")
                    .privateTmp(true).oomScoreAdjust(17).credentials(AS_NOBODY));
            assertEquals(0, gated.exitCode(), gated.err());
            assertEquals(List.of("17"), gated.out().lines().toList());
            try (var left = Files.list(gates)) {
                assertEquals(0, left.count(), "gate FIFOs are removed");
            }
        } finally {
            Files.deleteIfExists(hostMarker);
        }
    }

    @Test
    void sessionAndControllingTerminal() throws IOException {
        try (Pty pty = Pty.open()) {
            long rdev = ((Number) Files.getAttribute(pty.slave(), "unix:rdev")).longValue();
            for (ProcessSpec.Builder b : List.of(ProcessSpec.builder("/bin/cat", "/proc/self/stat"),
                    ProcessSpec.builder("/bin/cat", "/proc/self/stat").nice(2).umask(022))) {
                Probe.Result r = Probe.run(b.newSession(true).controllingTty(pty.slave()).foreground(true));
                assertEquals(0, r.exitCode(), r.err());
                String pid = Integer.toString(r.pid());
                assertEquals(pid, statField(r.out(), 5), "process group");
                assertEquals(pid, statField(r.out(), 6), "session");
                assertEquals(Long.toString(rdev), statField(r.out(), 7), "controlling tty");
                assertEquals(pid, statField(r.out(), 8), "foreground process group of the tty");
            }
        }
    }

    @Test
    void fdTableHoldsExactlyWhatWasAsked() throws IOException {
        Path in = tmp.resolve("in");
        Path log = tmp.resolve("log");
        Files.writeString(in, "data");
        // root-only files: jinit opens them, so a child running as nobody still gets them
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rw-------"));
        for (ProcessSpec.Builder b : List.of(ProcessSpec.builder("/bin/ls", "-l", "/proc/self/fd"),
                ProcessSpec.builder("/bin/ls", "-l", "/proc/self/fd").credentials(AS_NOBODY).nice(1).umask(022))) {
            Probe.Result r = Probe.run(b.stdin(FdSource.NULL).fd(3, new FdSource.ReadFile(in))
                    .fd(4, new FdSource.WriteFile(log, FdSource.WriteFile.Mode.APPEND)));
            assertEquals(0, r.exitCode(), r.err());
            Map<Integer, String> fds = new TreeMap<>();
            for (String line : r.out().lines().toList()) {
                int arrow = line.indexOf(" -> ");
                if (arrow < 0) continue;
                String[] left = line.substring(0, arrow).trim().split("\\s+");
                fds.put(Integer.parseInt(left[left.length - 1]), line.substring(arrow + 4));
            }
            assertEquals("/dev/null", fds.get(0));
            assertTrue(fds.get(1).startsWith("pipe:"), fds.toString());
            assertTrue(fds.get(2).startsWith("pipe:"), fds.toString());
            assertEquals(in.toString(), fds.get(3));
            assertEquals(log.toString(), fds.get(4));
            // and one more: the directory ls itself opened to list /proc/self/fd
            assertEquals(6, fds.size(), "nothing else is open: " + fds);
            assertTrue(fds.get(5).matches("/proc/\\d+/fd"), fds.toString());
        }
    }

    @Test
    void gatedChildPidIsReported() {
        for (ProcessSpec.Builder b : List.of(Probe.sh("echo $$").nice(3), Probe.sh("echo $$").nice(3).credentials(AS_NOBODY))) {
            Probe.Result r = Probe.run(b);
            assertEquals(Integer.toString(r.pid()), r.out().trim());
        }
    }

    @Test
    void workingDirectoryAndEnvironment() throws IOException {
        Path dir = tmp.resolve("wd");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (ProcessSpec.Builder b : List.of(Probe.sh("pwd; echo $A"), Probe.sh("pwd; echo $A").credentials(AS_NOBODY).nice(1))) {
            Probe.Result r = Probe.run(b.workingDirectory(dir).putEnv("A", "b c"));
            assertEquals(List.of(dir.toString(), "b c"), r.out().lines().toList(), r.err());
        }
        // a gated spawn without a working directory keeps jinit's
        Probe.Result keep = Probe.run(Probe.sh("pwd").nice(1));
        assertEquals(Path.of("").toAbsolutePath().toString(), keep.out().trim());
    }

    @Test
    void gateFailureKillsTheChildBeforeExec() {
        Path marker = tmp.resolve("ran");
        // a cgroup below a control file cannot be created: the gate fails after the child exists
        SpawnException e = assertThrows(SpawnException.class, () -> Probe.run(
                Probe.sh("touch " + marker).cgroup(Path.of("cgroup.procs/impossible"))));
        assertEquals(1, e.shellCode());
        assertTrue(e.getMessage().startsWith("cannot apply cgroup "), e.getMessage());
        assertTrue(e.getMessage().contains("ENOTDIR"), e.getMessage());
        assertFalse(Files.exists(marker), "the program never ran");
        String pid = e.getMessage().replaceAll(".* to pid (\\d+) before exec.*", "$1");
        assertFalse(Files.exists(Path.of("/proc", pid)), "the killed child was reaped, not left a zombie");
    }

    @Test
    void manyGatedSpawnsInParallel() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Spawner spawner = new Spawner();
        for (int t = 0; t < 4; t++) {
            int n = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        Probe.Result r = Probe.run(spawner, ProcessSpec.builder("/bin/cat", "/proc/self/oom_score_adj")
                                .oomScoreAdjust(100 + n));
                        assertEquals(Integer.toString(100 + n), r.out().trim());
                    }
                } catch (Throwable x) {
                    failures.add(x);
                }
            }));
        }
        for (Thread t : threads) t.join(60_000);
        assertEquals(List.of(), failures);
    }

    @Test
    void spawnsFromAVirtualThread() throws Exception {
        List<Probe.Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread v = Thread.ofVirtual().start(() -> {
            results.add(Probe.run(Probe.sh("echo plain")));
            results.add(Probe.run(Probe.sh("cat /proc/self/oom_score_adj").oomScoreAdjust(77).credentials(AS_NOBODY)));
        });
        v.join(60_000);
        assertEquals(2, results.size());
        assertEquals("plain", results.get(0).out().trim());
        assertEquals("77", results.get(1).out().trim());
    }

    static String readUnchecked(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
