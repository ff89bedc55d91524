package dev.jinit.exec.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a {@link Sandbox} into the ordered mounts that build the child's view of the file system. Pure: the
 * order is what makes it right, so it is tested on its own.
 *
 * <p>Parents come before their children (a read-only {@code /} first, then {@code /dev} writable again under
 * ProtectSystem=strict), and of two steps on one path only the more restrictive is kept. The paths are those
 * of systemd.exec(5) for each protection.
 */
public final class MountPlan {
    private MountPlan() {}

    static final List<String> PROTECT_SYSTEM_YES = List.of("/usr", "/boot", "/efi");
    /** ProtectKernelTunables=: kernel variables read-only (the files and directories systemd lists). */
    static final List<String> KERNEL_TUNABLES_READ_ONLY = List.of("/proc/acpi", "/proc/apm", "/proc/asound",
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/latency_stats", "/proc/mtrr", "/proc/scsi", "/proc/sys",
            "/proc/sysrq-trigger", "/proc/timer_list", "/proc/timer_stats", "/sys", "/sys/fs/bpf", "/sys/kernel/debug",
            "/sys/kernel/tracing");
    static final List<String> KERNEL_TUNABLES_HIDDEN = List.of("/proc/kallsyms", "/proc/kcore");
    static final List<String> KERNEL_MODULES_HIDDEN = List.of("/lib/modules", "/usr/lib/modules");
    static final List<String> KERNEL_LOGS_HIDDEN = List.of("/proc/kmsg", "/dev/kmsg");
    static final List<String> HOMES = List.of("/home", "/root", "/run/user");

    /** Tmpfs flags (mount(2) MS_*). */
    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

    /**
     * The steps for {@code sandbox}, for a child whose root is {@code root} (RootDirectory=, or null for /):
     * targets lie under it, bind sources stay host paths as in systemd.
     */
    public static List<MountStep> of(Sandbox sandbox, Path root) {
        List<MountStep> steps = new ArrayList<>();
        switch (sandbox.protectSystem()) {
            case NO -> { }
            case YES, FULL -> {
                for (String p : PROTECT_SYSTEM_YES) steps.add(new MountStep.ReadOnly(Path.of(p), !p.equals("/usr")));
                if (sandbox.protectSystem() == Sandbox.ProtectSystem.FULL) steps.add(new MountStep.ReadOnly(Path.of("/etc"), false));
            }
            case STRICT -> {
                // Everything read-only but the API file systems (systemd.exec(5)).
                steps.add(new MountStep.ReadOnly(Path.of("/"), false));
                for (String api : List.of("/dev", "/proc", "/sys"))
                    steps.add(new MountStep.ReadWrite(Path.of(api), true, true));
            }
        }
        for (String home : HOMES) {
            Path p = Path.of(home);
            switch (sandbox.protectHome()) {
                case NO -> { }
                case YES -> steps.add(new MountStep.Inaccessible(p, true));
                case READ_ONLY -> steps.add(new MountStep.ReadOnly(p, true));
                case TMPFS -> steps.add(new MountStep.Tmpfs(p, true, MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755", true));
            }
        }
        if (sandbox.privateDevices()) steps.add(new MountStep.PrivateDev(Path.of("/dev")));
        if (sandbox.protectProc() != Sandbox.ProtectProc.DEFAULT || sandbox.procSubset()) {
            List<String> options = new ArrayList<>();
            if (sandbox.protectProc().hidepid != null) options.add("hidepid=" + sandbox.protectProc().hidepid);
            if (sandbox.procSubset()) options.add("subset=pid");
            steps.add(new MountStep.Proc(Path.of("/proc"), String.join(",", options)));
        }
        if (sandbox.protectKernelTunables()) {
            for (String p : KERNEL_TUNABLES_READ_ONLY) steps.add(new MountStep.ReadOnly(Path.of(p), true));
            for (String p : KERNEL_TUNABLES_HIDDEN) steps.add(new MountStep.Inaccessible(Path.of(p), true));
        }
        if (sandbox.protectKernelModules())
            for (String p : KERNEL_MODULES_HIDDEN) steps.add(new MountStep.Inaccessible(Path.of(p), true));
        if (sandbox.protectKernelLogs())
            for (String p : KERNEL_LOGS_HIDDEN) steps.add(new MountStep.Inaccessible(Path.of(p), true));
        if (sandbox.protectControlGroups()) steps.add(new MountStep.ReadOnly(Path.of("/sys/fs/cgroup"), true));
        for (Sandbox.PathRule r : sandbox.readWrite()) steps.add(new MountStep.ReadWrite(r.path(), r.ignoreMissing(), false));
        for (Sandbox.PathRule r : sandbox.readOnly()) steps.add(new MountStep.ReadOnly(r.path(), r.ignoreMissing()));
        for (Sandbox.PathRule r : sandbox.inaccessible()) steps.add(new MountStep.Inaccessible(r.path(), r.ignoreMissing()));
        for (Sandbox.TemporaryFileSystem t : sandbox.temporaryFileSystems())
            steps.add(new MountStep.Tmpfs(t.path(), t.readOnly(), t.flags(), t.data(), false));
        for (Sandbox.Bind b : sandbox.binds())
            steps.add(new MountStep.BindTree(b.source(), b.target(), b.readOnly(), b.recursive(), b.ignoreMissing()));

        steps.sort(Comparator.comparing(MountStep::path, MountPlan::compareComponents).thenComparingInt(MountStep::rank));
        List<MountStep> out = new ArrayList<>();
        for (MountStep s : steps) {
            if (!out.isEmpty() && out.getLast().path().equals(s.path())) continue; // the more restrictive one is kept
            out.add(root == null ? s : under(root, s));
        }
        return List.copyOf(out);
    }

    /** Component by component, so that a directory sorts right before everything below it. */
    static int compareComponents(Path a, Path b) {
        int n = Math.min(a.getNameCount(), b.getNameCount());
        for (int i = 0; i < n; i++) {
            int c = a.getName(i).toString().compareTo(b.getName(i).toString());
            if (c != 0) return c;
        }
        return Integer.compare(a.getNameCount(), b.getNameCount());
    }

    private static MountStep under(Path root, MountStep s) {
        Path p = s.path().getNameCount() == 0 ? root : root.resolve(s.path().toString().substring(1));
        return switch (s) {
            case MountStep.Inaccessible i -> new MountStep.Inaccessible(p, i.ignoreMissing());
            case MountStep.BindTree b -> new MountStep.BindTree(b.source(), p, b.readOnly(), b.recursive(), b.ignoreMissing());
            case MountStep.PrivateDev d -> new MountStep.PrivateDev(p);
            case MountStep.Proc pr -> new MountStep.Proc(p, pr.options());
            case MountStep.ReadOnly r -> new MountStep.ReadOnly(p, r.ignoreMissing());
            case MountStep.ReadWrite w -> new MountStep.ReadWrite(p, w.ignoreMissing(), w.implicit());
            case MountStep.Tmpfs t -> new MountStep.Tmpfs(p, t.readOnly(), t.flags(), t.data(), t.ignoreMissing());
        };
    }
}
