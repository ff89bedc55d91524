package dev.jinit.exec.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The generated program, run by {@link BpfInterpreter}, decides every call exactly as the policy says. */
class BpfAssemblerProperties {
    private static final int[] NRS = {0, 1, 2, 3, 41, 59, 60, 231, 272, 435};

    @Property(tries = 300)
    void programAgreesWithThePolicy(@ForAll("policies") SeccompPolicy policy, @ForAll("calls") List<Object[]> calls) {
        List<BpfAssembler.Insn> program = BpfAssembler.assemble(policy);
        for (Object[] c : calls) {
            int arch = (int) c[0], nr = (int) c[1];
            long[] args = (long[]) c[2];
            assertEquals(policy.decide(arch, nr, args), BpfInterpreter.run(program, arch, nr, args),
                    () -> "arch " + Integer.toHexString(arch) + " nr " + nr + " args " + java.util.Arrays.toString(args));
        }
    }

    /** The same for what the directives compile to, on random calls of the real table. */
    @Property(tries = 60)
    void compiledDirectivesAgree(@ForAll("settings") SeccompSettings s, @ForAll("calls") List<Object[]> calls) {
        SeccompPolicy policy = PolicyCompiler.compile(s, new PolicyCompiler.Protections(true, true, false, true), new int[] {65534, 65534});
        List<BpfAssembler.Insn> program = BpfAssembler.assemble(policy);
        assertTrue(program.size() <= BpfAssembler.MAX_INSNS);
        for (Object[] c : calls) {
            long[] args = (long[]) c[2];
            for (int nr : policy.syscalls().keySet().stream().limit(400).toList())
                assertEquals(policy.decide(SeccompPolicy.AUDIT_ARCH_X86_64, nr, args),
                        BpfInterpreter.run(program, SeccompPolicy.AUDIT_ARCH_X86_64, nr, args));
        }
    }

    @Provide
    Arbitrary<SeccompPolicy> policies() {
        Arbitrary<Integer> actions = Arbitraries.of(SeccompPolicy.RET_ALLOW, SeccompPolicy.RET_KILL_PROCESS,
                SeccompPolicy.errno(1), SeccompPolicy.errno(97));
        Arbitrary<Long> values = Arbitraries.of(0L, 1L, 2L, 0xffffffffL, 0x100000000L, -1L, 0x40000000L, 04000L);
        Arbitrary<SeccompPolicy.Check> checks = Combinators.combine(Arbitraries.integers().between(0, 5), values, values)
                .as((arg, mask, value) -> new SeccompPolicy.Check(arg, mask, value & mask));
        Arbitrary<SeccompPolicy.Verdict> verdicts = actions.map(a -> a == SeccompPolicy.RET_ALLOW
                ? SeccompPolicy.Verdict.PASS : new SeccompPolicy.Verdict.Return(a));
        Arbitrary<SeccompPolicy.Rule> rules = Combinators.combine(checks.list().ofMaxSize(3), verdicts).as(SeccompPolicy.Rule::new);
        Arbitrary<SeccompPolicy.Clause> clauses = Combinators.combine(rules.list().ofMaxSize(3), verdicts).as(SeccompPolicy.Clause::new);
        Arbitrary<Map<Integer, List<SeccompPolicy.Clause>>> maps = Arbitraries.maps(Arbitraries.of(toList(NRS)),
                clauses.list().ofMaxSize(3)).ofMaxSize(6).map(HashMap::new);
        return Combinators.combine(maps, actions, actions).as(SeccompPolicy::new);
    }

    @Provide
    Arbitrary<List<Object[]>> calls() {
        Arbitrary<Integer> archs = Arbitraries.of(SeccompPolicy.AUDIT_ARCH_X86_64, SeccompPolicy.AUDIT_ARCH_X86_64,
                SeccompPolicy.AUDIT_ARCH_X86_64, 0x40000003 /* i386 */);
        Arbitrary<Integer> nrs = Arbitraries.oneOf(Arbitraries.of(toList(NRS)), Arbitraries.integers().between(0, 500),
                Arbitraries.of(SeccompPolicy.X32_SYSCALL_BIT | 1));
        Arbitrary<Long> arg = Arbitraries.oneOf(Arbitraries.of(0L, 1L, 2L, 0xffffffffL, 0x100000000L, -1L, 04000L, 0x40000000L),
                Arbitraries.longs());
        Arbitrary<long[]> args = arg.list().ofSize(6).map(l -> l.stream().mapToLong(Long::longValue).toArray());
        return Combinators.combine(archs, nrs, args).as((a, n, x) -> new Object[] {a, n, x}).list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<SeccompSettings> settings() {
        Arbitrary<Boolean> bools = Arbitraries.of(true, false);
        Arbitrary<Boolean> lists = Arbitraries.of(Boolean.TRUE, Boolean.FALSE, null);
        Arbitrary<List<String>> groups = Arbitraries.of("@system-service", "@privileged", "@resources", "@basic-io", "@mount",
                "@clock", "socket", "chmod").list().ofMaxSize(3);
        return Combinators.combine(lists, groups, lists, bools, bools, bools, bools, Arbitraries.of(0L, null, 0x10000000L))
                .as((allow, names, families, mdwe, lock, rt, suid, ns) -> {
                    SeccompSettings.Builder b = new SeccompSettings.Builder();
                    b.allowList = allow;
                    if (allow != null)
                        for (String n : names)
                            for (String c : n.startsWith("@") ? Syscalls.x86_64().expand(n) : java.util.Set.of(n)) b.filter.put(c, -1);
                    b.errorNumber = mdwe ? 1 : null;
                    b.familiesAllowList = families;
                    if (families != null) b.families.addAll(List.of(1, 10));
                    b.memoryDenyWriteExecute = mdwe;
                    b.lockPersonality = lock;
                    b.restrictRealtime = rt;
                    b.restrictSuidSgid = suid;
                    b.namespacesAllowed = ns;
                    b.nativeOnly = lock;
                    return b.build();
                });
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int x : a) l.add(x);
        return l;
    }
}
