package dev.jinit.boot;

import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The API filesystems every program expects, mounted where the kernel (or a container runtime) has
 * not mounted them yet. The set and options are systemd's (mount-setup.c): devtmpfs so device nodes
 * appear by themselves, devpts for terminals (the console shell, ssh), tmpfs on /run and /dev/shm,
 * cgroup2 so units get their own groups.
 */
public final class EarlyMounts {
    private EarlyMounts() {}

    /** One filesystem to have mounted; listed so each one's parent comes first. */
    public record Wanted(String type, String source, String target, long flags, String data) {}

    private static final long NOSUID = Mount.MS_NOSUID, NODEV = Mount.MS_NODEV, NOEXEC = Mount.MS_NOEXEC;

    public static final Wanted PROC = new Wanted("proc", "proc", "/proc", NOSUID | NODEV | NOEXEC, null);
    public static final List<Wanted> AFTER_PROC = List.of(
            new Wanted("sysfs", "sysfs", "/sys", NOSUID | NODEV | NOEXEC, null),
            new Wanted("devtmpfs", "devtmpfs", "/dev", NOSUID, "mode=0755"),
            new Wanted("devpts", "devpts", "/dev/pts", NOSUID | NOEXEC, "gid=5,mode=0620,ptmxmode=0666"),
            new Wanted("tmpfs", "tmpfs", "/dev/shm", NOSUID | NODEV, "mode=1777"),
            new Wanted("tmpfs", "tmpfs", "/run", NOSUID | NODEV, "mode=0755"),
            new Wanted("cgroup2", "cgroup2", "/sys/fs/cgroup", NOSUID | NODEV | NOEXEC, null));

    /** The mount table file, readable once proc is mounted. */
    public static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * Mounts what is missing and reports each filesystem on the console. Failures are reported and
     * skipped: a machine without cgroup2 still boots.
     *
     * @return the mount points jinit mounted itself, in the order it mounted them
     */
    public static List<String> mountMissing(BootConsole console) {
        List<String> mounted = new ArrayList<>();
        if (!Files.isReadable(MOUNTINFO)) {
            if (mount(PROC, console)) mounted.add(PROC.target());
        } else {
            console.line("proc already mounted on /proc");
        }
        MountTable table;
        try {
            table = MountTable.parse(Files.readString(MOUNTINFO));
        } catch (IOException | IllegalArgumentException e) {
            console.line("cannot read " + MOUNTINFO + " (" + e.getMessage() + "); mounting everything");
            table = new MountTable(List.of());
        }
        for (Wanted w : AFTER_PROC) {
            var present = table.at(w.target());
            if (present.isPresent()) {
                console.line(w.target() + " already mounted (" + present.get().type() + ")");
                continue;
            }
            if (mount(w, console)) mounted.add(w.target());
        }
        return mounted;
    }

    /** Mounts one filesystem, creating its mount point; false (reported) when that fails. */
    static boolean mount(Wanted w, BootConsole console) {
        try {
            Files.createDirectories(Path.of(w.target()));
            Mount.mount(w.source(), w.target(), w.type(), w.flags(), w.data());
            console.line("mounted " + w.type() + " on " + w.target());
            return true;
        } catch (IOException | LinuxException e) {
            console.line("cannot mount " + w.type() + " on " + w.target() + ": " + e.getMessage());
            return false;
        }
    }
}
