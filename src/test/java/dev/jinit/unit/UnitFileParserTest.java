package dev.jinit.unit;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class UnitFileParserTest {
    private static final Path F = Path.of("/u/a.service");

    private static List<UnitFile.Assignment> parse(String text) {
        return UnitFileParser.parse(F, text).assignments();
    }

    @Test
    void sectionsKeysAndTrimmedValues() {
        var a = parse("[Unit]\n  Description =  hello world  \n[Service]\nExecStart=/bin/true\n");
        assertEquals(2, a.size());
        assertEquals(new UnitFile.Assignment("Unit", "Description", "hello world", F, 2), a.get(0));
        assertEquals(new UnitFile.Assignment("Service", "ExecStart", "/bin/true", F, 4), a.get(1));
    }

    @Test
    void commentsOnlyAtLineStart() {
        var a = parse("# comment\n; another\n[Unit]\n   # indented comment\nDescription=a # not a comment\n");
        assertEquals(1, a.size());
        assertEquals("a # not a comment", a.getFirst().value());
    }

    @Test
    void continuationJoinsWithSpaceAndSkipsCommentLines() {
        var a = parse("[Service]\nExecStart=/bin/echo \\\n  one \\\n# dropped comment\n  two\nType=simple\n");
        assertEquals(2, a.size());
        assertEquals("/bin/echo    one    two", a.get(0).value());
        assertEquals(2, a.get(0).line(), "an assignment is located at the line it starts on");
        assertEquals(6, a.get(1).line());
    }

    @Test
    void escapedBackslashAtEndIsNotAContinuation() {
        var a = parse("[Service]\nExecStart=/bin/echo a\\\\\nType=simple\n");
        assertEquals(2, a.size());
        assertEquals("/bin/echo a\\\\", a.get(0).value());
    }

    @Test
    void continuationAtEndOfFileIsKept() {
        var a = parse("[Service]\nExecStart=/bin/echo a \\");
        assertEquals(1, a.size());
        assertEquals("/bin/echo a", a.getFirst().value());
    }

    @Test
    void repeatedKeysAreAllKeptInOrder() {
        var a = parse("[Unit]\nAfter=a.service\nAfter=\nAfter=b.service\n");
        assertEquals(List.of("a.service", "", "b.service"), a.stream().map(UnitFile.Assignment::value).toList());
    }

    @Test
    void crlfAndBomAreAccepted() {
        var a = parse("\uFEFF[Unit]\r\nDescription=x\r\n");
        assertEquals("x", a.getFirst().value());
        assertEquals("Unit", a.getFirst().section());
    }

    @Test
    void badLinesAreWarnedWithLineNumbersAndSkipped() {
        UnitFile f = UnitFileParser.parse(F, "Description=outside\n[Unit\nA=1\n[Unit]\njunk line\nDescription=ok\n");
        assertEquals(List.of("ok"), f.assignments().stream().map(UnitFile.Assignment::value).toList());
        List<String> msgs = f.diagnostics().stream().map(Diagnostic::toString).toList();
        assertEquals(3, msgs.size(), msgs.toString());
        assertTrue(msgs.get(0).startsWith("/u/a.service:1: assignment outside of any section"), msgs.get(0));
        assertTrue(msgs.get(1).startsWith("/u/a.service:2: invalid section header [Unit"), msgs.get(1));
        assertTrue(msgs.get(2).startsWith("/u/a.service:5: missing '='"), msgs.get(2));
        assertTrue(f.diagnostics().stream().noneMatch(Diagnostic::isError));
    }

    @Test
    void emptyValueIsKept() {
        var a = parse("[Service]\nExecStart=\n");
        assertEquals("", a.getFirst().value());
    }
}
