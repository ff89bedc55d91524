package dev.jinit.exec.seccomp;

import java.util.List;

/**
 * A classic BPF machine as the kernel runs seccomp filters (only the instructions seccomp accepts that the
 * assembler uses, and any other one is an error), over a struct seccomp_data: the reference the generated
 * programs are checked against.
 */
final class BpfInterpreter {
    private BpfInterpreter() {}

    static int run(List<BpfAssembler.Insn> program, int arch, int nr, long[] args) {
        int a = 0;
        int pc = 0;
        int steps = 0;
        while (true) {
            if (pc < 0 || pc >= program.size()) throw new AssertionError("fell off the program at " + pc);
            if (++steps > 100_000) throw new AssertionError("no end");
            BpfAssembler.Insn i = program.get(pc);
            switch (i.code()) {
                case BpfAssembler.LD_W_ABS -> {
                    a = word(i.k(), arch, nr, args);
                    pc++;
                }
                case BpfAssembler.AND_K -> {
                    a &= i.k();
                    pc++;
                }
                case BpfAssembler.JEQ_K -> pc += 1 + (a == i.k() ? i.jt() : i.jf());
                case BpfAssembler.JGE_K -> pc += 1 + (Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf());
                case BpfAssembler.JA -> pc += 1 + i.k();
                case BpfAssembler.RET_K -> {
                    return i.k();
                }
                default -> throw new AssertionError("unexpected opcode " + i.code());
            }
            if (i.jt() > 255 || i.jf() > 255 || i.jt() < 0 || i.jf() < 0) throw new AssertionError("jump out of range: " + i);
        }
    }

    /** A 32-bit word of seccomp_data at {@code offset}; the kernel refuses unaligned or out-of-range loads. */
    private static int word(int offset, int arch, int nr, long[] args) {
        if (offset == 0) return nr;
        if (offset == 4) return arch;
        if (offset >= 16 && offset < 64 && offset % 4 == 0) {
            long v = args[(offset - 16) / 8];
            return (offset % 8 == 0) ? (int) v : (int) (v >>> 32);
        }
        throw new AssertionError("load of seccomp_data offset " + offset);
    }
}
