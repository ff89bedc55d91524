package dev.jinit.exec;

import dev.jinit.linux.Signals;

/** How a process ended: an exit code, or the signal that killed it (and whether it dumped core). */
public record ExitStatus(int code, int signal, boolean coreDumped) {
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean coreDumped) {
        return new ExitStatus(0, signal, coreDumped);
    }

    public boolean isSignal() {
        return signal != 0;
    }

    /** The shell's convention: the exit code, or 128+N for a death by signal N. */
    public int shellCode() {
        return isSignal() ? 128 + signal : code;
    }

    @Override
    public String toString() {
        return isSignal() ? "killed by " + Signals.name(signal) + (coreDumped ? " (core dumped)" : "")
                : "exited with status " + code;
    }
}
