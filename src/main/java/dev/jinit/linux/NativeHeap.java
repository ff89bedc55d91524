package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C library's heap. A JVM frees native memory (the compiler's arenas, buffers of threads that
 * ended) into malloc's free lists, where glibc keeps it resident; {@code malloc_trim(3)} gives the free
 * pages back to the kernel. jinit calls it once after its startup burst (not periodically: the JVM's
 * own trimmer, {@code -XX:TrimNativeHeapInterval}, wakes at every safepoint).
 */
public final class NativeHeap {
    private NativeHeap() {}

    /** Absent when the C library has no malloc_trim (musl): trimming is then simply not done. */
    private static final Optional<MethodHandle> MALLOC_TRIM = Native.LIBC.find("malloc_trim")
            .map(s -> Native.LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT, JAVA_LONG)));

    /**
     * Returns free heap memory to the kernel.
     *
     * @return true when the C library released some memory, false when it released none or cannot trim
     */
    public static boolean trim() {
        if (MALLOC_TRIM.isEmpty()) return false;
        try {
            return (int) MALLOC_TRIM.get().invokeExact(0L) != 0;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Whether this C library can trim its heap. */
    public static boolean available() {
        return MALLOC_TRIM.isPresent();
    }
}
