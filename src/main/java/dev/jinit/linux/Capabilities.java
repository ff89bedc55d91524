package dev.jinit.linux;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Capability numbers and names (as systemd's CapabilityBoundingSet= spells them), and the calling
 * thread's capability sets as the kernel reports them in {@code /proc/thread-self/status}.
 */
public final class Capabilities {
    private Capabilities() {}

    public static final int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_KILL = 5, CAP_SETGID = 6, CAP_SETUID = 7,
            CAP_SETPCAP = 8, CAP_NET_BIND_SERVICE = 10, CAP_NET_ADMIN = 12, CAP_NET_RAW = 13, CAP_SYS_CHROOT = 18,
            CAP_SYS_PTRACE = 19, CAP_SYS_ADMIN = 21, CAP_SYS_NICE = 23, CAP_SYS_RESOURCE = 24;

    private static final String[] NAMES = {"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
            "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
            "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
            "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"};

    /** {@code CAP_NET_ADMIN}, or {@code cap_41} for numbers newer than this table. */
    public static String name(int capability) {
        return capability >= 0 && capability < NAMES.length ? "CAP_" + NAMES[capability] : "cap_" + capability;
    }

    /**
     * Parses {@code CAP_NET_ADMIN}, {@code net_admin} or a number.
     * @throws IllegalArgumentException naming the value when it is not a capability
     */
    public static int parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("CAP_")) s = s.substring(4);
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(s)) return i;
        if (!s.isEmpty() && s.length() < 3 && s.chars().allMatch(Character::isDigit)) return Integer.parseInt(s);
        throw new IllegalArgumentException("not a capability: " + text);
    }

    private static final long SYS_CAPSET = 126;
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2;
    private static final java.lang.invoke.MethodHandle SYSCALL2 = Native.errnoCall("syscall",
            java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG),
            java.lang.foreign.Linker.Option.firstVariadicArg(1));

    /**
     * capset(2) for the calling thread only (pid 0): its effective, permitted and inheritable sets. A
     * thread may lower its permitted set, and raise effective and inheritable within it (inheritable
     * beyond the bounding set needs CAP_SETPCAP).
     */
    public static void setThread(long effective, long permitted, long inheritable) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment header = arena.allocate(8);
            header.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            header.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, 0);
            java.lang.foreign.MemorySegment data = arena.allocate(24);
            long[] sets = {effective, permitted, inheritable};
            for (int half = 0; half < 2; half++)
                for (int k = 0; k < 3; k++)
                    data.set(java.lang.foreign.ValueLayout.JAVA_INT, half * 12L + k * 4L, (int) (sets[k] >>> (32 * half)));
            java.lang.foreign.MemorySegment st = Native.callState();
            long r = (long) SYSCALL2.invokeExact(st, SYS_CAPSET, header.address(), data.address());
            Native.check(r, st, "capset", "effective " + Long.toHexString(effective) + " permitted "
                    + Long.toHexString(permitted) + " inheritable " + Long.toHexString(inheritable));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** PR_CAP_AMBIENT_RAISE for the calling thread (the capability must be permitted and inheritable). */
    public static void raiseAmbient(int capability) {
        Prctl.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0);
    }

    /** The calling thread's permitted set, as the kernel reports it. */
    public static long permitted() {
        return current().permitted();
    }

    /** A thread's sets, bit N = capability N. */
    public record Sets(long effective, long permitted, long bounding) {
        public boolean has(int capability) {
            return (effective & (1L << capability)) != 0;
        }
    }

    /** The calling thread's capability sets. */
    public static Sets current() {
        return of(ProcStatus.read(Path.of("/proc/thread-self/status")));
    }

    /** The CapEff, CapPrm and CapBnd lines of a /proc status file. */
    static Sets parseStatus(String status) {
        return of(ProcStatus.parse("status", status));
    }

    private static Sets of(ProcStatus status) {
        return new Sets(status.hex("CapEff"), status.hex("CapPrm"), status.hex("CapBnd"));
    }
}
