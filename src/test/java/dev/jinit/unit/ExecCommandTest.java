package dev.jinit.unit;

import dev.jinit.unit.ExecCommand.Prefix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ExecCommandTest {
    private static final Specifiers SPEC = new Specifiers(UnitName.parse("web@a\\x20b.service"), Fixtures.CTX);

    private static ExecCommand one(String line) {
        List<ExecCommand> l = ExecCommand.parseLine(line, SPEC);
        assertEquals(1, l.size(), l.toString());
        return l.getFirst();
    }

    @Test
    void plainCommand() {
        ExecCommand c = one("/bin/echo \"hello world\" x");
        assertEquals("/bin/echo", c.path());
        assertEquals(List.of("hello world", "x"), c.words());
        assertEquals(Set.of(), c.prefixes());
        assertEquals(List.of("/bin/echo", "hello world", "x"), c.expand(Map.of()).argv());
    }

    @Test
    void prefixes() {
        assertEquals(Set.of(Prefix.IGNORE_FAILURE), one("-/bin/false").prefixes());
        assertEquals(Set.of(Prefix.IGNORE_FAILURE, Prefix.ARGV0, Prefix.NO_EXPAND), one("-@:/bin/sh name $X").prefixes());
        assertEquals(Set.of(Prefix.PRIVILEGED), one("+/bin/true").prefixes());
        assertEquals(Set.of(Prefix.NO_SETUID), one("!/bin/true").prefixes());
        assertEquals(Set.of(Prefix.NO_SETUID, Prefix.IGNORE_FAILURE), one("!!-/bin/true").prefixes());
        assertEquals("/bin/true", one("!!-/bin/true").path());
    }

    @Test
    void badPrefixesAreErrors() {
        assertTrue(assertThrows(BadValueException.class, () -> one("--/bin/x")).getMessage().contains("twice"));
        assertTrue(assertThrows(BadValueException.class, () -> one("+!/bin/x")).getMessage().contains("cannot be combined"));
        assertTrue(assertThrows(BadValueException.class, () -> one("|/bin/x")).getMessage().contains("not supported"));
        assertTrue(assertThrows(BadValueException.class, () -> one("-")).getMessage().contains("no program"));
        assertTrue(assertThrows(BadValueException.class, () -> one("@/bin/sh")).getMessage().contains("argv[0]"));
        assertTrue(assertThrows(BadValueException.class, () -> one("bin/sh")).getMessage().contains("absolute path"));
    }

    @Test
    void argv0Prefix() {
        ExecCommand.Invocation inv = one("@/bin/sh my-shell -c true").expand(Map.of());
        assertEquals("/bin/sh", inv.path());
        assertEquals(List.of("my-shell", "-c", "true"), inv.argv());
    }

    @Test
    void bareNameIsAllowed() {
        assertEquals("sleep", one("sleep 1").path());
    }

    @Test
    void semicolonSeparatesCommands() {
        List<ExecCommand> l = ExecCommand.parseLine("/bin/a 1 ; -/bin/b \\; ';'", SPEC);
        assertEquals(2, l.size());
        assertEquals(List.of("1"), l.get(0).words());
        assertEquals(List.of(";", ";"), l.get(1).words());
        assertTrue(l.get(1).has(Prefix.IGNORE_FAILURE));
        assertThrows(BadValueException.class, () -> ExecCommand.parseLine("/bin/a ;", SPEC));
        assertThrows(BadValueException.class, () -> ExecCommand.parseLine("; /bin/a", SPEC));
    }

    @Test
    void environmentExpansion() {
        Map<String, String> env = Map.of("OPTS", "  -a  -b c ", "ONE", "x y", "EMPTY", "");
        ExecCommand c = one("/bin/prog $OPTS ${ONE} pre${ONE}post $EMPTY $UNSET ${UNSET}. $$HOME a$OPTS");
        assertEquals(List.of("/bin/prog", "-a", "-b", "c", "x y", "prex ypost", ".", "$HOME", "a$OPTS"),
                c.expand(env).argv());
    }

    @Test
    void wholeWordVariableIsSplitLikeSystemdWithQuotes() {
        ExecCommand c = one("/bin/prog $OPTS");
        assertEquals(List.of("/bin/prog", "-a", "b c", "d\"e", "f g", "h i"),
                c.expand(Map.of("OPTS", " -a 'b c' \"d\\\"e\" f\\ g \"h i")).argv());
    }

    @Test
    void defaultAndAlternativeForms() {
        ExecCommand c = one("/bin/prog ${A:-dflt} ${B:-dflt} ${A:+alt} ${B:+alt}");
        assertEquals(List.of("/bin/prog", "dflt", "set", "", "alt"), c.expand(Map.of("B", "set")).argv());
    }

    @Test
    void colonPrefixSkipsExpansion() {
        assertEquals(List.of("/bin/echo", "$X", "${X}", "$$"), one(":/bin/echo $X ${X} $$").expand(Map.of("X", "v")).argv());
    }

    @Test
    void programPathIsNeverExpanded() {
        assertEquals("${BIN}", one("${BIN} x").expand(Map.of("BIN", "/bin/true")).path());
    }

    @Test
    void specifiersAreExpandedPerWordAfterSplitting() {
        ExecCommand c = one("/bin/echo %i \"%n\" 100%% %p-%I");
        assertEquals(List.of("a\\x20b", "web@a\\x20b.service", "100%", "web-a b"), c.words());
        BadValueException e = assertThrows(BadValueException.class, () -> one("/bin/echo %z"));
        assertTrue(e.getMessage().contains("%z"));
    }

    @Test
    void renderParsesBack() {
        for (String line : List.of("-@/bin/sh \"sh x\" -c \"echo 'a b' $$X 100%%\"", ":+/bin/x \\n \"\"", "!/bin/y")) {
            ExecCommand c = one(line);
            assertEquals(c, one(c.render()), line);
        }
    }
}
