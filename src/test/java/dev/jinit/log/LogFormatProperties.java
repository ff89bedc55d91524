package dev.jinit.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class LogFormatProperties {
    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Provide
    Arbitrary<String> printable() {
        // Printable text: no C0/C1 controls (tab allowed), no lone surrogates.
        Arbitrary<String> bmp = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff').withChars('\t')
                .ofMaxLength(20);
        return Arbitraries.oneOf(bmp, Arbitraries.of("😀", "𝄞", "")).list().ofMaxSize(10).map(l -> String.join("", l));
    }

    @Property
    void printableUtf8IsShownUnchanged(@ForAll("printable") String s) {
        assertEquals(s, LogFormat.text(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Property
    void anyBytesGivePrintableTextWithoutControls(@ForAll byte[] bytes) {
        String text = LogFormat.text(bytes);
        text.codePoints().forEach(cp -> assertTrue(cp == '\t' || !(cp < 0x20 || (cp >= 0x7f && cp < 0xa0)),
                () -> "control character " + cp + " in " + text));
    }

    @Property
    void printableTextSurvivesAroundArbitraryBytes(@ForAll("printable") String a, @ForAll byte[] junk) {
        // Decoding resynchronises after invalid bytes: no junk can swallow the start of valid text,
        // because valid text never starts with a continuation byte.
        byte[] left = a.getBytes(StandardCharsets.UTF_8);
        byte[] joined = new byte[left.length + junk.length + left.length];
        System.arraycopy(left, 0, joined, 0, left.length);
        System.arraycopy(junk, 0, joined, left.length, junk.length);
        System.arraycopy(left, 0, joined, left.length + junk.length, left.length);
        String text = LogFormat.text(joined);
        assertTrue(text.startsWith(a), text);
        assertTrue(text.endsWith(a), text);
    }

    @Example
    void escapes() {
        assertEquals("a\\x1b[31mred\\x00", LogFormat.text("a\u001b[31mred\0".getBytes(StandardCharsets.UTF_8)));
        assertEquals("crlf", LogFormat.text("crlf\r".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\\xff\\xfe ok \\xc3", LogFormat.text(new byte[] {(byte) 0xff, (byte) 0xfe, ' ', 'o', 'k', ' ', (byte) 0xc3}));
        assertEquals("\\xed\\xa0\\x80", LogFormat.text(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), "a UTF-8 surrogate is invalid");
        assertEquals("\\xc0\\xaf", LogFormat.text(new byte[] {(byte) 0xc0, (byte) 0xaf}), "an overlong form is invalid");
        assertEquals("\\xc2\\x85", LogFormat.text(new byte[] {(byte) 0xc2, (byte) 0x85}), "C1 controls are escaped");
        assertEquals("tab\there", LogFormat.text("tab\there".getBytes(StandardCharsets.UTF_8)));
    }

    @Property
    void timestampsMatchTheReferenceFormatter(@ForAll @LongRange(min = 0, max = 253402300799L) long second,
                                              @ForAll @LongRange(min = 0, max = 999_999_999) long nanos,
                                              @ForAll @LongRange(min = 0, max = 3) long step) {
        LogFormat.Timestamps ts = new LogFormat.Timestamps();
        byte[] out = new byte[LogFormat.TIMESTAMP_LENGTH];
        // Twice, and with a neighbouring second in between, to exercise the per-second cache.
        for (long s : new long[] {second, second + step, second}) {
            if (s > 253402300799L) continue;
            Instant t = Instant.ofEpochSecond(s, nanos);
            ts.write(t.getEpochSecond(), t.getNano(), out, 0);
            assertEquals(REFERENCE.format(t), new String(out, StandardCharsets.US_ASCII));
        }
    }

    @Property
    void fileLinesParseBack(@ForAll("printable") String text, @ForAll @LongRange(min = 0, max = 4102444800L) long second,
                            @ForAll @LongRange(min = 0, max = 999_999) long micros, @ForAll boolean cut,
                            @ForAll("streams") Stream stream) {
        LogLine line = new LogLine(Instant.ofEpochSecond(second, micros * 1000), "a.service", stream, text, cut);
        byte[] bytes = line.format().getBytes(StandardCharsets.UTF_8);
        assertEquals(line, LogFormat.parse("a.service", bytes, 0, bytes.length, Instant.EPOCH));
    }

    @Provide
    Arbitrary<Stream> streams() {
        return Arbitraries.of(Stream.class);
    }

    @Example
    void foreignLinesAreShownWholeAsJinitLines() {
        byte[] junk = "not a log line".getBytes(StandardCharsets.UTF_8);
        LogLine l = LogFormat.parse("u", junk, 0, junk.length, Instant.EPOCH);
        assertEquals(Stream.JINIT, l.stream());
        assertEquals("unparsable log line: not a log line", l.text());
        byte[] badTag = "2026-11-27T10:00:00.123456Z stdin x".getBytes(StandardCharsets.UTF_8);
        assertEquals(Stream.JINIT, LogFormat.parse("u", badTag, 0, badTag.length, Instant.EPOCH).stream());
        byte[] empty = "2026-11-27T10:00:00.123456Z stdout ".getBytes(StandardCharsets.UTF_8);
        assertEquals("", LogFormat.parse("u", empty, 0, empty.length, Instant.EPOCH).text());
        byte[] truncated = Arrays.copyOf(empty, 20);
        assertEquals(Stream.JINIT, LogFormat.parse("u", truncated, 0, truncated.length, Instant.EPOCH).stream());
    }

    @Example
    void unitNamesThatCannotBeFileNamesAreRefused() {
        for (String bad : new String[] {"", ".", "..", "a/b", "x\0", "x\ny"})
            assertThrows(IllegalArgumentException.class, () -> LogFormat.checkUnitName(bad), bad);
        assertEquals("getty@tty1.service", LogFormat.checkUnitName("getty@tty1.service"));
    }
}
