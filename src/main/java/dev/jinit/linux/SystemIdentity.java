package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/** sethostname(2) (of the caller's UTS namespace). */
public final class SystemIdentity {
    private SystemIdentity() {}

    private static final MethodHandle SETHOSTNAME = Native.errnoCall("sethostname",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    public static void setHostname(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment st = Native.callState();
            Native.check((int) SETHOSTNAME.invokeExact(st, buf, (long) bytes.length), st, "sethostname", name);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
