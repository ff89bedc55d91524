package dev.jinit.cli;

import dev.jinit.exec.Namespace;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.sandbox.Sandbox;
import dev.jinit.exec.seccomp.SeccompSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code jinit security UNIT} prints, in the manner of {@code systemd-analyze security}: each protection
 * as jinit applies it to the unit's main process (read from the very {@link ProcessSpec} it would spawn), the
 * protections the unit asks for that jinit does not apply, and an overall exposure from 0.0 (everything on) to
 * 10.0. The weights are jinit's own, coarser than systemd's. Pure.
 */
final class SecurityReport {
    private SecurityReport() {}

    /** One line of the table: whether it is in force, what that means, and what it would weigh when missing. */
    record Check(String name, boolean ok, String description, int weight) {}

    static List<Check> checks(ProcessSpec spec) {
        List<Check> c = new ArrayList<>();
        boolean root = spec.credentials() == null || spec.credentials().uid() == 0;
        c.add(new Check("User=", !root, root ? "Service runs as root" : "Service runs as uid " + spec.credentials().uid(), 4));
        c.add(new Check("NoNewPrivileges=", spec.noNewPrivileges(), spec.noNewPrivileges()
                ? "Service processes cannot acquire new privileges" : "Service processes may acquire new privileges", 2));
        Long bounding = spec.capabilityBoundingSet();
        boolean noSysAdmin = bounding != null && (bounding & (1L << 21)) == 0;
        c.add(new Check("CapabilityBoundingSet=", noSysAdmin, bounding == null ? "Service keeps every capability in its bounding set"
                : Long.bitCount(bounding) + " capabilities kept in the bounding set" + (noSysAdmin ? ", not CAP_SYS_ADMIN" : ", CAP_SYS_ADMIN among them"), 3));
        Sandbox s = spec.sandbox();
        c.add(flag("PrivateTmp=", spec.privateTmp(), "Service has its own /tmp", "Service shares /tmp with the host", 1));
        c.add(flag("PrivateDevices=", s.privateDevices(), "Service sees only pseudo devices", "Service has access to hardware devices", 2));
        c.add(flag("PrivateNetwork=", spec.namespaces().contains(Namespace.NET), "Service has no access to the host's network",
                "Service has access to the host's network", 1));
        c.add(flag("PrivateIPC=", spec.namespaces().contains(Namespace.IPC), "Service has its own IPC namespace",
                "Service shares the host's IPC namespace", 1));
        c.add(flag("PrivateUsers=", spec.namespaces().contains(Namespace.USER), "Service runs in its own user namespace",
                "Service shares the host's user namespace", 1));
        c.add(flag("ProtectHostname=", spec.namespaces().contains(Namespace.UTS), "Service cannot change the host's name",
                "Service may change the host's name", 1));
        c.add(new Check("ProtectSystem=", s.protectSystem() == Sandbox.ProtectSystem.STRICT || s.protectSystem() == Sandbox.ProtectSystem.FULL,
                switch (s.protectSystem()) {
                    case STRICT -> "The whole file system is read-only but /dev, /proc, /sys and the writable paths";
                    case FULL -> "/usr, /boot, /efi and /etc are read-only";
                    case YES -> "/usr, /boot and /efi are read-only, /etc is writable";
                    case NO -> "Service may write to the operating system";
                }, 2));
        c.add(new Check("ProtectHome=", s.protectHome() != Sandbox.ProtectHome.NO,
                s.protectHome() == Sandbox.ProtectHome.NO ? "Service has full access to home directories"
                        : "Home directories are " + s.protectHome().name().toLowerCase(Locale.ROOT).replace('_', '-')
                        .replace("yes", "hidden").replace("tmpfs", "empty tmpfs"), 1));
        c.add(flag("ProtectKernelTunables=", s.protectKernelTunables(), "Kernel variables are read-only", "Service may change kernel variables", 2));
        c.add(flag("ProtectKernelModules=", s.protectKernelModules(), "Service cannot load kernel modules", "Service may load kernel modules", 2));
        c.add(flag("ProtectKernelLogs=", s.protectKernelLogs(), "Service cannot read the kernel log", "Service may read the kernel log", 1));
        c.add(flag("ProtectControlGroups=", s.protectControlGroups(), "Control groups are read-only", "Service may change control groups", 1));
        c.add(flag("ProtectClock=", s.protectClock(), "Service cannot set the clock", "Service may set the clock", 1));
        c.add(flag("ProtectProc=", s.protectProc() != Sandbox.ProtectProc.DEFAULT, "Other users' processes are hidden in /proc",
                "Service sees every process in /proc", 1));

        // The seccomp part is not applied to a unit handed to util-linux unshare (PrivateUsers=): see Preflight.
        boolean filtered = !spec.namespaces().contains(Namespace.USER);
        String unenforced = " (not enforced: PrivateUsers= hands the start to util-linux unshare)";
        SeccompSettings f = s.seccomp();
        String filterText = f.allowList() == null ? "System calls are not filtered"
                : f.allowList() ? "System calls outside an allow-list of " + f.filter().size() + " are refused"
                : f.filter().size() + " system calls are refused";
        c.add(seccomp("SystemCallFilter=", f.allowList() != null, filtered, filterText, unenforced, 3));
        c.add(seccomp("SystemCallArchitectures=", f.nativeOnly(), filtered,
                f.nativeOnly() ? "Only native system calls" : "System calls of other ABIs pass unfiltered", unenforced, 1));
        c.add(seccomp("RestrictAddressFamilies=", f.familiesAllowList() != null, filtered,
                f.familiesAllowList() == null ? "Service may use any socket address family"
                        : (f.familiesAllowList() ? "Only address families " : "All address families but ") + familyNames(f), unenforced, 2));
        c.add(seccomp("RestrictNamespaces=", f.namespacesAllowed() != null, filtered,
                f.namespacesAllowed() == null ? "Service may create namespaces" : "Service may not create the namespaces it is denied", unenforced, 2));
        c.add(seccomp("MemoryDenyWriteExecute=", f.memoryDenyWriteExecute(), filtered,
                f.memoryDenyWriteExecute() ? "No memory is writable and executable" : "Service may map writable and executable memory", unenforced, 1));
        c.add(seccomp("LockPersonality=", f.lockPersonality(), filtered,
                f.lockPersonality() ? "The execution domain is locked" : "Service may change its execution domain", unenforced, 1));
        c.add(seccomp("RestrictRealtime=", f.restrictRealtime(), filtered,
                f.restrictRealtime() ? "No realtime scheduling" : "Service may take realtime scheduling", unenforced, 1));
        c.add(seccomp("RestrictSUIDSGID=", f.restrictSuidSgid(), filtered,
                f.restrictSuidSgid() ? "Service cannot make SUID/SGID files" : "Service may make SUID/SGID files", unenforced, 1));
        return c;
    }

