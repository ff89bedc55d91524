package dev.jinit.exec.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link SeccompPolicy} into a classic BPF program for seccomp (the kernel's
 * Documentation/userspace-api/seccomp_filter.rst): it reads {@code struct seccomp_data} (nr at 0, arch at 4,
 * args at 16 + 8·i, little-endian) and returns an action. Pure.
 *
 * <p>Shape: check the architecture, load the number, then for each listed call a {@code jeq nr} that falls
 * into the call's block or skips over it; a block tests its clauses' arguments 32 bits at a time and always
 * ends in a {@code ret}, so the chain never runs into it by accident. Conditional jumps reach at most 255
 * instructions, which a block never exceeds (it is refused otherwise).
 */
public final class BpfAssembler {
    private BpfAssembler() {}

    /** One instruction of struct sock_filter. */
    public record Insn(int code, int jt, int jf, int k) {
        /** As the kernel lays it out: code (u16), jt (u8), jf (u8), k (u32), little-endian. */
        public long packed() {
            return (code & 0xffffL) | ((jt & 0xffL) << 16) | ((jf & 0xffL) << 24) | ((k & 0xffffffffL) << 32);
        }
    }

    // Opcodes (linux/filter.h, linux/bpf_common.h).
    public static final int LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, JA = 0x05, RET_K = 0x06, AND_K = 0x54;
    /** BPF_MAXINSNS. */
    public static final int MAX_INSNS = 4096;

    public static List<Insn> assemble(SeccompPolicy policy) {
        List<Insn> out = new ArrayList<>();
        out.add(new Insn(LD_W_ABS, 0, 0, 4));
        // Another ABI: its numbers mean other calls, so it gets its own action before nr is even read.
        out.add(new Insn(JEQ_K, 1, 0, SeccompPolicy.AUDIT_ARCH_X86_64));
        out.add(ret(policy.foreignAction()));
        out.add(new Insn(LD_W_ABS, 0, 0, 0));
        out.add(new Insn(JGE_K, 0, 1, SeccompPolicy.X32_SYSCALL_BIT));
        out.add(ret(policy.foreignAction()));
        for (Map.Entry<Integer, List<SeccompPolicy.Clause>> e : policy.syscalls().entrySet()) {
            List<Insn> block = block(e.getValue());
            if (block.size() > 255) throw new IllegalArgumentException("the rules for system call " + e.getKey() + " are too long");
            out.add(new Insn(JEQ_K, 0, block.size(), e.getKey()));
            out.addAll(block);
        }
        out.add(ret(policy.defaultAction()));
        if (out.size() > MAX_INSNS)
            throw new IllegalArgumentException("seccomp program of " + out.size() + " instructions exceeds " + MAX_INSNS);
        return List.copyOf(out);
    }

    private static Insn ret(int action) {
        return new Insn(RET_K, 0, 0, action);
    }

    /**
     * One call's clauses. Each rule is a run of tests that jump to the rule's end on the first failing one;
     * a passing clause jumps to the next clause. Jump targets are fixed up once the lengths are known.
     */
    private static List<Insn> block(List<SeccompPolicy.Clause> clauses) {
        List<Insn> code = new ArrayList<>();
        for (SeccompPolicy.Clause c : clauses) {
            List<Integer> toNextClause = new ArrayList<>();
            for (SeccompPolicy.Rule r : c.rules()) {
                List<Integer> toNextRule = new ArrayList<>();
                for (SeccompPolicy.Check k : r.checks()) {
                    half(code, toNextRule, 16 + 8 * k.arg(), (int) k.mask(), (int) k.value());
                    half(code, toNextRule, 20 + 8 * k.arg(), (int) (k.mask() >>> 32), (int) (k.value() >>> 32));
                }
                verdict(code, toNextClause, r.verdict());
                for (int at : toNextRule) patchFalse(code, at, code.size());
            }
            verdict(code, toNextClause, c.otherwise());
            for (int at : toNextClause) patchAlways(code, at, code.size());
        }
        code.add(ret(SeccompPolicy.RET_ALLOW));
        return code;
    }

    /** Tests one 32-bit half: (word &amp; mask) == value, or nothing when the mask leaves no bit. */
    private static void half(List<Insn> code, List<Integer> onFalse, int offset, int mask, int value) {
        if (mask == 0) return;
        code.add(new Insn(LD_W_ABS, 0, 0, offset));
        if (mask != -1) code.add(new Insn(AND_K, 0, 0, mask));
        onFalse.add(code.size());
        code.add(new Insn(JEQ_K, 0, 0, value));
    }

    private static void verdict(List<Insn> code, List<Integer> toNextClause, SeccompPolicy.Verdict v) {
        switch (v) {
            case SeccompPolicy.Verdict.Return r -> code.add(ret(r.action()));
            case SeccompPolicy.Verdict.Pass p -> {
                toNextClause.add(code.size());
                code.add(new Insn(JA, 0, 0, 0));
            }
        }
    }

    private static void patchFalse(List<Insn> code, int at, int target) {
        Insn i = code.get(at);
        int offset = target - at - 1;
        if (offset > 255) throw new IllegalArgumentException("a rule's jump exceeds 255 instructions");
        code.set(at, new Insn(i.code(), i.jt(), offset, i.k()));
    }

    private static void patchAlways(List<Insn> code, int at, int target) {
        Insn i = code.get(at);
        code.set(at, new Insn(i.code(), 0, 0, target - at - 1));
    }
}
