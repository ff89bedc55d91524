package dev.jinit.exec.seccomp;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a seccomp filter decides, as data: for each system call a list of clauses, each one source's say
 * (SystemCallFilter=, RestrictAddressFamilies=, MemoryDenyWriteExecute=, …). A call is allowed only when
 * every clause lets it pass, so the most restrictive directive wins, as with systemd's one filter per
 * directive. {@link #decide} is the meaning; {@link BpfAssembler} must compute the same.
 *
 * @param syscalls      the clauses by system call number; a call not listed gets {@code defaultAction}
 * @param defaultAction for calls not listed: ALLOW, or the deny action of an allow-list
 * @param foreignAction for calls of another ABI (i386, x32): ALLOW, or a deny under SystemCallArchitectures=native
 */
public record SeccompPolicy(Map<Integer, List<Clause>> syscalls, int defaultAction, int foreignAction) {
    public SeccompPolicy {
        syscalls = java.util.Collections.unmodifiableMap(new TreeMap<>(syscalls));
    }

    /** The kernel's return values (linux/seccomp.h). */
    public static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_ERRNO = 0x00050000,
            RET_ALLOW = 0x7fff0000;
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** x32 system calls are x86_64 numbers with this bit. */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    public static int errno(int errno) {
        return RET_ERRNO | (errno & 0xffff);
    }

    /** (args[arg] &amp; mask) == value, on all 64 bits. */
    public record Check(int arg, long mask, long value) {
        public Check {
            if (arg < 0 || arg > 5) throw new IllegalArgumentException("argument index " + arg);
            if ((value & ~mask) != 0) throw new IllegalArgumentException("value outside the mask");
        }

        boolean holds(long[] args) {
            return (args[arg] & mask) == value;
        }
    }

    /** What a rule or clause says: let the call pass (to the next clause), or end it with an action. */
    public sealed interface Verdict {
        Verdict PASS = new Pass();

        record Pass() implements Verdict {}

        record Return(int action) implements Verdict {}
    }

    /** When all {@code checks} hold, {@code verdict}. */
    public record Rule(List<Check> checks, Verdict verdict) {
        public Rule {
            checks = List.copyOf(checks);
        }
    }

    /** The first rule whose checks hold decides; when none does, {@code otherwise}. */
    public record Clause(List<Rule> rules, Verdict otherwise) {
        public Clause {
            rules = List.copyOf(rules);
        }

        static Clause always(Verdict v) {
            return new Clause(List.of(), v);
        }
    }

    /** The action for one system call made with {@code arch}, {@code nr} and {@code args}. */
    public int decide(int arch, int nr, long[] args) {
        if (arch != AUDIT_ARCH_X86_64 || (nr & X32_SYSCALL_BIT) != 0) return foreignAction;
        List<Clause> clauses = syscalls.get(nr);
        if (clauses == null) return defaultAction;
        for (Clause c : clauses) {
            Verdict v = c.otherwise();
            for (Rule r : c.rules()) {
                if (r.checks().stream().allMatch(k -> k.holds(args))) {
                    v = r.verdict();
                    break;
                }
            }
            if (v instanceof Verdict.Return ret) return ret.action();
        }
        return RET_ALLOW;
    }
}
