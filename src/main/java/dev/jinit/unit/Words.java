package dev.jinit.unit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Splits a value into words the way systemd's {@code extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE)} does
 * for command lines and {@code Environment=}: words are separated by whitespace; {@code "…"} and {@code '…'}
 * quote (and may be glued to unquoted text: {@code a"b c"} is one word {@code ab c}); C-style escapes are
 * decoded inside and outside quotes. An invalid escape or an unterminated quote is an error, as in systemd,
 * because guessing would silently run a different command.
 */
public final class Words {
    private Words() {}

    /**
     * One word.
     *
     * @param text      the decoded text
     * @param separator true for an unquoted, unescaped {@code ;} standing alone: the command separator of
     *                  {@code ExecStartPre=} and friends
     */
    public record Word(String text, boolean separator) {}

    /** Splits {@code value} into decoded words. */
    public static List<Word> split(String value) {
        List<Word> words = new ArrayList<>();
        int i = 0, n = value.length();
        while (true) {
            while (i < n && isSpace(value.charAt(i))) i++;
            if (i >= n) return words;
            Text w = new Text();
            boolean plain = true; // no quote or escape used: only then is ";" a separator
            while (i < n && !isSpace(value.charAt(i))) {
                char c = value.charAt(i);
                if (c == '"' || c == '\'') {
                    plain = false;
                    int close = i + 1;
                    while (true) {
                        if (close >= n) throw new BadValueException("unterminated " + c + " quote");
                        char d = value.charAt(close);
                        if (d == c) break;
                        if (d == '\\') close = unescape(value, close, w);
                        else {
                            w.chars(d);
                            close++;
                        }
                    }
                    i = close + 1;
                } else if (c == '\\') {
                    plain = false;
                    i = unescape(value, i, w);
                } else {
                    w.chars(c);
                    i++;
                }
            }
            String text = w.done();
            words.add(new Word(text, plain && text.equals(";")));
        }
    }

    /** The decoded words only. */
    public static List<String> splitText(String value) {
        return split(value).stream().map(Word::text).toList();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /**
     * Decoded text of one word. {@code \xNN} and octal escapes are bytes, as in systemd's C strings, so
     * {@code \xc3\xa9} is one UTF-8 encoded {@code é}; they are decoded together once a character follows.
     */
    private static final class Text {
        private final StringBuilder chars = new StringBuilder();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void chars(char c) {
            flush();
            chars.append(c);
        }

        void codePoint(int cp) {
            flush();
            chars.appendCodePoint(cp);
        }

        void octet(int b) {
            bytes.write(b);
        }

        private void flush() {
            if (bytes.size() == 0) return;
            byte[] raw = bytes.toByteArray();
            bytes.reset();
            try {
                chars.append(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)));
            } catch (CharacterCodingException e) {
                throw new BadValueException("escaped bytes " + HexFormat.ofDelimiter(" ").formatHex(raw) + " are not valid UTF-8");
            }
        }

        String done() {
            flush();
            return chars.toString();
        }
    }

    /**
     * Decodes the escape starting at {@code at} (a backslash) into {@code out}; returns the index after it.
     * Accepts systemd's set: {@code \a \b \f \n \r \t \v \\ \" \' \s \xNN \NNN \\uXXXX \UXXXXXXXX}, plus
     * {@code \;} (a literal semicolon in command lines) and backslash-space.
     */
    private static int unescape(String s, int at, Text out) {
        if (at + 1 >= s.length()) throw new BadValueException("backslash at the end of the value");
        char c = s.charAt(at + 1);
        switch (c) {
            case 'a' -> out.chars('\u0007');
            case 'b' -> out.chars('\b');
            case 'f' -> out.chars('\f');
            case 'n' -> out.chars('\n');
            case 'r' -> out.chars('\r');
            case 't' -> out.chars('\t');
            case 'v' -> out.chars('\u000B');
            case 's' -> out.chars(' ');
            case '\\', '"', '\'', ';', ' ' -> out.chars(c);
            case 'x' -> {
                int v = hex(s, at + 2, 2);
                if (v == 0) throw new BadValueException("\\x00 is not allowed (arguments cannot hold NUL)");
                out.octet(v);
                return at + 4;
            }
            case 'u' -> {
                int v = hex(s, at + 2, 4);
                return appendCodePoint(out, v, at + 6);
            }
            case 'U' -> {
                int v = hex(s, at + 2, 8);
                return appendCodePoint(out, v, at + 10);
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    if (at + 4 > s.length()) throw new BadValueException("octal escape needs three digits");
                    int v = 0;
                    for (int k = 1; k <= 3; k++) {
                        char d = s.charAt(at + k);
                        if (d < '0' || d > '7') throw new BadValueException("octal escape needs three digits: \\" + s.substring(at + 1, at + 4));
                        v = v * 8 + (d - '0');
                    }
                    if (v == 0) throw new BadValueException("\\000 is not allowed (arguments cannot hold NUL)");
                    if (v > 255) throw new BadValueException("octal escape out of range: \\" + s.substring(at + 1, at + 4));
                    out.octet(v);
                    return at + 4;
                }
                throw new BadValueException("invalid escape \\" + c);
            }
        }
        return at + 2;
    }

    private static int appendCodePoint(Text out, int v, int next) {
        if (v == 0) throw new BadValueException("\\u0000 is not allowed (arguments cannot hold NUL)");
        if (!Character.isValidCodePoint(v) || (v >= 0xD800 && v <= 0xDFFF))
            throw new BadValueException("invalid Unicode code point " + Integer.toHexString(v));
        out.codePoint(v);
        return next;
    }

    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) throw new BadValueException("escape needs " + digits + " hex digits");
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(s.charAt(from + k), 16);
            if (d < 0) throw new BadValueException("escape needs " + digits + " hex digits: " + s.substring(from, from + digits));
            v = v * 16 + d;
        }
        return v;
    }

    /**
     * Renders one word so that {@link #split} gives it back unchanged: double-quoted when it holds anything
     * special, with backslash, quotes and control characters escaped. {@code %} is doubled when
     * {@code escapePercent} is set, for values that go through specifier expansion.
     */
    public static String quote(String word, boolean escapePercent) {
        if (word.indexOf('\0') >= 0) throw new IllegalArgumentException("a word cannot hold NUL");
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '%' -> b.append(escapePercent ? "%%" : "%");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
