package dev.jinit.dbus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One D-Bus message, and the part of the wire format (D-Bus specification, "Message Protocol")
 * jinit needs to watch bus names: method calls with string arguments out; method returns, errors and
 * signals in, whose string arguments are read. Any well-formed message can be read (unknown header
 * fields and bodies of other signatures are skipped by their signature), so a bus that sends
 * something unexpected never breaks the connection.
 *
 * @param type      {@link #METHOD_CALL}, {@link #METHOD_RETURN}, {@link #ERROR} or {@link #SIGNAL}
 * @param serial    the sender's serial of this message
 * @param replySerial the serial this one answers (returns and errors), else 0
 * @param path      PATH header field, or null
 * @param iface     INTERFACE header field, or null
 * @param member    MEMBER header field, or null
 * @param errorName ERROR_NAME header field, or null
 * @param sender    SENDER header field, or null
 * @param signature the body's signature ("" when there is no body)
 * @param args      the body's values when its signature holds only strings, object paths and
 *                  signatures (as Strings); else empty
 */
public record Message(int type, long serial, long replySerial, String path, String iface, String member,
                      String errorName, String sender, String signature, List<String> args) {
    public static final int METHOD_CALL = 1, METHOD_RETURN = 2, ERROR = 3, SIGNAL = 4;
    /** The specification's limit of a whole message. */
    public static final int MAX_MESSAGE = 128 * 1024 * 1024;
    /** Fixed part of the header: endianness, type, flags, version, body length, serial, fields length. */
    static final int FIXED_HEADER = 16;

    private static final int F_PATH = 1, F_INTERFACE = 2, F_MEMBER = 3, F_ERROR_NAME = 4, F_REPLY_SERIAL = 5,
            F_DESTINATION = 6, F_SENDER = 7, F_SIGNATURE = 8;

    public Message {
        args = List.copyOf(args);
    }

    /** The first argument, or null. */
    public String arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }

    /**
     * A method call to {@code destination} with string arguments, little-endian, serial {@code serial}.
     */
    public static byte[] methodCall(long serial, String destination, String path, String iface, String member,
                                    String... stringArgs) {
        Writer body = new Writer();
        for (String s : stringArgs) body.string(s);
        byte[] bodyBytes = body.bytes();

        Writer h = new Writer();
        h.byte_('l');
        h.byte_(METHOD_CALL);
        h.byte_(0); // flags: a reply is expected, auto-start allowed
        h.byte_(1); // protocol version
        h.uint32(bodyBytes.length);
        h.uint32(serial);
        int lengthAt = h.size();
        h.uint32(0); // header fields array length, patched below
        int start = h.size(); // 16: already 8-aligned
        h.field(F_PATH, 'o', path);
        if (iface != null) h.field(F_INTERFACE, 's', iface);
        h.field(F_MEMBER, 's', member);
        if (destination != null) h.field(F_DESTINATION, 's', destination);
        if (stringArgs.length > 0) h.field(F_SIGNATURE, 'g', "s".repeat(stringArgs.length));
        h.patchUint32(lengthAt, h.size() - start);
        h.align(8);
        byte[] head = h.bytes();
        byte[] out = new byte[head.length + bodyBytes.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bodyBytes, 0, out, head.length, bodyBytes.length);
        return out;
    }

    /**
     * The total length of the message whose first 16 bytes are {@code fixed}.
     * @throws DBusException when the header is not D-Bus or the message is too long
     */
    public static int totalLength(byte[] fixed) {
        ByteBuffer b = order(ByteBuffer.wrap(fixed, 0, FIXED_HEADER), fixed[0]);
        if (fixed[3] != 1) throw new DBusException("unsupported D-Bus protocol version " + fixed[3]);
        long body = Integer.toUnsignedLong(b.getInt(4));
        long fields = Integer.toUnsignedLong(b.getInt(12));
        long total = FIXED_HEADER + fields + pad(FIXED_HEADER + fields, 8) + body;
        if (total > MAX_MESSAGE) throw new DBusException("D-Bus message of " + total + " bytes is over the limit");
        return (int) total;
    }

    /** Reads one whole message ({@link #totalLength} bytes). */
    public static Message parse(byte[] m) {
        ByteBuffer b = order(ByteBuffer.wrap(m), m[0]);
        int type = m[1] & 0xff;
        long bodyLength = Integer.toUnsignedLong(b.getInt(4));
        long serial = Integer.toUnsignedLong(b.getInt(8));
        Reader r = new Reader(b);
        r.pos = 12;
        long fieldsLength = r.uint32();
        long end = r.pos + fieldsLength;
        String path = null, iface = null, member = null, error = null, sender = null, signature = "";
        long replySerial = 0;
        while (r.pos < end) {
            r.align(8);
            int code = r.u8();
            String sig = r.signature();
            Object v = r.value(sig, new int[] {0});
            switch (code) {
                case F_PATH -> path = (String) v;
                case F_INTERFACE -> iface = (String) v;
                case F_MEMBER -> member = (String) v;
                case F_ERROR_NAME -> error = (String) v;
                case F_REPLY_SERIAL -> replySerial = (Long) v;
                case F_SENDER -> sender = (String) v;
                case F_SIGNATURE -> signature = (String) v;
                default -> { } // DESTINATION, UNIX_FDS and fields of later versions
            }
        }
        if (r.pos != end) throw new DBusException("D-Bus header fields overrun their length");
        r.align(8);
        int bodyStart = r.pos;
        if (bodyStart + bodyLength != m.length) throw new DBusException("D-Bus body length does not match the message");
        List<String> args = new ArrayList<>();
        if (signature.chars().allMatch(c -> c == 's' || c == 'o' || c == 'g')) {
            int[] i = {0};
            while (i[0] < signature.length()) args.add((String) r.value(signature, i));
        }
        return new Message(type, serial, replySerial, path, iface, member, error, sender, signature, args);
    }

    private static ByteBuffer order(ByteBuffer b, byte endian) {
        if (endian == 'l') return b.order(ByteOrder.LITTLE_ENDIAN);
        if (endian == 'B') return b.order(ByteOrder.BIG_ENDIAN);
        throw new DBusException("not a D-Bus message (endianness byte " + (endian & 0xff) + ")");
    }

    static long pad(long at, int alignment) {
        return (alignment - at % alignment) % alignment;
    }

    /** Little-endian marshalling of what jinit sends. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private byte[] patched;

        int size() { return out.size(); }

        void byte_(int v) { out.write(v); }

        void align(int n) {
            while (out.size() % n != 0) out.write(0);
        }

        void uint32(long v) {
            align(4);
            out.write((int) v);
            out.write((int) (v >>> 8));
            out.write((int) (v >>> 16));
            out.write((int) (v >>> 24));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            uint32(b.length);
            out.writeBytes(b);
            out.write(0);
        }

        void signature(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
            out.write(0);
        }

        /** A header field: a struct (byte code, variant) whose variant holds a string-like value. */
        void field(int code, char type, String value) {
            align(8);
            byte_(code);
            signature(String.valueOf(type));
            if (type == 'g') signature(value);
            else string(value);
        }

        void patchUint32(int at, long v) {
            patched = out.toByteArray();
            ByteBuffer.wrap(patched).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) v);
            out.reset();
            out.writeBytes(patched);
        }

        byte[] bytes() { return out.toByteArray(); }
    }

    /** Reads values by signature; offsets count from the message's start, as the alignment rules do. */
    private static final class Reader {
        private static final int MAX_DEPTH = 64;
        private final ByteBuffer b;
        int pos;
        private int depth;

        Reader(ByteBuffer b) {
            this.b = b;
        }

        void align(int n) {
            pos += (int) pad(pos, n);
            if (pos > b.limit()) throw new DBusException("truncated D-Bus message");
        }

        private void need(int n) {
            if (pos + n > b.limit() || pos + n < pos) throw new DBusException("truncated D-Bus message");
        }

        int u8() {
            need(1);
            return b.get(pos++) & 0xff;
        }

        long uint32() {
            align(4);
            need(4);
            long v = Integer.toUnsignedLong(b.getInt(pos));
            pos += 4;
            return v;
        }

        String string() {
            long n = uint32();
            if (n > b.limit()) throw new DBusException("D-Bus string longer than its message");
            need((int) n + 1);
            byte[] s = new byte[(int) n];
            b.get(pos, s);
            pos += (int) n;
            if (b.get(pos++) != 0) throw new DBusException("D-Bus string without its NUL");
            return new String(s, StandardCharsets.UTF_8);
        }

        String signature() {
            int n = u8();
            need(n + 1);
            byte[] s = new byte[n];
            b.get(pos, s);
            pos += n;
            if (b.get(pos++) != 0) throw new DBusException("D-Bus signature without its NUL");
            return new String(s, StandardCharsets.US_ASCII);
        }

        /**
         * The value of the complete type starting at {@code sig[at[0]]}; advances both. Strings,
         * paths and signatures as String, every integer as Long; containers are skipped (null).
         */
        Object value(String sig, int[] at) {
            if (at[0] >= sig.length()) throw new DBusException("D-Bus signature '" + sig + "' ends too early");
            if (++depth > MAX_DEPTH) throw new DBusException("D-Bus value nested too deeply");
            try {
                char c = sig.charAt(at[0]++);
                switch (c) {
                    case 'y' -> { return (long) u8(); }
                    case 'b', 'u', 'i', 'h' -> { return uint32(); }
                    case 'n', 'q' -> { align(2); need(2); pos += 2; return null; }
                    case 'x', 't', 'd' -> { align(8); need(8); pos += 8; return null; }
                    case 's', 'o' -> { return string(); }
                    case 'g' -> { return signature(); }
                    case 'v' -> {
                        String inner = signature();
                        int[] i = {0};
                        Object v = value(inner, i);
                        if (i[0] != inner.length()) throw new DBusException("D-Bus variant holds more than one type");
                        return v;
                    }
                    case 'a' -> {
                        long n = uint32();
                        if (n > 64L * 1024 * 1024) throw new DBusException("D-Bus array too long");
                        int elementStart = at[0];
                        if (elementStart >= sig.length()) throw new DBusException("D-Bus signature '" + sig + "' ends in an array");
                        char e = sig.charAt(elementStart);
                        align(e == '(' || e == '{' || e == 'x' || e == 't' || e == 'd' ? 8 : alignmentOf(e));
                        int end = pos + (int) n;
                        int[] i = {elementStart};
                        if (n == 0) skipType(sig, i);
                        while (pos < end) {
                            i[0] = elementStart;
                            value(sig, i);
                        }
                        if (pos != end) throw new DBusException("D-Bus array overruns its length");
                        at[0] = i[0];
                        return null;
                    }
                    case '(', '{' -> {
                        align(8);
                        char close = c == '(' ? ')' : '}';
                        while (at[0] < sig.length() && sig.charAt(at[0]) != close) value(sig, at);
                        if (at[0] >= sig.length()) throw new DBusException("D-Bus signature '" + sig + "' is not closed");
                        at[0]++;
                        return null;
                    }
                    default -> throw new DBusException("unknown D-Bus type '" + c + "'");
                }
            } finally {
                depth--;
            }
        }

        private static int alignmentOf(char c) {
            return switch (c) {
                case 'y', 'g', 'v' -> 1;
                case 'n', 'q' -> 2;
                default -> 4;
            };
        }

        /** Moves past one complete type in a signature without reading data (an empty array's element). */
        private static void skipType(String sig, int[] at) {
            if (at[0] >= sig.length()) throw new DBusException("D-Bus signature '" + sig + "' ends too early");
            char c = sig.charAt(at[0]++);
            if (c == 'a') {
                skipType(sig, at);
            } else if (c == '(' || c == '{') {
                char close = c == '(' ? ')' : '}';
                while (at[0] < sig.length() && sig.charAt(at[0]) != close) skipType(sig, at);
                if (at[0] >= sig.length()) throw new DBusException("D-Bus signature '" + sig + "' is not closed");
                at[0]++;
            }
        }
    }
}
