package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * reboot(2) through glibc's one-argument wrapper (it adds the magic numbers), and sync(2).
 *
 * <p>In a child PID namespace, RESTART/POWER_OFF/HALT do not touch the machine: the kernel ends the
 * namespace's init as if killed by SIGHUP (restart) or SIGINT (power off, halt), which is how a test of
 * {@code jinit boot} sees the shutdown complete. CAD_OFF there fails with EINVAL (harmless).
 */
public final class Reboot {
    private Reboot() {}

    public static final int CMD_RESTART = 0x01234567, CMD_HALT = 0xCDEF0123, CMD_POWER_OFF = 0x4321FEDC,
            CMD_CAD_ON = 0x89ABCDEF, CMD_CAD_OFF = 0x00000000;

    private static final MethodHandle REBOOT = Native.errnoCall("reboot", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SYNC = Native.call("sync", FunctionDescriptor.ofVoid());

    /** reboot(cmd); returns only when the call failed or, for CAD_ON/CAD_OFF, succeeded. */
    public static void reboot(int cmd) {
        try {
            MemorySegment st = Native.callState();
            Native.check((int) REBOOT.invokeExact(st, cmd), st, "reboot", "0x" + Integer.toHexString(cmd));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** sync(2): every dirty page of every filesystem written out. */
    public static void sync() {
        try {
            SYNC.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
