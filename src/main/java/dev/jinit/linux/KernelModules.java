package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * finit_module(2), through syscall(2) since glibc has no wrapper. The kernel reads the module from the
 * descriptor itself and, with MODULE_INIT_COMPRESSED_FILE, decompresses .ko.xz/.ko.zst when it was
 * built to (Debian's kernels are).
 */
public final class KernelModules {
    private KernelModules() {}

    static final long SYS_FINIT_MODULE = 313;
    public static final int MODULE_INIT_COMPRESSED_FILE = 4;

    private static final MethodHandle SYSCALL = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            java.lang.foreign.Linker.Option.firstVariadicArg(1));

    /**
     * Loads the module at {@code path}. Returns false when a module of that name is already loaded
     * (EEXIST); throws a {@link LinuxException} naming the file for anything else.
     */
    public static boolean load(String path, String params, boolean compressed) {
        try (Fd fd = Posix.open(path, Posix.O_RDONLY | Posix.O_CLOEXEC, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment st = Native.callState();
            long r = (long) SYSCALL.invokeExact(st, SYS_FINIT_MODULE, fd.get(), arena.allocateFrom(params),
                    compressed ? MODULE_INIT_COMPRESSED_FILE : 0);
            if (r == -1 && Native.errno(st) == Errno.EEXIST) return false;
            Native.check(r, st, "finit_module", path);
            return true;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
