package dev.jinit.exec;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cgroup v2 hierarchy: where it is mounted, and the few operations a supervisor needs on a
 * group (create, place a process, list, kill, remove). cgroup2 is usually at /sys/fs/cgroup, but
 * hybrid systems mount it at /sys/fs/cgroup/unified, so the mount is found in mountinfo.
 *
 * @param mount the cgroup2 mount point
 */
public record Cgroups(Path mount) {

    /** The cgroup2 mount of this process's mount namespace, if any. */
    public static Optional<Cgroups> find() {
        return findMount(Path.of("/proc")).map(Cgroups::new);
    }

    /**
     * The cgroup2 mount point listed in {@code <procRoot>/self/mountinfo} (tests pass a fake /proc).
     * The one mountinfo reader for cgroup2: Slice= and the cgroup of a spec resolve alike.
     *
     * @throws UncheckedIOException naming the file when it cannot be read
     */
    static Optional<Path> findMount(Path procRoot) {
        Path mountinfo = procRoot.resolve("self/mountinfo");
        try {
            return findMount(Files.readAllLines(mountinfo, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mountinfo + ": " + e.getMessage(), e);
        }
    }

    /**
     * The cgroup2 mount point in mountinfo lines: /sys/fs/cgroup when cgroup2 is mounted there,
     * else the first cgroup2 mount listed.
     */
    static Optional<Path> findMount(List<String> mountinfo) {
        Path first = null;
        for (String line : mountinfo) {
            // "36 35 98:0 /root /mnt opts optional-fields - fstype source superopts"
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            // six fields come before the optional ones and the "-" separator
            if (dash < 6 || dash + 1 >= fields.length || !fields[dash + 1].equals("cgroup2"))
                continue;
            Path mountPoint = Path.of(unescape(fields[4]));
            if (mountPoint.equals(Path.of("/sys/fs/cgroup"))) return Optional.of(mountPoint);
            if (first == null) first = mountPoint;
        }
        return Optional.ofNullable(first);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }

    /**
     * The directory of a group: a relative path is taken under the mount, an absolute one must lie
     * inside it. {@code ..} is refused so that a unit cannot name a group outside its place.
     * @throws IllegalArgumentException naming the path
     */
    public Path resolve(Path group) {
        for (Path part : group) if (part.toString().equals("..")) throw new IllegalArgumentException(
                "cgroup " + group + ": '..' is not allowed");
        Path dir = group.isAbsolute() ? group.normalize() : mount.resolve(group).normalize();
        if (!dir.startsWith(mount))
            throw new IllegalArgumentException("cgroup " + group + " is not inside the cgroup2 mount " + mount);
        return dir;
    }

    /** Creates the group (and missing parents) when absent; returns its directory. */
    public Path create(Path group) {
        Path dir = resolve(group);
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; !p.equals(mount) && !Files.isDirectory(p); p = p.getParent()) missing.addFirst(p);
        for (Path p : missing) Fs.mkdir(p.toString(), 0755);
        return dir;
    }

    /** Moves a process into the group, creating the group when missing. */
    public void place(Path group, int pid) {
        Path procs = resolve(group).resolve("cgroup.procs");
        try {
            // The group is usually there (the unit's scope made it): one open and one write.
            writeFile(procs, Integer.toString(pid));
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) throw e;
            create(group);
            writeFile(procs, Integer.toString(pid));
        }
    }

    /** The pids directly in the group (not in its children). */
    public List<Integer> procs(Path group) {
        Path procs = resolve(group).resolve("cgroup.procs");
        try {
            List<Integer> pids = new ArrayList<>();
            for (String line : Files.readAllLines(procs)) if (!line.isBlank()) pids.add(Integer.parseInt(line.trim()));
            return pids;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + procs, e);
        }
    }

    /** The pids in the group and all its descendants. */
    public List<Integer> allProcs(Path group) {
        List<Integer> pids = new ArrayList<>();
        for (Path dir : tree(resolve(group))) pids.addAll(procs(dir));
        return pids;
    }

    /**
     * SIGKILLs every process in the group and its descendants. Uses cgroup.kill (Linux 5.14+), which
     * the kernel applies atomically, forks included; on older kernels the group is frozen first so
     * that nothing can fork between listing and killing, then thawed so the kills are delivered.
     */
    public void kill(Path group) {
        Path dir = resolve(group);
        if (!Files.isDirectory(dir)) return;
        Path killFile = dir.resolve("cgroup.kill");
        if (Files.exists(killFile)) {
            writeFile(killFile, "1");
            return;
        }
        Path freeze = dir.resolve("cgroup.freeze");
        boolean frozen = Files.exists(freeze);
        if (frozen) writeFile(freeze, "1");
        try {
            for (int pid : allProcs(dir)) Posix.kill(pid, Signals.SIGKILL);
        } finally {
            if (frozen) writeFile(freeze, "0");
        }
    }

    /**
     * Removes the group and its descendants, deepest first. Fails with EBUSY while processes are
     * still in it: kill it and wait for them to be reaped first. A missing group is not an error.
     */
    public void remove(Path group) {
        Path dir = resolve(group);
        if (dir.equals(mount)) throw new IllegalArgumentException("refusing to remove the cgroup2 root " + mount);
        List<Path> dirs = tree(dir);
        for (Path p : dirs.reversed()) {
            try {
                Fs.rmdir(p.toString());
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENOENT) throw e;
            }
        }
    }

    /** The group and its descendant groups, parents before children; empty when it does not exist. */
    private static List<Path> tree(Path dir) {
        // Most groups have no children (cgroup.stat says so): one small read instead of a stat of
        // every control file in the directory.
        int descendants = descendants(dir);
        if (descendants == 0) return List.of(dir);
        if (descendants < 0 && !Files.isDirectory(dir)) return List.of();
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list cgroup " + dir, e);
        }
    }

    /**
     * nr_descendants from the group's cgroup.stat: 0 for a group without children, -1 when the
     * file cannot be read (no group there, or no such line).
     */
    private static int descendants(Path dir) {
        byte[] stat;
        try {
            stat = Files.readAllBytes(dir.resolve("cgroup.stat"));
        } catch (IOException e) {
            return -1;
        }
        String text = new String(stat, StandardCharsets.US_ASCII);
        int at = text.startsWith("nr_descendants ") ? 0 : text.indexOf("\nnr_descendants ") + 1;
        if (at <= 0 && !text.startsWith("nr_descendants ")) return -1;
        int from = at + "nr_descendants ".length();
        int end = from;
        while (end < text.length() && Character.isDigit(text.charAt(end))) end++;
        return end == from ? -1 : Integer.parseInt(text, from, end, 10);
    }

    /** Writes a cgroup control file in one write(2), so the kernel's error reaches us as an errno. */
    private static void writeFile(Path file, String value) {
        try (Fd fd = Posix.open(file.toString(), Posix.O_WRONLY | Posix.O_CLOEXEC, 0)) {
            try {
                Posix.writeFully(fd.get(), value.getBytes(StandardCharsets.US_ASCII));
            } catch (LinuxException e) {
                throw new LinuxException("write", file + " " + value, e.errno());
            }
        }
    }
}
