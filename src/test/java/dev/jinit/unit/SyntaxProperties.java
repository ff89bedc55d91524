package dev.jinit.unit;

import net.jqwik.api.*;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Round trips and totality of the parsers. */
class SyntaxProperties {
    private static final Specifiers SPEC = new Specifiers(UnitName.parse("p.service"), Fixtures.CTX);

    @Provide
    Arbitrary<String> words() {
        // Any characters except NUL, with the special ones made likely.
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0001', '\u00ff').ofMaxLength(20),
                Arbitraries.strings().withChars(" \t\n\"'\\;$%{}@-+:!#x").ofMaxLength(12),
                Arbitraries.strings().all().excludeChars('\0').ofMaxLength(8));
    }

    @Property
    void quotedWordSplitsBackToItself(@ForAll("words") String w) {
        assertEquals(List.of(w), Words.splitText(Words.quote(w, false)));
    }

    @Property
    void execCommandRenderParsesBack(@ForAll @Size(max = 6) List<@From("words") String> args,
                                     @ForAll Set<ExecCommand.Prefix> prefixes,
                                     @ForAll("programs") String program) {
        EnumSet<ExecCommand.Prefix> p = prefixes.isEmpty() ? EnumSet.noneOf(ExecCommand.Prefix.class) : EnumSet.copyOf(prefixes);
        if (p.contains(ExecCommand.Prefix.PRIVILEGED)) p.remove(ExecCommand.Prefix.NO_SETUID);
        if (p.contains(ExecCommand.Prefix.ARGV0) && args.isEmpty()) p.remove(ExecCommand.Prefix.ARGV0);
        ExecCommand c = new ExecCommand(p, program, args);
        assertEquals(List.of(c), ExecCommand.parseLine(c.render(), SPEC));
    }

    @Provide
    Arbitrary<String> programs() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8).map(s -> "/usr/bin/" + s),
                Arbitraries.strings().withChars("abc xyz\"'%").ofMinLength(1).ofMaxLength(8).map(s -> "/opt/" + s),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8));
    }

    @Property
    void expandWithoutVariablesIsIdentity(@ForAll @Size(max = 6) List<@From("plain") String> args) {
        ExecCommand c = new ExecCommand(Set.of(), "/bin/x", args);
        List<String> argv = c.expand(Map.of("A", "1")).argv();
        assertEquals(args, argv.subList(1, argv.size()));
    }

    @Provide
    Arbitrary<String> plain() {
        return Arbitraries.strings().all().excludeChars('\0', '$').ofMaxLength(10);
    }

    @Property
    void timeSpanFormatParsesBack(@ForAll @LongRange(min = 0, max = 1_000_000_000_000_000L) long micros) {
        Duration d = Duration.of(micros, ChronoUnit.MICROS);
        assertEquals(d, TimeSpans.parse(TimeSpans.format(d)));
    }

    @Property
    void timeSpanParseThrowsOnlyBadValue(@ForAll("timeish") String s) {
        try {
            Duration d = TimeSpans.parse(s);
            assertFalse(d.isNegative());
        } catch (BadValueException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    @Provide
    Arbitrary<String> timeish() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789. smhdwyMuµnic-").ofMaxLength(15),
                Arbitraries.strings().all().ofMaxLength(10));
    }

    @Property
    void envFileRenderParsesBack(@ForAll("envs") Map<String, String> vars) {
        EnvFile f = EnvFile.parse(Path.of("/e"), EnvFile.render(vars));
        assertEquals(vars, f.vars());
        assertEquals(List.of(), f.diagnostics());
    }

    @Provide
    Arbitrary<Map<String, String>> envs() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('A', 'Z').withChars('_').ofMinLength(1).ofMaxLength(6)
                .flatMap(s -> Arbitraries.strings().withCharRange('a', 'z').numeric().ofMaxLength(3).map(t -> s + t));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().withChars(" \t\n\r\"'\\$`#;=x").ofMaxLength(10),
                Arbitraries.strings().all().excludeChars('\0').ofMaxLength(10));
        return Arbitraries.maps(names, values).ofMaxSize(6).map(LinkedHashMap::new);
    }

    @Property
    void envFileParserIsTotal(@ForAll("envText") String text) {
        EnvFile f = EnvFile.parse(Path.of("/e"), text);
        for (String k : f.vars().keySet()) assertTrue(ExecCommand.validName(k), k);
    }

    @Provide
    Arbitrary<String> envText() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("AB_=\"'\\\n #;x e").ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(30));
    }

    @Property
    void unitFileParserAndBuilderNeverThrow(@ForAll("unitText") String text) {
        UnitFile f = UnitFileParser.parse(Path.of("/u/p.service"), text);
        UnitBuilder.Result r = UnitBuilder.build(UnitName.parse("p.service"), f, Fixtures.CTX);
        assertEquals(r.failed(), r.unit() == null);
        // lines end at \n, \r\n or a lone \r, as systemd's read_line counts them
        for (Diagnostic d : r.diagnostics()) assertTrue(d.line() >= 0 && d.line() <= text.split("\r?\n|\r", -1).length, d.toString());
        if (!r.failed()) assertTrue(r.errors().isEmpty());
        else assertFalse(r.errors().isEmpty(), "a failed unit always says why");
    }

    @Provide
    Arbitrary<String> unitText() {
        Arbitrary<String> keys = Arbitraries.of("Description", "Requires", "After", "Before", "Type", "ExecStart", "ExecStartPre",
                "ExecStop", "Restart", "RestartSec", "TimeoutSec", "KillMode", "KillSignal", "Environment", "EnvironmentFile",
                "SuccessExitStatus", "RuntimeDirectory", "StandardOutput", "User", "WantedBy", "Bogus", "RemainAfterExit",
                "WatchdogSec", "NotifyAccess", "PIDFile", "StartLimitBurst", "RestartSteps");
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("", "/bin/true", "-/bin/false x", "oneshot", "notify", "always", "5s", "infinity", "SIGINT",
                        "mixed", "a.service", "A=1 \"B=2 3\"", "%n", "%z", "\"open", "x\\", "1 2 SIGTERM", "yes", "0"),
                Arbitraries.strings().all().excludeChars('\n', '\r').ofMaxLength(12));
        Arbitrary<String> assignment = Combinators.combine(keys, values).as((k, v) -> k + "=" + v);
        Arbitrary<String> line = Arbitraries.oneOf(assignment, assignment, assignment,
                Arbitraries.of("[Unit]", "[Service]", "[Install]", "[Bogus]", "[broken", "# c", "", "  ; c", "junk", "\\"),
                Arbitraries.strings().all().ofMaxLength(10));
        return line.list().ofMaxSize(15).map(l -> String.join("\n", l));
    }

    @Property(tries = 200)
    void wordSplitterThrowsOnlyBadValue(@ForAll("words") String s) {
        try {
            Words.split(s);
        } catch (BadValueException expected) {
            assertNotNull(expected.getMessage());
        }
    }
}
