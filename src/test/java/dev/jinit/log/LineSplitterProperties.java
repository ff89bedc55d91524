package dev.jinit.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LineSplitterProperties {
    record Piece(byte[] bytes, boolean cut) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Piece p && p.cut == cut && Arrays.equals(p.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 31 + (cut ? 1 : 0);
        }

        @Override
        public String toString() {
            return (cut ? "cut:" : "") + new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    static List<Piece> split(byte[] input, int maxLine, int[] chunkSizes) {
        List<Piece> out = new ArrayList<>();
        LineSplitter.Sink sink = (b, off, len, cut) -> out.add(new Piece(Arrays.copyOfRange(b, off, off + len), cut));
        LineSplitter s = new LineSplitter(maxLine);
        int pos = 0, k = 0;
        while (pos < input.length) {
            int n = Math.min(input.length - pos, chunkSizes.length == 0 ? input.length : Math.max(1, chunkSizes[k++ % chunkSizes.length]));
            s.feed(input, pos, n, sink);
            assertTrue(s.pending() <= maxLine, "pending bytes within the line bound");
            pos += n;
        }
        s.finish(sink);
        return out;
    }

    /** Bytes rich in newlines and multi-byte UTF-8, plus arbitrary bytes. */
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<byte[]> text = Arbitraries.of("a", "bc", "hello world", "\n", "\n", "é", "€", "😀", "\r", "\t", "\r\n")
                .list().ofMaxSize(120).map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        return Arbitraries.oneOf(text, binary);
    }

    @Provide
    Arbitrary<int[]> chunkings() {
        return Arbitraries.integers().between(1, 70).array(int[].class).ofMinSize(0).ofMaxSize(8);
    }

    @Property
    void readBoundariesDoNotChangeTheLines(@ForAll("streams") byte[] input, @ForAll @IntRange(min = 4, max = 40) int maxLine,
                                          @ForAll("chunkings") int[] chunks) {
        assertEquals(split(input, maxLine, new int[0]), split(input, maxLine, chunks));
    }

    @Property
    void linesReassembleToTheInput(@ForAll("streams") byte[] input, @ForAll @IntRange(min = 4, max = 40) int maxLine,
                                   @ForAll("chunkings") int[] chunks) {
        List<Piece> pieces = split(input, maxLine, chunks);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pieces.size(); i++) {
            Piece p = pieces.get(i);
            out.writeBytes(p.bytes());
            boolean last = i == pieces.size() - 1;
            if (!p.cut() && !(last && input.length > 0 && input[input.length - 1] != '\n')) out.write('\n');
        }
        assertArrayEquals(input, out.toByteArray());
    }

    @Property
    void piecesRespectTheMaximumAndCutOnlyWhenNeeded(@ForAll("streams") byte[] input, @ForAll @IntRange(min = 4, max = 40) int maxLine,
                                                     @ForAll("chunkings") int[] chunks) {
        for (Piece p : split(input, maxLine, chunks)) {
            assertTrue(p.bytes().length <= maxLine, p::toString);
            if (p.cut()) assertTrue(p.bytes().length >= maxLine - 3, "a cut piece is at most 3 bytes short: " + p);
            for (byte b : p.bytes()) assertTrue(b != '\n', "no newline inside a line");
        }
    }

    @Property
    void cutsKeepValidUtf8Valid(@ForAll @Size(max = 300) String s, @ForAll @IntRange(min = 4, max = 40) int maxLine,
                                @ForAll("chunkings") int[] chunks) throws CharacterCodingException {
        byte[] input = s.replace("\n", "").getBytes(StandardCharsets.UTF_8);
        if (!s.codePoints().allMatch(Character::isValidCodePoint) || hasLoneSurrogate(s)) return;
        for (Piece p : split(input, maxLine, chunks))
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(p.bytes())); // throws if a piece split a sequence
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) return true;
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) return true;
        }
        return false;
    }

    @Example
    void aLineOfExactlyTheMaximumIsWholeWhereverTheNewlineArrives() {
        byte[] input = "abcdefgh\nxy".getBytes(StandardCharsets.US_ASCII);
        List<Piece> expected = List.of(new Piece("abcdefgh".getBytes(), false), new Piece("xy".getBytes(), false));
        assertEquals(expected, split(input, 8, new int[0]));
        assertEquals(expected, split(input, 8, new int[] {8, 1}));
        assertEquals(expected, split(input, 8, new int[] {3}));
    }

    @Example
    void aLongLineIsCutBeforeAMultiByteCharacter() {
        byte[] input = "abcdef€gh\n".getBytes(StandardCharsets.UTF_8); // € is 3 bytes at offsets 6..8
        List<Piece> pieces = split(input, 8, new int[0]);
        assertEquals(List.of(new Piece("abcdef".getBytes(), true), new Piece("€gh".getBytes(StandardCharsets.UTF_8), false)), pieces);
    }
}
