package dev.jinit.exec.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {
    private static final Syscalls T = Syscalls.x86_64();
    private static final long[] NO_ARGS = new long[6];

    private static int decide(SeccompPolicy p, String call, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return p.decide(SeccompPolicy.AUDIT_ARCH_X86_64, T.number(call), a);
    }

    @Test
    void groupsComeFromSystemdsTables() {
        assertTrue(T.expand("@system-service").containsAll(java.util.List.of("read", "write", "openat", "socket", "clone")));
        assertTrue(T.expand("@privileged").containsAll(java.util.List.of("chroot", "setuid", "clock_settime", "reboot", "init_module")),
                "nested groups are expanded");
        assertEquals(59, T.number("execve"));
        assertEquals(41, T.number("socket"));
    }

    @Test
    void allowListRefusesTheRestWithTheChosenErrno() {
        SeccompSettings.Builder b = new SeccompSettings.Builder();
        b.allowList = true;
        T.expand("@system-service").forEach(c -> b.filter.put(c, -1));
        b.errorNumber = 1;
        SeccompPolicy p = PolicyCompiler.compile(b.build(), PolicyCompiler.Protections.NONE, null);
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "read"));
        assertEquals(SeccompPolicy.errno(1), decide(p, "reboot"));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "gettid"), "@default is always allowed");
        assertEquals(SeccompPolicy.RET_ALLOW, p.decide(0x40000003, 88, NO_ARGS), "other ABIs pass without SystemCallArchitectures=");
    }

    @Test
    void denyListWithPerCallErrnoAndKillByDefault() {
        SeccompSettings.Builder b = new SeccompSettings.Builder();
        b.allowList = false;
        b.filter.putAll(Map.of("mkdir", 28, "chroot", -1));
        b.nativeOnly = true;
        SeccompPolicy p = PolicyCompiler.compile(b.build(), PolicyCompiler.Protections.NONE, null);
        assertEquals(SeccompPolicy.errno(28), decide(p, "mkdir"));
        assertEquals(SeccompPolicy.RET_KILL_PROCESS, decide(p, "chroot"));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "read"));
        assertEquals(SeccompPolicy.RET_KILL_PROCESS, p.decide(0x40000003, 1, NO_ARGS), "SystemCallArchitectures=native");
    }

    @Test
    void resetIdsStillPassUnderADenyListOfThePrivilegedGroup() {
        SeccompSettings.Builder b = new SeccompSettings.Builder();
        b.allowList = false;
        T.expand("@privileged").forEach(c -> b.filter.put(c, -1));
        SeccompPolicy p = PolicyCompiler.compile(b.build(), PolicyCompiler.Protections.NONE, new int[] {1000, 1000});
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "setresuid", 0xffffffffL, 1000, 0xffffffffL), "glibc's RESETIDS call");
        assertEquals(SeccompPolicy.RET_KILL_PROCESS, decide(p, "setresuid", 0, 0, 0));
    }

    @Test
    void argumentFilters() {
        SeccompSettings.Builder b = new SeccompSettings.Builder();
        b.familiesAllowList = true;
        b.families.add(1);
        b.memoryDenyWriteExecute = true;
        b.namespacesAllowed = 0L;
        b.lockPersonality = true;
        b.restrictRealtime = true;
        b.restrictSuidSgid = true;
        SeccompPolicy p = PolicyCompiler.compile(b.build(), PolicyCompiler.Protections.NONE, null);
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "socket", 1, 1));
        assertEquals(SeccompPolicy.errno(97), decide(p, "socket", 2, 1), "AF_INET: EAFNOSUPPORT");
        assertEquals(SeccompPolicy.errno(1), decide(p, "mmap", 0, 4096, 6));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "mmap", 0, 4096, 3));
        assertEquals(SeccompPolicy.errno(1), decide(p, "mprotect", 0, 4096, 5));
        assertEquals(SeccompPolicy.errno(1), decide(p, "unshare", 0x40000000L));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "unshare", 0x200), "CLONE_FS is no namespace");
        assertEquals(SeccompPolicy.errno(38), decide(p, "clone3"));
        assertEquals(SeccompPolicy.errno(1), decide(p, "setns", 3, 0));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "personality", 0xffffffffL));
        assertEquals(SeccompPolicy.errno(1), decide(p, "personality", 8));
        assertEquals(SeccompPolicy.errno(1), decide(p, "sched_setscheduler", 0, 1 | 0x40000000));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "sched_setscheduler", 0, 0));
        assertEquals(SeccompPolicy.errno(1), decide(p, "chmod", 0, 04755));
        assertEquals(SeccompPolicy.errno(1), decide(p, "openat", 0, 0, 0101, 02644));
        assertEquals(SeccompPolicy.RET_ALLOW, decide(p, "openat", 0, 0, 0, 02644), "without O_CREAT the mode means nothing");
    }
}
