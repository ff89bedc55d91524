package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of exit codes and signals, as {@code SuccessExitStatus=}, {@code RestartPreventExitStatus=}
 * and {@code RestartForceExitStatus=} list them ({@code 1 2 SIGUSR1 TERM}).
 */
public record ExitStatusSet(Set<Integer> codes, Set<Integer> signals) {
    public static final ExitStatusSet EMPTY = new ExitStatusSet(Set.of(), Set.of());

    public ExitStatusSet {
        codes = Set.copyOf(codes);
        signals = Set.copyOf(signals);
        for (int c : codes) if (c < 0 || c > 255) throw new IllegalArgumentException("exit status out of range 0..255: " + c);
    }

    public boolean contains(ExitStatus status) {
        return status.isSignal() ? signals.contains(status.signal()) : codes.contains(status.code());
    }

    public boolean isEmpty() {
        return codes.isEmpty() && signals.isEmpty();
    }

    /** The union, for a directive given several times. */
    public ExitStatusSet plus(ExitStatusSet other) {
        Set<Integer> c = new TreeSet<>(codes);
        c.addAll(other.codes);
        Set<Integer> s = new TreeSet<>(signals);
        s.addAll(other.signals);
        return new ExitStatusSet(c, s);
    }

    /**
     * Parses a space-separated list of exit codes (0..255) and signal names.
     * @throws IllegalArgumentException naming the word that is neither
     */
    public static ExitStatusSet parse(String value) {
        Set<Integer> c = new TreeSet<>();
        Set<Integer> s = new TreeSet<>();
        for (String word : value.trim().split("\\s+")) {
            if (word.isEmpty()) continue;
            if (word.chars().allMatch(Character::isDigit)) {
                int code;
                try {
                    code = Integer.parseInt(word);
                } catch (NumberFormatException e) {
                    code = -1;
                }
                if (code < 0 || code > 255) throw new IllegalArgumentException("exit status out of range 0..255: " + word);
                c.add(code);
            } else {
                try {
                    s.add(Signals.parse(word));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("neither an exit status nor a signal: " + word, e);
                }
            }
        }
        return new ExitStatusSet(c, s);
    }
}
