package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** mount(2) and umount2(2). */
public final class Mount {
    private Mount() {}

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

    private static MemorySegment str(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
