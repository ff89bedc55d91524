package dev.jinit.unit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WordsTest {
    @Test
    void splitsOnWhitespaceAndUnquotes() {
        assertEquals(List.of("a", "b c", "d'e", "x y", ""), Words.splitText(" a  \"b c\" \"d'e\" 'x y' \"\" "));
    }

    @Test
    void quotesGlueToNeighbours() {
        assertEquals(List.of("ab cd"), Words.splitText("a\"b c\"d"));
    }

    @Test
    void cEscapes() {
        assertEquals(List.of("a\nb\tc\\d\"e'f"), Words.splitText("\"a\\nb\\tc\\\\d\\\"e\\'f\""));
        assertEquals(List.of("A", "A", "\u00e9", "\uD83D\uDE00", "x y", "\u0007\b\f\r\u000B"),
                Words.splitText("\\x41 \\101 \\u00e9 \\U0001F600 x\\sy \\a\\b\\f\\r\\v"));
        assertEquals(List.of("back\\slash"), Words.splitText("'back\\\\slash'"));
    }

    @Test
    void hexAndOctalEscapesAreUtf8Bytes() {
        assertEquals(List.of("caf\u00e9", "\u00e9t\u00e9"), Words.splitText("caf\\xc3\\xa9 \\303\\251t\\xc3\\xa9"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\\xff")).getMessage().contains("ff are not valid UTF-8"));
    }

    @Test
    void badEscapesAndQuotesAreErrors() {
        assertEquals("invalid escape \\q", assertThrows(BadValueException.class, () -> Words.split("a\\qb")).getMessage());
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\"open")).getMessage().contains("unterminated"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\\x4")).getMessage().contains("hex digits"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\\x00")).getMessage().contains("NUL"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\\18")).getMessage().contains("octal"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("a\\")).getMessage().contains("end"));
        assertTrue(assertThrows(BadValueException.class, () -> Words.split("\\ud800")).getMessage().contains("code point"));
    }

    @Test
    void onlyBareSemicolonIsASeparator() {
        List<Words.Word> w = Words.split("a ; \";\" \\; ';'");
        assertEquals(List.of(false, true, false, false, false), w.stream().map(Words.Word::separator).toList());
        assertEquals(List.of("a", ";", ";", ";", ";"), w.stream().map(Words.Word::text).toList());
    }

    @Test
    void quoteRendersSplittableText() {
        String tricky = "a \"b\" \\c\n\t%$'";
        assertEquals(List.of(tricky), Words.splitText(Words.quote(tricky, false)));
        assertEquals("\"100%%\"", Words.quote("100%", true));
    }
}
