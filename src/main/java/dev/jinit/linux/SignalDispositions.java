package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Signal dispositions jinit inherited. A signal ignored by whoever started jinit (a shell's
 * background job ignores SIGINT and SIGQUIT, nohup ignores SIGHUP) stays ignored in the JVM: its
 * {@code Signal.handle} then quietly installs nothing for SIGINT, SIGTERM and SIGHUP, and jinit
 * would neither forward nor act on them. jinit defines what these signals mean, so it puts the
 * ones it handles back to their default before installing its handlers.
 */
public final class SignalDispositions {
    private SignalDispositions() {}

    /** glibc's struct sigaction on x86_64: handler (8), sa_mask (128), flags (4), restorer (8). */
    private static final long SIGACTION_SIZE = 152;
    private static final long SIG_IGN = 1;

    private static final MethodHandle SIGACTION = Native.errnoCall("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGNAL = Native.errnoCall("signal",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));

    /** Whether {@code signal} is currently ignored (SIG_IGN) in this process. */
    public static boolean isIgnored(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
            MemorySegment st = Native.callState();
            Native.check((int) SIGACTION.invokeExact(st, signal, MemorySegment.NULL, old), st, "sigaction", Signals.name(signal));
            return old.get(JAVA_LONG, 0) == SIG_IGN;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sets an ignored {@code signal} back to its default disposition; leaves a handled one alone. */
    public static void unignore(int signal) {
        if (!isIgnored(signal)) return;
        try {
            MemorySegment st = Native.callState();
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(st, signal, MemorySegment.NULL);
            if (previous.address() == -1L) throw new LinuxException("signal", Signals.name(signal) + " SIG_DFL", Native.errno(st));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
