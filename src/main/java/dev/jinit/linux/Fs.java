package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * File-system calls on paths and on the calling thread's fs state (root, cwd, umask). The fs state
 * is shared by every thread of the process until a thread calls {@code unshare(CLONE_FS)}: only a
 * throwaway thread that has done so may chroot, chdir or change its umask.
 */
public final class Fs {
    private Fs() {}

    public static final int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

    private static final MethodHandle CHROOT = Native.errnoCall("chroot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle CHDIR = Native.errnoCall("chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FCHDIR = Native.errnoCall("fchdir", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MKDIR = Native.errnoCall("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RMDIR = Native.errnoCall("rmdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle UMASK = Native.call("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MKFIFO = Native.errnoCall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CHOWN = Native.errnoCall("chown",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLINK = Native.errnoCall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SYMLINK = Native.errnoCall("symlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ACCESS = Native.errnoCall("access", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    /** symlink(target, linkPath). */
    public static void symlink(String target, String linkPath) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            Native.check((int) SYMLINK.invokeExact(st, arena.allocateFrom(target), arena.allocateFrom(linkPath)), st, "symlink", linkPath);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void chroot(String path) {
        pathCall(CHROOT, "chroot", path);
    }

    public static void chdir(String path) {
        pathCall(CHDIR, "chdir", path);
    }

    public static void fchdir(int fd) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) FCHDIR.invokeExact(st, fd), st, "fchdir", fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** mkdir(2); returns false when the path already exists (EEXIST). */
    public static boolean mkdir(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int r = (int) MKDIR.invokeExact(st, arena.allocateFrom(path), mode);
            if (r == -1 && Native.errno(st) == Errno.EEXIST) return false;
            Native.check(r, st, "mkdir", path);
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void rmdir(String path) {
        pathCall(RMDIR, "rmdir", path);
    }

    public static void unlink(String path) {
        pathCall(UNLINK, "unlink", path);
    }

    /** umask(2): sets the calling thread's (fs state's) mask, returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            Native.check((int) MKFIFO.invokeExact(st, arena.allocateFrom(path), mode), st, "mkfifo", path);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void chown(String path, int uid, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            Native.check((int) CHOWN.invokeExact(st, arena.allocateFrom(path), uid, gid), st, "chown",
                    path + " " + uid + ":" + gid);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * access(2) as the calling thread's REAL uid and gid, which is how a child that will run as
     * those ids sees the path. Returns 0 when allowed, else the errno.
     */
    public static int access(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            int r = (int) ACCESS.invokeExact(st, arena.allocateFrom(path), mode);
            return r == 0 ? 0 : Native.errno(st);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void pathCall(MethodHandle handle, String name, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            Native.check((int) handle.invokeExact(st, arena.allocateFrom(path)), st, name, path);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
