package dev.jinit.exec.sandbox;

import dev.jinit.exec.seccomp.SeccompSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file-system and kernel sandboxing of one process (systemd.exec(5), "Sandboxing"), immutable. What the
 * namespaces alone give (PrivateTmp=, PrivateNetwork=, PrivateIPC=, ProtectHostname=) stays in
 * {@code ProcessSpec}; this is what needs mounts in the child's mount namespace ({@link MountPlan}) and the
 * capabilities the protections take away ({@link #droppedCapabilities()}).
 *
 * @param protectSystem         ProtectSystem=
 * @param protectHome           ProtectHome=
 * @param privateDevices        PrivateDevices=: a /dev with only the pseudo devices
 * @param readWrite             ReadWritePaths=
 * @param readOnly              ReadOnlyPaths=
 * @param inaccessible          InaccessiblePaths=
 * @param temporaryFileSystems  TemporaryFileSystem=
 * @param binds                 BindPaths= and BindReadOnlyPaths=
 * @param protectKernelTunables ProtectKernelTunables=: /proc/sys, /sys and friends read-only
 * @param protectKernelModules  ProtectKernelModules=: module directories hidden, CAP_SYS_MODULE dropped
 * @param protectKernelLogs     ProtectKernelLogs=: /proc/kmsg and /dev/kmsg hidden, CAP_SYSLOG dropped
 * @param protectControlGroups  ProtectControlGroups=: /sys/fs/cgroup read-only
 * @param protectClock          ProtectClock=: CAP_SYS_TIME and CAP_WAKE_ALARM dropped
 * @param protectProc           ProtectProc=: a procfs instance with that hidepid=
 * @param procSubset            ProcSubset=pid: a procfs instance with subset=pid
 * @param seccomp               the system call filtering directives (SystemCallFilter=, RestrictAddressFamilies=, …)
 */
public record Sandbox(ProtectSystem protectSystem, ProtectHome protectHome, boolean privateDevices,
                      List<PathRule> readWrite, List<PathRule> readOnly, List<PathRule> inaccessible,
                      List<TemporaryFileSystem> temporaryFileSystems, List<Bind> binds,
                      boolean protectKernelTunables, boolean protectKernelModules, boolean protectKernelLogs,
                      boolean protectControlGroups, boolean protectClock, ProtectProc protectProc, boolean procSubset,
                      SeccompSettings seccomp) {

    public static final Sandbox NONE = new Builder().build();

    public Sandbox {
        readWrite = List.copyOf(readWrite);
        readOnly = List.copyOf(readOnly);
        inaccessible = List.copyOf(inaccessible);
        temporaryFileSystems = List.copyOf(temporaryFileSystems);
        binds = List.copyOf(binds);
        if (seccomp == null) seccomp = SeccompSettings.NONE;
    }

    public enum ProtectSystem { NO, YES, FULL, STRICT }

    public enum ProtectHome { NO, YES, READ_ONLY, TMPFS }

    /** ProtectProc=: the hidepid= value of the procfs instance; DEFAULT mounts none. */
    public enum ProtectProc {
        DEFAULT(null), NOACCESS("noaccess"), INVISIBLE("invisible"), PTRACEABLE("ptraceable");

        public final String hidepid;

        ProtectProc(String hidepid) {
            this.hidepid = hidepid;
        }
    }

    /** A path of ReadWritePaths=/ReadOnlyPaths=/InaccessiblePaths=; {@code -PATH} is ignored when missing. */
    public record PathRule(Path path, boolean ignoreMissing) {
        public PathRule {
            if (!path.isAbsolute()) throw new IllegalArgumentException("'" + path + "' is not an absolute path");
            path = path.normalize();
        }
    }

    /** TemporaryFileSystem=PATH[:OPTIONS]: read-only when the options say {@code ro}. */
    public record TemporaryFileSystem(Path path, boolean readOnly, long flags, String data) {
        public TemporaryFileSystem {
            if (!path.isAbsolute()) throw new IllegalArgumentException("'" + path + "' is not an absolute path");
            path = path.normalize();
        }
    }

    /** BindPaths=/BindReadOnlyPaths= [-]SOURCE[:TARGET[:rbind|norbind]]. */
    public record Bind(Path source, Path target, boolean readOnly, boolean recursive, boolean ignoreMissing) {
        public Bind {
            if (!source.isAbsolute() || !target.isAbsolute())
                throw new IllegalArgumentException("bind paths must be absolute: " + source + ":" + target);
            source = source.normalize();
            target = target.normalize();
        }
    }

    /** Whether any of it asks for something (a process without sandboxing takes the cheap spawn path). */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Whether a seccomp filter must be installed: the directives, or a protection with a system call part. */
    public boolean needsSeccomp() {
        return !seccomp.isEmpty() || privateDevices || protectKernelModules || protectKernelLogs || protectClock;
    }

    /** Whether the child needs its own mount namespace and mounts in it. */
    public boolean needsMounts() {
        return protectSystem != ProtectSystem.NO || protectHome != ProtectHome.NO || privateDevices
                || !readWrite.isEmpty() || !readOnly.isEmpty() || !inaccessible.isEmpty()
                || !temporaryFileSystems.isEmpty() || !binds.isEmpty() || protectKernelTunables
                || protectKernelModules || protectKernelLogs || protectControlGroups
                || protectProc != ProtectProc.DEFAULT || procSubset;
    }

    // Capability numbers (capability.h).
    static final int CAP_MKNOD = 27, CAP_SYS_MODULE = 16, CAP_SYS_RAWIO = 17, CAP_SYSLOG = 34, CAP_SYS_TIME = 25,
            CAP_WAKE_ALARM = 35;

    /**
     * The capabilities systemd takes out of the bounding set for these protections: PrivateDevices= the
     * raw-device ones (CAP_MKNOD, CAP_SYS_RAWIO), ProtectKernelModules= CAP_SYS_MODULE, ProtectKernelLogs=
     * CAP_SYSLOG, ProtectClock= CAP_SYS_TIME and CAP_WAKE_ALARM.
     */
    public long droppedCapabilities() {
        long drop = 0;
        if (privateDevices) drop |= bit(CAP_MKNOD) | bit(CAP_SYS_RAWIO);
        if (protectKernelModules) drop |= bit(CAP_SYS_MODULE);
        if (protectKernelLogs) drop |= bit(CAP_SYSLOG);
        if (protectClock) drop |= bit(CAP_SYS_TIME) | bit(CAP_WAKE_ALARM);
        return drop;
    }

    private static long bit(int cap) {
        return 1L << cap;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.protectSystem = protectSystem;
        b.protectHome = protectHome;
        b.privateDevices = privateDevices;
        b.readWrite.addAll(readWrite);
        b.readOnly.addAll(readOnly);
        b.inaccessible.addAll(inaccessible);
        b.temporaryFileSystems.addAll(temporaryFileSystems);
        b.binds.addAll(binds);
        b.protectKernelTunables = protectKernelTunables;
        b.protectKernelModules = protectKernelModules;
        b.protectKernelLogs = protectKernelLogs;
        b.protectControlGroups = protectControlGroups;
        b.protectClock = protectClock;
        b.protectProc = protectProc;
        b.procSubset = procSubset;
        b.seccomp = seccomp.toBuilder();
        return b;
    }

    /** Mutable; the list fields accumulate over repeated directives and an empty value resets them. */
    public static final class Builder {
        public ProtectSystem protectSystem = ProtectSystem.NO;
        public ProtectHome protectHome = ProtectHome.NO;
        public boolean privateDevices;
        public final List<PathRule> readWrite = new ArrayList<>(), readOnly = new ArrayList<>(), inaccessible = new ArrayList<>();
        public final List<TemporaryFileSystem> temporaryFileSystems = new ArrayList<>();
        public final List<Bind> binds = new ArrayList<>();
        public boolean protectKernelTunables, protectKernelModules, protectKernelLogs, protectControlGroups, protectClock;
        public ProtectProc protectProc = ProtectProc.DEFAULT;
        public boolean procSubset;
        public SeccompSettings.Builder seccomp = new SeccompSettings.Builder();

        public Sandbox build() {
            return new Sandbox(protectSystem, protectHome, privateDevices, readWrite, readOnly, inaccessible,
                    temporaryFileSystems, binds, protectKernelTunables, protectKernelModules, protectKernelLogs,
                    protectControlGroups, protectClock, protectProc, procSubset, seccomp.build());
        }
    }
}
