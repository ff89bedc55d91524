package dev.jinit.exec.sandbox;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Mount;
import dev.jinit.linux.Posix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the mounts of a {@link MountPlan} on the spawn thread, after it unshared its mount namespace and
 * before posix_spawn; the child copies the namespace, the thread returns to jinit's own right after.
 *
 * <p>Two phases. {@link #prepare} takes detached copies (open_tree) of everything that will be attached
 * somewhere else, while the host's view is still intact: bind sources, the device nodes a private /dev gets,
 * the empty file that hides files. {@link #apply} then mounts in plan order. Between the first mount and the
 * return to jinit's namespace no class may be loaded (a hidden /root or /home may hold jinit's class path),
 * hence the preloading below and the plain loops.
 */
public final class MountSetup implements AutoCloseable {
    /** The pseudo devices a private /dev holds (systemd.exec(5), PrivateDevices=). */
    static final List<String> DEVICE_NODES = List.of("null", "zero", "full", "random", "urandom", "tty");
    /** The pseudo file systems a private /dev keeps: ptys, POSIX shared memory and message queues. */
    static final List<String> DEVICE_DIRS = List.of("pts", "shm", "mqueue", "hugepages");

    static {
        // Everything apply() may touch, loaded now while the class path is in view.
        Class<?>[] used = {MountStep.Inaccessible.class, MountStep.BindTree.class, MountStep.PrivateDev.class,
                MountStep.Proc.class, MountStep.ReadOnly.class, MountStep.ReadWrite.class, MountStep.Tmpfs.class,
                LinuxException.class, Errno.class, Fd.class, Fs.class, Mount.class, Posix.class, SandboxException.class};
        for (Class<?> c : used) c.getName();
    }

    private final List<MountStep> steps;
    private final Path inaccessibleFile;
    /** Detached trees by step index (bind sources, hiding files). */
    private final Map<Integer, Fd> trees = new HashMap<>();
    /** A private /dev's nodes and directories, by name. */
    private final Map<String, Fd> devices = new HashMap<>();
    private final List<Fd> all = new ArrayList<>();

    private MountSetup(List<MountStep> steps, Path inaccessibleFile) {
        this.steps = steps;
        this.inaccessibleFile = inaccessibleFile;
    }

    /**
     * Phase one, in the thread's new (still unchanged) mount namespace.
     *
     * @param inaccessibleFile an empty mode-0000 file bound over files that must be hidden
     * @throws SandboxException naming the directive's path when a required bind source is missing
     */
    public static MountSetup prepare(List<MountStep> steps, Path inaccessibleFile) {
        MountSetup m = new MountSetup(steps, inaccessibleFile);
        try {
            m.takeCopies();
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private void takeCopies() {
        for (int i = 0; i < steps.size(); i++) {
            switch (steps.get(i)) {
                case MountStep.BindTree b -> {
                    Fd tree = cloneOrNull(b.source().toString(), b.recursive());
                    if (tree == null) {
                        if (!b.ignoreMissing()) throw new SandboxException("bind source " + b.source() + " does not exist");
                        continue;
                    }
                    keep(i, tree);
                    if (b.readOnly()) Mount.setAttributes(tree, Mount.MOUNT_ATTR_RDONLY, 0);
                }
                case MountStep.Inaccessible h -> {
                    if (kind(h.path().toString()) == Kind.FILE) {
                        Fd tree = Mount.cloneTree(inaccessibleFile.toString(), false);
                        keep(i, tree);
                        Mount.setAttributes(tree, Mount.MOUNT_ATTR_RDONLY | Mount.MOUNT_ATTR_NOEXEC
                                | Mount.MOUNT_ATTR_NOSUID | Mount.MOUNT_ATTR_NODEV, 0);
                    }
                }
                case MountStep.PrivateDev d -> {
                    for (String n : DEVICE_NODES) deviceCopy(d.path().resolve(n), n, false);
                    for (String n : DEVICE_DIRS) deviceCopy(d.path().resolve(n), n, true);
                }
                default -> { }
            }
        }
    }

    private void deviceCopy(Path source, String name, boolean recursive) {
        Fd tree = cloneOrNull(source.toString(), recursive);
        if (tree == null) return; // a container may lack /dev/mqueue or /dev/hugepages
        all.add(tree);
        devices.put(name, tree);
    }

    private void keep(int step, Fd tree) {
        all.add(tree);
        trees.put(step, tree);
    }

    private static Fd cloneOrNull(String path, boolean recursive) {
        try {
            return Mount.cloneTree(path, recursive);
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOENT) return null;
            throw e;
        }
    }

    /** Phase two: every step in order. The mounts are private to the thread's namespace. */
    public void apply() {
        // Nothing mounted here may propagate back to jinit's namespace (or anyone else's).
        Mount.mount(null, "/", null, Mount.MS_REC | Mount.MS_PRIVATE, null);
        for (int i = 0; i < steps.size(); i++) {
            MountStep s = steps.get(i);
            try {
                applyStep(i, s);
            } catch (LinuxException e) {
                if (s.ignoreMissing() && (e.errno() == Errno.ENOENT)) continue;
                throw new SandboxException(describe(s) + ": " + e.getMessage());
            }
        }
    }

    private void applyStep(int i, MountStep s) {
        String path = s.path().toString();
        switch (s) {
            case MountStep.ReadOnly r -> {
                // The root is the thread's own copy of the root mount: changed in place. Anything else is
                // bound onto itself first, so that only that subtree changes.
                if (!path.equals("/")) selfBind(path);
                Mount.setAttributes(path, Mount.MOUNT_ATTR_RDONLY, 0);
            }
            case MountStep.ReadWrite w -> {
                selfBind(path);
                Mount.setAttributes(path, 0, Mount.MOUNT_ATTR_RDONLY);
            }
            case MountStep.Inaccessible h -> {
                Fd tree = trees.get(i);
                if (tree != null) {
                    Mount.attach(tree, path);
                } else {
                    kindOrThrow(path);
                    Mount.mount("tmpfs", path, "tmpfs", Mount.MS_RDONLY | Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC,
                            "mode=000");
                }
            }
            case MountStep.Tmpfs t -> Mount.mount("tmpfs", path, "tmpfs", t.flags() | (t.readOnly() ? Mount.MS_RDONLY : 0),
                    t.data().isEmpty() ? null : t.data());
            case MountStep.Proc p -> Mount.mount("proc", path, "proc", Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC,
                    p.options().isEmpty() ? null : p.options());
            case MountStep.BindTree b -> {
                Fd tree = trees.get(i);
                if (tree != null) Mount.attach(tree, path);
            }
            case MountStep.PrivateDev d -> privateDev(path);
        }
    }

    /**
     * A tmpfs on /dev holding copies of the pseudo devices (bind mounts of jinit's own nodes, so no mknod and
     * no CAP_MKNOD) and the links programs expect.
     */
    private void privateDev(String dev) {
        Mount.mount("tmpfs", dev, "tmpfs", Mount.MS_NOSUID | Mount.MS_NOEXEC, "mode=0755");
        for (String n : DEVICE_NODES) {
            Fd tree = devices.get(n);
            if (tree == null) continue;
            String target = dev + "/" + n;
            Posix.open(target, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_CLOEXEC, 0666).close();
            Mount.attach(tree, target);
        }
        for (String n : DEVICE_DIRS) {
            Fd tree = devices.get(n);
            if (tree == null) continue;
            String target = dev + "/" + n;
            Fs.mkdir(target, 0755);
            Mount.attach(tree, target);
        }
        Fs.symlink("pts/ptmx", dev + "/ptmx");
        Fs.symlink("/proc/self/fd", dev + "/fd");
        Fs.symlink("/proc/self/fd/0", dev + "/stdin");
        Fs.symlink("/proc/self/fd/1", dev + "/stdout");
        Fs.symlink("/proc/self/fd/2", dev + "/stderr");
    }

    private static void selfBind(String path) {
        Mount.mount(path, path, null, Mount.MS_BIND | Mount.MS_REC, null);
    }

    enum Kind { DIRECTORY, FILE, MISSING }

    private static Kind kind(String path) {
        try (Fd fd = Posix.open(path, Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0)) {
            return Kind.DIRECTORY;
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENOTDIR) return Kind.FILE;
            if (e.errno() == Errno.ENOENT) return Kind.MISSING;
            throw e;
        }
    }

    private static void kindOrThrow(String path) {
        if (kind(path) == Kind.MISSING) throw new LinuxException("open", path, Errno.ENOENT);
    }

    private static String describe(MountStep s) {
        return switch (s) {
            case MountStep.ReadOnly r -> "read-only " + r.path();
            case MountStep.ReadWrite w -> "writable " + w.path();
            case MountStep.Inaccessible h -> "inaccessible " + h.path();
            case MountStep.Tmpfs t -> "tmpfs on " + t.path();
            case MountStep.Proc p -> "procfs on " + p.path() + (p.options().isEmpty() ? "" : " (" + p.options() + ")");
            case MountStep.BindTree b -> "bind " + b.source() + " on " + b.path();
            case MountStep.PrivateDev d -> "private " + d.path();
        };
    }

    @Override
    public void close() {
        for (Fd fd : all) fd.close();
        all.clear();
    }
}
