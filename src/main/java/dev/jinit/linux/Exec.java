package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * execve(2) of the calling process: the whole JVM is replaced (the kernel ends every other thread at
 * execve), its pid, children, cgroup and every descriptor without FD_CLOEXEC stay. For
 * {@code jinit daemon-reexec}: no fork, so the units stay jinit's children.
 */
public final class Exec {
    private Exec() {}

    private static final MethodHandle EXECVE = Native.errnoCall("execve",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    /**
     * Replaces this process with {@code path}; returns only by throwing (naming the errno: ENOENT,
     * E2BIG, ENOMEM), in which case this process goes on unchanged.
     *
     * @param argv the arguments, argv[0] included, as raw bytes (no charset guess on a command line)
     * @param envp "NAME=value" entries as raw bytes
     */
    public static void execve(String path, List<byte[]> argv, List<byte[]> envp) {
        // Global: this memory must stay valid until the kernel copied it; when execve fails it leaks a little.
        Arena arena = Arena.global();
        MemorySegment file = arena.allocateFrom(path);
        MemorySegment args = strings(arena, argv);
        MemorySegment env = strings(arena, envp);
        try {
            MemorySegment st = Native.callState();
            int rc = (int) EXECVE.invokeExact(st, file, args, env);
            Native.check(rc, st, "execve", path);
            throw new IllegalStateException("execve " + path + " returned " + rc);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment strings(Arena arena, List<byte[]> items) {
        MemorySegment array = arena.allocate(ADDRESS, items.size() + 1L);
        for (int i = 0; i < items.size(); i++) {
            byte[] b = items.get(i);
            MemorySegment s = arena.allocate(b.length + 1L);
            MemorySegment.copy(b, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b.length, (byte) 0);
            array.setAtIndex(ADDRESS, i, s);
        }
        array.setAtIndex(ADDRESS, items.size(), MemorySegment.NULL);
        return array;
    }
}
