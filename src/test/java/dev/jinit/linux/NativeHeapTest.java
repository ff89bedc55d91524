package dev.jinit.linux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
    /** glibc (this machine's and CI's C library) keeps freed small blocks; malloc_trim hands them back. */
    @Test
    void freedNativeMemoryIsReturnedToTheKernel() {
        assertTrue(NativeHeap.available(), "glibc has malloc_trim");
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 8192; i++) blocks.add(arena.allocate(4096).fill((byte) 1)); // 32 MiB, below mmap's threshold
        }
        assertTrue(NativeHeap.trim(), "malloc_trim released the 32 MiB just freed");
    }
}