    private static String familyNames(SeccompSettings f) {
        List<String> names = new ArrayList<>();
        for (int n : f.families())
            dev.jinit.exec.seccomp.Names.ADDRESS_FAMILIES.entrySet().stream().filter(e -> e.getValue() == n && !e.getKey().equals("AF_LOCAL"))
                    .findFirst().ifPresent(e -> names.add(e.getKey()));
        return names.isEmpty() ? "(none)" : String.join(" ", names);
    }

    private static Check flag(String name, boolean on, String yes, String no, int weight) {
        return new Check(name, on, on ? yes : no, weight);
    }

    private static Check seccomp(String name, boolean asked, boolean filtered, String text, String unenforced, int weight) {
        return new Check(name, asked && filtered, asked && !filtered ? text + unenforced : text, weight);
    }

    /** 0.0 when everything is in force, 10.0 when nothing is. */
    static double exposure(List<Check> checks) {
        int total = 0, missing = 0;
        for (Check c : checks) {
            total += c.weight();
            if (!c.ok()) missing += c.weight();
        }
        return total == 0 ? 0 : Math.round(100.0 * missing / total) / 10.0;
    }

    /** systemd-analyze's words for an exposure. */
    static String level(double exposure) {
        if (exposure < 0.1) return "PERFECT";
        if (exposure < 2.0) return "SAFE";
        if (exposure < 4.9) return "OK";
        if (exposure < 7.0) return "MEDIUM";
        if (exposure < 9.0) return "EXPOSED";
        return "UNSAFE";
    }

    static String render(String unit, List<Check> checks, List<String> notEnforced) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("  %-27s %s%n", "NAME", "DESCRIPTION"));
        for (Check c : checks) sb.append(String.format("%s %-27s %s%n", c.ok() ? "✓" : "✗", c.name(), c.description()));
        for (String n : notEnforced) sb.append("✗ ").append(n).append('\n');
        double e = exposure(checks);
        sb.append(String.format(Locale.ROOT, "%n→ Overall exposure level for %s: %.1f %s%n", unit, e, level(e)));
        return sb.toString();
    }
}
