package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * mount(2) and umount2(2), and the new mount API the sandbox needs (Linux 5.12+): open_tree(2) to take a
 * detached copy of a file or tree before anything is mounted over it, move_mount(2) to attach it, and
 * mount_setattr(2) to make a whole tree read-only (or writable again) in one call.
 */
public final class Mount {
    private Mount() {}

    // x86_64 system call numbers (glibc 2.36 has no wrappers for these).
    static final long SYS_OPEN_TREE = 428, SYS_MOVE_MOUNT = 429, SYS_MOUNT_SETATTR = 442;
    public static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000,
            OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 02000000, MOVE_MOUNT_F_EMPTY_PATH = 4;
    public static final long MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4, MOUNT_ATTR_NOEXEC = 8;

    private static final MethodHandle SYSCALL_OPEN_TREE = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_MOVE_MOUNT = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_MOUNT_SETATTR = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19,
            MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    private static final MethodHandle MOUNT = Native.errnoCall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = Native.errnoCall("umount2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /** mount(source, target, type, flags, data); null strings are passed as NULL. */
    public static void mount(String source, String target, String type, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int r = (int) MOUNT.invokeExact(st, str(arena, source), arena.allocateFrom(target), str(arena, type), flags,
                    str(arena, data));
            Native.check(r, st, "mount", (type == null ? "" : type + " ") + target);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void umount(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            Native.check((int) UMOUNT2.invokeExact(st, arena.allocateFrom(target), flags), st, "umount2", target);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC [| AT_RECURSIVE]): a detached bind mount
     * of {@code path} (a file or a directory, with its submounts when recursive), owned by the returned fd.
     */
    public static Fd cloneTree(String path, boolean recursive) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            long flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
            long fd = (long) SYSCALL_OPEN_TREE.invokeExact(st, SYS_OPEN_TREE, (long) AT_FDCWD, arena.allocateFrom(path), flags);
            return Fd.adopt((int) Native.check(fd, st, "open_tree", path));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches a detached tree at {@code target}. */
    public static void attach(Fd tree, String target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL_MOVE_MOUNT.invokeExact(st, SYS_MOVE_MOUNT, (long) tree.get(), arena.allocateFrom(""),
                    (long) AT_FDCWD, arena.allocateFrom(target), (long) MOVE_MOUNT_F_EMPTY_PATH);
            Native.check(r, st, "move_mount", target);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** mount_setattr(AT_FDCWD, path, AT_RECURSIVE, {set, clear}): changes the mount at {@code path} and all below it. */
    public static void setAttributes(String path, long set, long clear) {
        setAttributes(AT_FDCWD, path, AT_RECURSIVE, set, clear);
    }

    /** mount_setattr on a detached tree owned by {@code tree} (AT_EMPTY_PATH), recursively. */
    public static void setAttributes(Fd tree, long set, long clear) {
        setAttributes(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, set, clear);
    }

    private static void setAttributes(int dirFd, String path, int flags, long set, long clear) {
        try (Arena arena = Arena.ofConfined()) {
            // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
            MemorySegment attr = arena.allocate(32, 8);
            attr.set(JAVA_LONG, 0, set);
            attr.set(JAVA_LONG, 8, clear);
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL_MOUNT_SETATTR.invokeExact(st, SYS_MOUNT_SETATTR, (long) dirFd, arena.allocateFrom(path),
                    (long) flags, attr, 32L);
            Native.check(r, st, "mount_setattr", path.isEmpty() ? "fd " + dirFd : path);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment str(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
