package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectivesTest {
    @TempDir Path root;
    private DirectiveState st;
    private ProcessSpec.Builder b;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/bash
                # a comment
                alice:x:1000:1000:Alice:/home/alice:/bin/sh
                bob:x:1001:1001::/home/bob:/bin/sh
                """);
        Files.writeString(root.resolve("etc/group"), """
                root:x:0:
                alice:x:1000:
                bob:x:1001:
                audio:x:29:alice,bob
                video:x:44:bob
                staff:x:50:alice
                """);
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nUid:\t0\t0\t0\t0\nGid:\t7\t8\t8\t8\n");
        Files.writeString(root.resolve("proc/self/mountinfo"),
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    }

    /** Applies the directives to a fresh builder and state, as one spawn would. */
    private ProcessSpec apply(String... keyValues) {
        st = new DirectiveState(root, root.resolve("proc"));
        b = ProcessSpec.builder("/bin/true");
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            Directives.apply(b, st, kv.substring(0, eq), kv.substring(eq + 1));
        }
        Directives.finish(b, st);
        return b.build();
    }

    private String error(String... keyValues) {
        return assertThrows(IllegalArgumentException.class, () -> apply(keyValues)).getMessage();
    }

    @Test
    void userAloneGetsPrimaryGroupAndEveryGroupListingIt() {
        assertEquals(new Credentials(1000, 1000, List.of(1000, 29, 50)), apply("User=alice").credentials());
    }

    @Test
    void groupReplacesPrimaryGroupInAnyOrder() {
        assertEquals(new Credentials(1001, 44, List.of(44, 29)), apply("Group=video", "User=bob").credentials());
    }

    @Test
    void supplementaryGroupsAddAndEmptyValueResets() {
        assertEquals(new Credentials(1000, 1000, List.of(1000, 29, 50, 44)),
                apply("User=alice", "SupplementaryGroups=root", "SupplementaryGroups=", "SupplementaryGroups=video 50").credentials());
    }

    @Test
    void groupAloneKeepsUidAndUsesOnlyListedGroups() {
        Credentials c = apply("Group=audio", "SupplementaryGroups=44").credentials();
        assertEquals(29, c.gid());
        assertEquals(List.of(44), c.groups());
    }

    @Test
    void supplementaryGroupsAloneKeepTheEffectiveGid() {
        assertEquals(8, apply("SupplementaryGroups=audio").credentials().gid());
    }

    @Test
    void numericUserWithoutEntryIsAllowed() {
        assertEquals(new Credentials(4242, 4242, List.of(4242)), apply("User=4242").credentials());
        assertEquals(new Credentials(1000, 1000, List.of(1000, 29, 50)), apply("User=1000").credentials());
    }

    @Test
    void unknownUserAndGroupAreNamed() {
        String e = error("User=mallory");
        assertTrue(e.startsWith("User=mallory: unknown user 'mallory'"), e);
        e = error("User=alice", "Group=nogroup");
        assertTrue(e.startsWith("Group=nogroup: unknown group 'nogroup'"), e);
        e = error("SupplementaryGroups=audio wheel");
        assertTrue(e.startsWith("SupplementaryGroups=wheel: unknown group 'wheel'"), e);
    }

    @Test
    void workingDirectoryTildeIsTheUsersHomeAndDashToleratesMissing() {
        assertEquals(Path.of("/home/alice"), apply("User=alice", "WorkingDirectory=~").workingDirectory());
        assertNull(apply("WorkingDirectory=-/no/such/dir/at/all").workingDirectory());
        assertEquals(Path.of("/tmp"), apply("WorkingDirectory=-/tmp").workingDirectory());
        assertEquals(Path.of("/no/such"), apply("WorkingDirectory=/no/such").workingDirectory());
        // looked for inside RootDirectory=: the test's root has etc/ but no tmp/
        assertEquals(Path.of("/etc"), apply("RootDirectory=" + root, "WorkingDirectory=-/etc").workingDirectory());
        assertNull(apply("RootDirectory=" + root, "WorkingDirectory=-/tmp").workingDirectory());
        assertTrue(error("WorkingDirectory=relative").startsWith("WorkingDirectory=relative: not an absolute path"));
    }

    @Test
    void environmentQuotesEscapesAndResets() {
        ProcessSpec spec = apply("Environment=GONE=1", "Environment=", "Environment=\"A=b c\" B='x y'z C=\\ttab D=",
                "Environment=E=\"q\\\"uote\"");
        assertEquals(Map.of("A", "b c", "B", "x yz", "C", "\ttab", "D", "", "E", "q\"uote"), spec.env());
        assertTrue(error("Environment=1X=2").contains("'1X=2' is not a NAME=VALUE assignment"));
        assertTrue(error("Environment=\"A=b").contains("unterminated \" quote"));
    }

    @Test
    void limitsParseSizesTimesNiceAndInfinity() {
        ProcessSpec spec = apply("LimitNOFILE=1024:4096", "LimitCORE=infinity", "LimitAS=1G:infinity",
                "LimitCPU=1min 30s", "LimitRTTIME=500ms", "LimitNICE=-5", "LimitSTACK=8M", "LimitNPROC=77");
        assertEquals(new Rlimit.Limit(1024, 4096), spec.rlimits().get(Rlimit.NOFILE));
        assertEquals(new Rlimit.Limit(Rlimit.INFINITY, Rlimit.INFINITY), spec.rlimits().get(Rlimit.CORE));
        assertEquals(new Rlimit.Limit(1L << 30, Rlimit.INFINITY), spec.rlimits().get(Rlimit.AS));
        assertEquals(new Rlimit.Limit(90, 90), spec.rlimits().get(Rlimit.CPU));
        assertEquals(new Rlimit.Limit(500_000, 500_000), spec.rlimits().get(Rlimit.RTTIME));
        assertEquals(new Rlimit.Limit(25, 25), spec.rlimits().get(Rlimit.NICE));
        assertEquals(new Rlimit.Limit(8L << 20, 8L << 20), spec.rlimits().get(Rlimit.STACK));
        assertEquals(new Rlimit.Limit(77, 77), spec.rlimits().get(Rlimit.NPROC));
    }

    @Test
    void badLimitsNameDirectiveAndValue() {
        assertEquals("LimitNOFILE=abc: not a number or 'infinity'", error("LimitNOFILE=abc"));
        assertEquals("LimitNOFILE=10:5: soft limit exceeds hard limit", error("LimitNOFILE=10:5"));
        assertEquals("LimitCPU=5 parsecs: not a time span or 'infinity'", error("LimitCPU=5 parsecs"));
        assertEquals("LimitFSIZE=1Q: not a size (with K, M, G, …) or 'infinity'", error("LimitFSIZE=1Q"));
        assertEquals("LimitNICE=+20: not a nice level (+N or -N) or a raw limit 0..40 or 'infinity'", error("LimitNICE=+20"));
        assertEquals("Limitnofile=1: unknown directive", error("Limitnofile=1"));
    }

    @Test
    void scalarsAndTheirRanges() {
        ProcessSpec spec = apply("UMask=0027", "Nice=-5", "OOMScoreAdjust=500", "RootDirectory=/srv/root",
                "NoNewPrivileges=yes");
        assertEquals(027, spec.umask());
        assertEquals(-5, spec.nice());
        assertEquals(500, spec.oomScoreAdjust());
        assertEquals(Path.of("/srv/root"), spec.rootDirectory());
        assertTrue(spec.noNewPrivileges());
        assertEquals("UMask=0999: not an octal mode", error("UMask=0999"));
        assertEquals("Nice=20: out of range -20..19", error("Nice=20"));
        assertEquals("OOMScoreAdjust=-1001: out of range -1000..1000", error("OOMScoreAdjust=-1001"));
        assertEquals("NoNewPrivileges=maybe: not a boolean (yes/no, true/false, on/off, 1/0)", error("NoNewPrivileges=maybe"));
        assertEquals("RootDirectory=srv: not an absolute path", error("RootDirectory=srv"));
    }

    @Test
    void cpuAffinityMergesAndResets() {
        BitSet expected = new BitSet();
        expected.set(0, 3);
        expected.set(8);
        assertEquals(expected, apply("CPUAffinity=5", "CPUAffinity=", "CPUAffinity=0-1", "CPUAffinity=2,8").cpuAffinity());
        assertEquals("CPUAffinity=3-1: range 3-1 is backwards", error("CPUAffinity=3-1"));
        assertEquals("CPUAffinity=x: 'x' is not a CPU number or range", error("CPUAffinity=x"));
    }

    @Test
    void capabilityBoundingSetFollowsSystemdMergeRules() {
        long chownKill = 1L << 0 | 1L << 5;
        assertEquals(chownKill, apply("CapabilityBoundingSet=CAP_CHOWN", "CapabilityBoundingSet=cap_kill").capabilityBoundingSet());
        assertEquals(DirectiveValues.ALL_CAPABILITIES & ~(1L << 21),
                apply("CapabilityBoundingSet=~CAP_SYS_ADMIN").capabilityBoundingSet());
        assertEquals(1L << 0, apply("CapabilityBoundingSet=CAP_CHOWN CAP_KILL", "CapabilityBoundingSet=~CAP_KILL").capabilityBoundingSet());
        assertEquals(0L, apply("CapabilityBoundingSet=CAP_CHOWN", "CapabilityBoundingSet=").capabilityBoundingSet());
        assertEquals("CapabilityBoundingSet=CAP_FLY: unknown capability 'CAP_FLY'", error("CapabilityBoundingSet=CAP_FLY"));
    }

    @Test
    void namespacesLastAssignmentWins() {
        ProcessSpec spec = apply("PrivateNetwork=yes", "ProtectHostname=true", "PrivateIPC=on", "PrivateMounts=1",
                "PrivatePIDs=yes", "PrivateUsers=yes", "PrivateUsers=no", "PrivateTmp=yes");
        assertEquals(Set.of(Namespace.NET, Namespace.UTS, Namespace.IPC, Namespace.MOUNT, Namespace.PID), spec.namespaces());
        assertTrue(spec.privateTmp());
    }

    @Test
    void standardOutputAndError() {
        ProcessSpec spec = apply("StandardOutput=append:/var/log/a", "StandardError=truncate:/var/log/b");
        assertEquals(new FdSource.WriteFile(Path.of("/var/log/a"), FdSource.WriteFile.Mode.APPEND), spec.fds().get(1));
        assertEquals(new FdSource.WriteFile(Path.of("/var/log/b"), FdSource.WriteFile.Mode.TRUNCATE), spec.fds().get(2));
        spec = apply("StandardOutput=journal", "StandardError=null");
        assertEquals(new FdSource.Pipe(true), spec.fds().get(1));
        assertEquals(FdSource.NULL, spec.fds().get(2));
        spec = apply("StandardOutput=null", "StandardOutput=inherit", "StandardError=file:/x");
        assertEquals(FdSource.INHERIT, spec.fds().get(1));
        assertEquals(new FdSource.WriteFile(Path.of("/x"), FdSource.WriteFile.Mode.OVERWRITE), spec.fds().get(2));
        assertTrue(error("StandardOutput=kmsg").startsWith("StandardOutput=kmsg: not one of file:PATH"));
        assertTrue(error("StandardError=file:rel").contains("'rel' is not an absolute path"));
    }

    @Test
    void sliceNestsByDashesUnderTheCgroup2Mount() {
        assertEquals(Path.of("/sys/fs/cgroup/unified/a.slice/a-b.slice"), apply("Slice=a-b.slice").cgroup());
        assertTrue(error("Slice=foo").contains("must end in .slice"));
        assertTrue(error("Slice=a--b.slice").contains("not a valid slice name"));
    }

    @Test
    void environmentEscapesAreUtf8BytesAsInSystemd() {
        // \xc3\xa9 is the two bytes of one é, not the two characters Ã and ©.
        assertEquals("caf\u00e9", apply("Environment=A=caf\\xc3\\xa9").env().get("A"));
        assertEquals("a b", apply("Environment=\"A=a b\"").env().get("A"));
    }

    @Test
    void unreadableOwnGidIsAClearError() throws IOException {
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\n");
        String message = error("SupplementaryGroups=staff");
        assertTrue(message.endsWith("cannot tell jinit's effective gid: " + root.resolve("proc/self/status")
                + ": no id 1 on a Gid: line (no such line)"), message);
    }

    @Test
    void sliceUsesTheSameCgroup2MountAsCgroupPlacement() throws IOException {
        // A second cgroup2 mount listed first (a container's bind mount, say): Slice= must resolve
        // where Cgroups places processes, the standard /sys/fs/cgroup, not wherever is listed first.
        Files.writeString(root.resolve("proc/self/mountinfo"),
                "40 31 0:38 / /mnt/cg rw,relatime shared:9 - cgroup2 cgroup2 rw\n"
                        + "41 31 0:38 / /sys/fs/cgroup rw,relatime shared:10 - cgroup2 cgroup2 rw\n");
        assertEquals(Path.of("/sys/fs/cgroup/web.slice"), apply("Slice=web.slice").cgroup());
        Files.delete(root.resolve("proc/self/mountinfo"));
        assertTrue(error("Slice=web.slice").contains("cannot read " + root.resolve("proc/self/mountinfo")),
                error("Slice=web.slice"));
    }

    @Test
    void unknownDirectivesAreRejectedAndKnownOnesListed() {
        assertEquals("Frobnicate=1: unknown directive", error("Frobnicate=1"));
        assertTrue(Directives.isSpawnDirective("LimitNOFILE"));
        assertTrue(Directives.isSpawnDirective("PrivateTmp"));
        assertFalse(Directives.isSpawnDirective("ExecStart"));
        assertFalse(Directives.isSpawnDirective("limitnofile"));
        assertTrue(Directives.names().containsAll(List.of("LimitRTTIME", "User", "Slice")));
    }

    @Test
    void malformedPasswdLineIsNamed() throws IOException {
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\nbroken:x:zero:0::/:/bin/sh\n");
        String e = error("User=root");
        assertTrue(e.contains("etc/passwd:2: malformed uid 'zero'"), e);
    }

    @Test
    void singleDirectiveConvenienceFinishesAtOnce() {
        ProcessSpec.Builder one = ProcessSpec.builder("/bin/true");
        Directives.apply(one, "Environment", "X=1");
        Directives.apply(one, "LimitNOFILE", "infinity");
        ProcessSpec spec = one.build();
        assertEquals("1", spec.env().get("X"));
        assertEquals(new Rlimit.Limit(Rlimit.INFINITY, Rlimit.INFINITY), spec.rlimits().get(Rlimit.NOFILE));
    }
}
