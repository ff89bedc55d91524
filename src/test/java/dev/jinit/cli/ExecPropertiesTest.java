package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.cli.JinitExec.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code jinit exec -p Key=Value}: each attribute checked from the child's side (/proc/self/…),
 * so the whole path from directive to running process is covered.
 */
class ExecPropertiesTest {
    @TempDir Path dir;

    private static List<String> args(List<String> properties, String shell) {
        List<String> a = new ArrayList<>();
        for (String p : properties) {
            a.add("-p");
            a.add(p);
        }
        a.addAll(List.of("--", "/bin/sh", "-c", shell));
        return a;
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + prefix + " in:\n" + text))
                .substring(prefix.length()).strip();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void identityLimitsSchedulingAndEnvironment(Mode mode) throws Exception {
        List<String> props = List.of("User=nobody", "Group=nogroup", "SupplementaryGroups=daemon users", "UMask=0027",
                "LimitNOFILE=123:456", "LimitCORE=1M", "Nice=5", "OOMScoreAdjust=321", "CPUAffinity=0",
                "NoNewPrivileges=yes", "CapabilityBoundingSet=CAP_CHOWN CAP_KILL", "Environment=\"GREETING=hello world\"",
                "WorkingDirectory=/tmp");
        String shell = "cat /proc/self/status /proc/self/limits; echo oom=$(cat /proc/self/oom_score_adj);"
                + " echo stat=$(cat /proc/self/stat); echo pwd=$(pwd); echo \"GREETING=$GREETING\"";
        try (JinitExec j = JinitExec.start(mode, dir, args(props, shell))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            String out = j.out();
            assertEquals("65534\t65534\t65534\t65534", line(out, "Uid:"));
            assertEquals("65534\t65534\t65534\t65534", line(out, "Gid:"));
            assertEquals(Set.of("1", "100", "65534"), new TreeSet<>(Arrays.asList(line(out, "Groups:").split("\\s+"))));
            assertEquals("0027", line(out, "Umask:"));
            assertEquals("1", line(out, "NoNewPrivs:"));
            assertEquals("0000000000000021", line(out, "CapBnd:"));
            assertEquals("0", line(out, "Cpus_allowed_list:"));
            assertEquals("123                  456                  files", line(out, "Max open files"));
            assertTrue(line(out, "Max core file size").startsWith("1048576              1048576"), out);
            assertEquals("321", line(out, "oom="));
            String stat = line(out, "stat=");
            assertEquals("5", stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16], "nice field: " + stat);
            assertEquals("/tmp", line(out, "pwd="));
            assertEquals("hello world", line(out, "GREETING="));
        }
    }

    /**
     * jinit's own classes under /tmp (a checkout there, as in CI) must stay loadable by the spawn
     * thread that mounts the private /tmp: the mount is entered only around the launch.
     */
    @Test
    void privateTmpWithJinitItselfUnderTmp() throws Exception {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path copy = Files.createTempDirectory(Path.of("/tmp"), "jinit-classes");
        try {
            try (var walk = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path target = copy.resolve(classes.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(target);
                    else Files.copy(p, target);
                }
            }
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", copy.toString(), "dev.jinit.cli.Main",
                    "exec", "-p", "PrivateTmp=yes", "-p", "User=nobody", "-p", "LimitNOFILE=512",
                    "--", "/bin/sh", "-c", "echo tmp=$(ls -A /tmp | wc -l) nofile=$(ulimit -n)");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
            assertEquals(0, p.exitValue(), out);
            assertEquals("tmp=0 nofile=512", out.strip());
        } finally {
            try (var walk = Files.walk(copy)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void namespacesAndPrivateTmp() throws Exception {
        Path visible = Files.createTempFile(Path.of("/tmp"), "jinit-visible", ".txt");
        try {
            List<String> props = List.of("PrivateNetwork=yes", "ProtectHostname=yes", "PrivateIPC=yes", "PrivateTmp=yes",
                    "PrivatePIDs=yes");
            String shell = "for n in net uts ipc mnt pid_for_children; do echo $n=$(readlink /proc/self/ns/$n); done;"
                    + " echo pid=$$; echo tmp=$(ls -A /tmp | wc -l); echo links=$(tail -n +3 /proc/net/dev | wc -l)";
            try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(props, shell))) {
                assertEquals(0, j.exitCode(), j.diagnostics());
                String out = j.out();
                for (String ns : List.of("net", "uts", "ipc", "mnt"))
                    assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString(), line(out, ns + "="), ns);
                assertEquals("1", line(out, "pid="), "first process of its own PID namespace");
                assertEquals("0", line(out, "tmp="), "a private, empty /tmp");
                assertEquals("1", line(out, "links="), "only lo in a new network namespace");
            }
            assertTrue(Files.exists(visible));
        } finally {
            Files.deleteIfExists(visible);
        }
    }

    @Test
    void privateUsersAndMounts() throws Exception {
        String shell = "echo user=$(readlink /proc/self/ns/user); echo mnt=$(readlink /proc/self/ns/mnt)";
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(List.of("PrivateUsers=yes", "PrivateMounts=yes"), shell))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            String out = j.out();
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString(), line(out, "user="));
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), line(out, "mnt="));
        }
    }

    @Test
    void standardOutputAndErrorFiles() throws Exception {
        Path append = Files.writeString(dir.resolve("append.log"), "old\n");
        Path truncate = Files.writeString(dir.resolve("truncate.log"), "a much longer old content\n");
        Path file = dir.resolve("new.log");
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(List.of("StandardOutput=append:" + append,
                "StandardError=truncate:" + truncate), "echo out; echo err >&2"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals("", j.out());
        }
        assertEquals("old\nout\n", Files.readString(append));
        assertEquals("err\n", Files.readString(truncate));
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(List.of("StandardOutput=file:" + file,
                "StandardError=null"), "echo out; echo err >&2"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals("", j.err());
        }
        assertEquals("out\n", Files.readString(file));
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(List.of("StandardOutput=null",
                "StandardOutput=inherit"), "echo out"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals("out\n", j.out());
        }
    }

    /** A chroot holding only a static busybox and a marker. */
    @Test
    void rootDirectory() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("bin"));
        // busybox-static: a chroot needs a program with no shared libraries
        Path busybox = Files.exists(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : Path.of("/usr/bin/busybox");
        Files.copy(busybox, root.resolve("bin/busybox"));
        Files.writeString(root.resolve("marker"), "inside the chroot\n");
        List<String> a = List.of("-p", "RootDirectory=" + root, "--", "/bin/busybox", "sh", "-c", "/bin/busybox cat /marker; /bin/busybox ls /");
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, a)) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals(List.of("inside the chroot", "bin", "marker"), j.out().lines().map(String::strip).toList());
        }
    }

    @Test
    void sliceIsTheChildsCgroup() throws Exception {
        String name = "jinittest" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + ".slice";
        Path mount = Path.of("/sys/fs/cgroup/unified");
        if (!Files.exists(mount.resolve("cgroup.procs"))) mount = Path.of("/sys/fs/cgroup");
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, args(List.of("Slice=" + name), "cat /proc/self/cgroup"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals("/" + name, line(j.out(), "0::"), j.out());
        } finally {
            Files.deleteIfExists(mount.resolve(name));
        }
    }

    /** PID 1 passes its environment through, as tini does, and Environment= adds to it. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void environmentIsPassedThrough(Mode mode) throws Exception {
        try (JinitExec j = JinitExec.start(mode, dir, args(List.of("Environment=ADDED=yes"), "echo \"$FROM_TEST $ADDED\""),
                java.util.Map.of("FROM_TEST", "passed"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertEquals("passed yes", j.out().strip());
        }
    }
}
