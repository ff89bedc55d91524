package dev.jinit.unit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EnvFileTest {
    private static final Path F = Path.of("/etc/default/x");

    @Test
    void formsOfValues() {
        String text = """
                # comment
                ; other comment
                PLAIN=value with spaces   \s
                  SPACED  =  v
                export EXPORTED=yes
                SINGLE='a "b" $c \\d'
                DOUBLE="a \\"b\\" \\$c \\\\ \\d `e`"
                MIXED="a"'b'c
                CONT=one\\
                two
                MULTI="line1
                line2"
                EMPTY=
                ESC=a\\ b\\#
                """;
        EnvFile f = EnvFile.parse(F, text);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("PLAIN", "value with spaces");
        expected.put("SPACED", "v");
        expected.put("EXPORTED", "yes");
        expected.put("SINGLE", "a \"b\" $c \\d");
        expected.put("DOUBLE", "a \"b\" $c \\ \\d `e`");
        expected.put("MIXED", "abc");
        expected.put("CONT", "onetwo");
        expected.put("MULTI", "line1\nline2");
        expected.put("EMPTY", "");
        expected.put("ESC", "a b#");
        assertEquals(expected, f.vars());
        assertEquals(List.of(), f.diagnostics());
    }

    @Test
    void badLinesAreWarnedAndSkipped() {
        EnvFile f = EnvFile.parse(F, "A=1\nno equals here\n1BAD=2\nB=\"open\nC=3\n");
        assertEquals("1", f.vars().get("A"));
        assertFalse(f.vars().containsKey("1BAD"));
        List<String> msgs = f.diagnostics().stream().map(Diagnostic::toString).toList();
        assertTrue(msgs.get(0).startsWith("/etc/default/x:2: missing '='"), msgs.toString());
        assertTrue(msgs.get(1).startsWith("/etc/default/x:3: invalid variable name 1BAD"), msgs.toString());
        assertTrue(msgs.get(2).contains("unterminated \" quote in value of B"), msgs.toString());
    }

    @Test
    void laterAssignmentWins() {
        assertEquals(Map.of("A", "2"), EnvFile.parse(F, "A=1\nA=2\n").vars());
    }

    @Test
    void refReadsOptionalAndRequiredFiles(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("env");
        Files.writeString(p, "K=v\n");
        assertEquals(Map.of("K", "v"), new EnvFile.Ref(p, false).read().vars());
        Path missing = dir.resolve("missing");
        assertEquals(Map.of(), new EnvFile.Ref(missing, true).read().vars());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> new EnvFile.Ref(missing, false).read());
        assertTrue(e.getMessage().contains(missing.toString()));
    }
}
