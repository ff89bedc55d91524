package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The parser is total (PID 1 must boot on anything) and reads what it is given. */
class KernelCommandLineProperties {

    @Provide
    Arbitrary<String> anything() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.strings().withChars(" \t\n\"=,-./_jinit.shellunitsmodulesloadhostnamerwo0123456789").ofMaxLength(200));
    }

    @Property
    void neverThrowsAndNeverLosesTheDefaults(@ForAll("anything") String cmdline) {
        KernelCommandLine.Parsed p = KernelCommandLine.parse(cmdline);
        BootOptions o = p.options();
        assertTrue(o.units().isAbsolute(), o.units().toString());
        o.shell().ifPresent(s -> assertTrue(!s.contains("..") && !s.startsWith("/"), s));
        o.modules().forEach(m -> assertTrue(!m.isEmpty() && !m.contains(",") && !m.contains("/"), m));
    }

    @Provide
    Arbitrary<String> plainWord() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-=.").ofMinLength(1).ofMaxLength(12)
                .filter(w -> !w.equals("--"));
    }

    @Property
    void splittingUndoesJoiningWithAnyBlanks(@ForAll @Size(max = 10) List<@net.jqwik.api.From("plainWord") String> words,
                                             @ForAll @Size(min = 11, max = 11) List<@net.jqwik.api.From("blanks") String> gaps) {
        StringBuilder line = new StringBuilder(gaps.get(0));
        for (int i = 0; i < words.size(); i++) line.append(words.get(i)).append(gaps.get(i + 1));
        // A gap that is empty would glue two words: the kernel needs at least one blank between words.
        List<String> expected = new ArrayList<>();
        StringBuilder glued = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            glued.append(words.get(i));
            if (!gaps.get(i + 1).isEmpty() || i == words.size() - 1) {
                expected.add(glued.toString());
                glued.setLength(0);
            }
        }
        assertEquals(expected, KernelCommandLine.words(line.toString()));
    }

    @Provide
    Arbitrary<String> blanks() {
        return Arbitraries.strings().withChars(" \t\n").ofMaxLength(3);
    }

    @Provide
    Arbitrary<String> moduleName() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-").ofMinLength(1).ofMaxLength(16);
    }

    @Property
    void moduleListsAddUpInOrderWithoutRepeats(@ForAll @Size(max = 4) List<@Size(max = 4) List<@net.jqwik.api.From("moduleName") String>> lists) {
        StringBuilder line = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (List<String> list : lists) {
            line.append(" modules-load=").append(String.join(",", list));
            for (String m : list) if (!expected.contains(m)) expected.add(m);
        }
        assertEquals(expected, KernelCommandLine.parse(line.toString()).options().modules());
    }

    @Property
    void theLastHostnameWins(@ForAll @Size(min = 1, max = 5) List<@net.jqwik.api.From("hostLabel") String> names) {
        StringBuilder line = new StringBuilder();
        for (String n : names) line.append("hostname=").append(n).append(' ');
        assertEquals(Optional.of(names.getLast()), KernelCommandLine.parse(line.toString()).options().hostname());
    }

    @Provide
    Arbitrary<String> hostLabel() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789").ofMinLength(1).ofMaxLength(20);
    }

    @Property
    void quotingAValueKeepsItWhole(@ForAll("quotable") String value) {
        assertEquals(Optional.of(value), KernelCommandLine.parse("quiet jinit.api=\"" + value + "\" rw").options().api());
    }

    @Provide
    Arbitrary<String> quotable() {
        return Arbitraries.strings().withChars("abc xyz:/.=-\t").ofMinLength(1).ofMaxLength(20);
    }
}
