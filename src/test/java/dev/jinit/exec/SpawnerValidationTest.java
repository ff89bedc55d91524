package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Capabilities;
import dev.jinit.linux.Resources;
import dev.jinit.linux.ThreadIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad programs, bad paths and impossible specs get clear errors with the right shell code. */
class SpawnerValidationTest {
    @TempDir
    Path tmp;

    private static SpawnException refused(int code, String fragment, Executable spawn) {
        SpawnException e = assertThrows(SpawnException.class, spawn);
        assertEquals(code, e.shellCode(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        return e;
    }

    private static Executable spawn(ProcessSpec.Builder b) {
        return () -> Probe.run(b);
    }

    /** The same spec on the cheap path, the throwaway thread, and through the gate as another user. */
    private static List<ProcessSpec.Builder> everyPath(ProcessSpec.Builder b) {
        ProcessSpec spec = b.build();
        return List.of(spec.toBuilder(), spec.toBuilder().umask(022),
                spec.toBuilder().nice(1).credentials(SpawnerAttributesTest.AS_NOBODY));
    }

    @Test
    void missingProgramIs127() {
        for (ProcessSpec.Builder b : everyPath(ProcessSpec.builder("/no/such/program")))
            refused(127, "/no/such/program: no such file or directory", spawn(b));
        for (ProcessSpec.Builder b : everyPath(ProcessSpec.builder("no-such-program-xyz")))
            refused(127, "no-such-program-xyz: command not found", spawn(b));
    }

    @Test
    void nonExecutableProgramIs126() throws IOException {
        Path script = tmp.resolve("script");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        for (ProcessSpec.Builder b : everyPath(ProcessSpec.builder(script.toString())))
            refused(126, script + ": cannot execute: Permission denied (EACCES)", spawn(b));
        // executable by root only: nobody cannot run it
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        refused(126, "cannot execute", spawn(ProcessSpec.builder(script.toString()).credentials(SpawnerAttributesTest.AS_NOBODY)));
    }

    @Test
    void badWorkingDirectory() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path missing = tmp.resolve("missing");
        for (ProcessSpec.Builder b : everyPath(ProcessSpec.builder("/bin/true").workingDirectory(missing)))
            refused(2, "working directory " + missing + ": No such file or directory (ENOENT)", spawn(b));
        Path rootOnly = tmp.resolve("root-only");
        Files.createDirectory(rootOnly);
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rwx------"));
        refused(2, "working directory " + rootOnly + ": Permission denied (EACCES)",
                spawn(ProcessSpec.builder("/bin/true").workingDirectory(rootOnly).credentials(SpawnerAttributesTest.AS_NOBODY)));
    }

    @Test
    void controllingTtyTheChildCannotOpen() throws IOException {
        try (dev.jinit.linux.Pty pty = dev.jinit.linux.Pty.open()) {
            // a new pty slave belongs to root (mode 0620): a child running as nobody cannot open it
            Files.setPosixFilePermissions(pty.slave(), PosixFilePermissions.fromString("rw-------"));
            refused(2, "controlling tty " + pty.slave() + ": Permission denied (EACCES)",
                    spawn(ProcessSpec.builder("/bin/true").newSession(true).controllingTty(pty.slave())
                            .credentials(SpawnerAttributesTest.AS_NOBODY)));
        }
    }

    @Test
    void userNamespaceWithoutUnshareIsRefused() {
        Spawner withoutUnshare = new Spawner(null, tmp.resolve("no-unshare"));
        refused(2, "a user namespace needs util-linux unshare (" + tmp.resolve("no-unshare") + "), which is not installed",
                () -> Probe.run(withoutUnshare, ProcessSpec.builder("/bin/true").namespace(Namespace.USER)));
    }

    @Test
    void boundingSetInAUserNamespaceWithoutSetprivIsRefused() throws IOException {
        // An unshare with no setpriv beside it: the bounding set could not be honoured in the namespace.
        Path dir = Files.createDirectories(tmp.resolve("bin"));
        Path unshare = Files.createSymbolicLink(dir.resolve("unshare"), Path.of("/usr/bin/unshare"));
        Spawner lonelyUnshare = new Spawner(null, unshare);
        refused(2, "CapabilityBoundingSet= in a user namespace needs util-linux setpriv (" + dir.resolve("setpriv") + ")",
                () -> Probe.run(lonelyUnshare, ProcessSpec.builder("/bin/true").namespace(Namespace.USER)
                        .capabilityBoundingSet(0L)));
        // Without a bounding set, that unshare is enough.
        assertEquals(0, Probe.run(lonelyUnshare, ProcessSpec.builder("/bin/true").namespace(Namespace.USER)).exitCode());
    }

    @Test
    void userNamespaceInsideAChrootIsImpossible() {
        refused(2, "a user namespace cannot be created inside a chroot",
                spawn(ProcessSpec.builder("/bin/true").namespace(Namespace.USER).rootDirectory(tmp)));
    }

    @Test
    void cgroupOutsideTheHierarchy() {
        refused(2, "is not inside the cgroup2 mount", spawn(ProcessSpec.builder("/bin/true").cgroup(Path.of("/tmp/not-a-cgroup"))));
        refused(2, "'..' is not allowed", spawn(ProcessSpec.builder("/bin/true").cgroup(Path.of("a/../../etc"))));
    }

    @Test
    void affinityToCpusThatDoNotExist() {
        BitSet cpus = new BitSet();
        cpus.set(0);
        cpus.set(4000, 4002);
        refused(2, "names CPUs this machine does not have: 4000-4001", spawn(ProcessSpec.builder("/bin/true").cpuAffinity(cpus)));
    }

    @Test
    void boundingSetWithCapabilitiesTheKernelLacks() {
        refused(2, "which this kernel does not have", spawn(ProcessSpec.builder("/bin/true").capabilityBoundingSet(1L << 62)));
    }

    /**
     * systemd's setrlimit_closest: a limit above jinit's hard limit is set when jinit may raise it
     * (CAP_SYS_RESOURCE), else lowered to jinit's hard limit with a warning; the child runs either way.
     */
    @Test
    void hardLimitAboveJinitsIsSetOrLoweredToTheClosest() {
        long hard = Resources.getLimit(0, Rlimit.NOFILE.resource).hard();
        ProcessSpec.Builder b = ProcessSpec.builder("/bin/cat", "/proc/self/limits")
                .rlimit(Rlimit.NOFILE, new Rlimit.Limit(hard + 1, hard + 1));
        Probe.Result r = Probe.run(b);
        assertEquals(0, r.exitCode(), r.err());
        if (Capabilities.current().has(Capabilities.CAP_SYS_RESOURCE)) {
            assertEquals(List.of(Long.toString(hard + 1), Long.toString(hard + 1)),
                    SpawnerAttributesTest.limit(r.out(), "Max open files"));
            assertEquals(List.of(), r.warnings());
        } else {
            assertEquals(List.of(Long.toString(hard), Long.toString(hard)), SpawnerAttributesTest.limit(r.out(), "Max open files"));
            assertEquals(List.of("LimitNOFILE=" + (hard + 1) + " is above jinit's hard limit (" + hard
                    + ") and jinit lacks CAP_SYS_RESOURCE: set to " + hard + " instead"), r.warnings());
        }
    }

    /** The closest value keeps a soft limit that is allowed and caps only what is not. */
    @Test
    void closestLimitCapsEachValueAtTheHardLimit() {
        assertEquals(new Rlimit.Limit(1024, 4096), Preflight.closest(new Rlimit.Limit(1024, 65535), 4096));
        assertEquals(new Rlimit.Limit(4096, 4096), Preflight.closest(new Rlimit.Limit(65535, 65535), 4096));
        assertEquals(new Rlimit.Limit(4096, 4096), Preflight.closest(new Rlimit.Limit(Rlimit.INFINITY, Rlimit.INFINITY), 4096));
        assertEquals(new Rlimit.Limit(100, 200), Preflight.closest(new Rlimit.Limit(100, 200), Rlimit.INFINITY));
    }

    @Test
    void privateTmpNeedsATmpDirectoryInTheRoot() {
        refused(2, "PrivateTmp=yes needs a directory " + tmp.resolve("tmp"),
                spawn(ProcessSpec.builder("/true").rootDirectory(tmp).privateTmp(true)));
    }

    @Test
    void rootDirectoryMustExist() {
        refused(2, "RootDirectory=" + tmp.resolve("nope") + " is not a directory",
                spawn(ProcessSpec.builder("/true").rootDirectory(tmp.resolve("nope"))));
    }

    @Test
    void descriptorThatIsNotOpen() {
        for (ProcessSpec.Builder b : everyPath(ProcessSpec.builder("/bin/true").fd(3, new FdSource.OpenFd(987654))))
            refused(2, "descriptor 987654 is not open in jinit", spawn(b));
    }

    /**
     * Without CAP_SETUID/CAP_SETGID (here: the spawn is asked for on a thread that gave up root),
     * credentials, namespaces and chroot are refused before anything is spawned.
     */
    @Test
    void privilegedAttributesWithoutPrivileges() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread unprivileged = Thread.ofPlatform().start(() -> {
            try {
                ThreadIds.setResGid(65534, 65534, 65534);
                ThreadIds.setResUid(65534, 65534, 65534);
                refused(2, "needs CAP_SETUID and CAP_SETGID",
                        spawn(ProcessSpec.builder("/bin/true").credentials(new Credentials(1, 1, List.of()))));
                refused(2, "need CAP_SYS_ADMIN", spawn(ProcessSpec.builder("/bin/true").namespace(Namespace.NET)));
                refused(2, "needs CAP_SYS_CHROOT", spawn(ProcessSpec.builder("/true").rootDirectory(Path.of("/"))));
                refused(2, "needs CAP_SETPCAP", spawn(ProcessSpec.builder("/bin/true").capabilityBoundingSet(0L)));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        unprivileged.join(30_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void specRecordRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.builder("/bin/true").controllingTty(Path.of("/dev/tty")).build());
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.builder("/bin/true").nice(20).build());
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.builder("/bin/true").oomScoreAdjust(1001).build());
        assertThrows(IllegalArgumentException.class, () -> ProcessSpec.builder("/bin/true").cpuAffinity(new BitSet()).build());
        assertThrows(IllegalArgumentException.class, () -> new Rlimit.Limit(10, 5));
    }
}
