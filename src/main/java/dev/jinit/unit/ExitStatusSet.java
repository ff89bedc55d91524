package dev.jinit.unit;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import java.util.BitSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of exit codes (0–255) and signals, as in {@code SuccessExitStatus=}, {@code RestartPreventExitStatus=}
 * and {@code RestartForceExitStatus=}: {@code "1 2 8 SIGKILL TERM"}.
 */
public record ExitStatusSet(Set<Integer> codes, Set<Integer> signals) {
    public static final ExitStatusSet EMPTY = new ExitStatusSet(Set.of(), Set.of());

    public ExitStatusSet {
        codes = Set.copyOf(new TreeSet<>(codes));
        signals = Set.copyOf(new TreeSet<>(signals));
        for (int c : codes) if (c < 0 || c > 255) throw new BadValueException("exit status " + c + " is not in 0..255");
    }

    /** The words of {@code value}: space-separated exit codes (0..255) and signal names. */
    public static ExitStatusSet parse(String value) {
        return EMPTY.plus(value);
    }

    /** This set plus the words of {@code value} (space-separated numbers and signal names). */
    public ExitStatusSet plus(String value) {
        BitSet c = new BitSet(), sig = new BitSet();
        codes.forEach(c::set);
        signals.forEach(sig::set);
        for (String w : value.strip().split("[\\s]+")) {
            if (w.isEmpty()) continue;
            if (w.chars().allMatch(Character::isDigit)) {
                int code;
                try {
                    code = Integer.parseInt(w);
                } catch (NumberFormatException e) {
                    code = -1;
                }
                if (code < 0 || code > 255) throw new BadValueException("exit status " + w + " is not in 0..255");
                c.set(code);
            } else {
                try {
                    sig.set(Signals.parse(w));
                } catch (IllegalArgumentException e) {
                    throw new BadValueException("not an exit status or signal name: " + w);
                }
            }
        }
        return new ExitStatusSet(c.stream().boxed().collect(java.util.stream.Collectors.toSet()),
                sig.stream().boxed().collect(java.util.stream.Collectors.toSet()));
    }

    public boolean contains(ExitStatus status) {
        return status.isSignal() ? signals.contains(status.signal()) : codes.contains(status.code());
    }

    /**
     * Whether an exit is clean with this set as {@code SuccessExitStatus=}. A daemon stopped by SIGHUP, SIGINT,
     * SIGTERM or SIGPIPE did what it was asked; a oneshot command is clean only with status 0 (systemd's
     * EXIT_CLEAN_DAEMON versus EXIT_CLEAN_COMMAND). The set adds codes and signals to both.
     */
    public boolean isClean(ExitStatus status, boolean daemon) {
        if (contains(status)) return true;
        if (!status.isSignal()) return status.code() == 0;
        if (!daemon) return false;
        int s = status.signal();
        return s == Signals.SIGHUP || s == Signals.SIGINT || s == Signals.SIGTERM || s == Signals.SIGPIPE;
    }

    public boolean isEmpty() {
        return codes.isEmpty() && signals.isEmpty();
    }
}
