package dev.jinit.net;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DHCP wire format (RFC 2131 section 2, RFC 2132 section 2): 236 bytes of BOOTP fields, the magic
 * cookie 99.130.83.99, options. Decoding refuses, with a reason, anything a client must not act on:
 * truncated or oversized packets, a wrong cookie, an option whose length runs past the end. Pure:
 * property-tested for round trips and fuzzed with garbage.
 */
public final class DhcpCodec {
    private DhcpCodec() {}

    static final int FIXED = 236, COOKIE = 0x63825363, SNAME_AT = 44, FILE_AT = 108, OPTIONS_AT = 240;
    /** BOOTP's minimum message: some servers and relays drop shorter requests (RFC 1542 section 2.1). */
    static final int MINIMUM = 300;
    /** What jinit announces in option 57 and accepts: the UDP payload of a 1500-byte IP packet would be 1472. */
    public static final int MAXIMUM = 1500;

    public static byte[] encode(DhcpMessage m) {
        byte[] options = m.options().encode();
        ByteBuffer b = ByteBuffer.allocate(Math.max(MINIMUM, OPTIONS_AT + options.length));
        b.put((byte) m.op()).put((byte) 1).put((byte) m.chaddr().length()).put((byte) 0);
        b.putInt(m.xid()).putShort((short) m.secs()).putShort((short) (m.broadcast() ? 0x8000 : 0));
        b.putInt(m.ciaddr().bits()).putInt(m.yiaddr().bits()).putInt(m.siaddr().bits()).putInt(m.giaddr().bits());
        b.put(Arrays.copyOf(m.chaddr().bytes(), 16));
        b.position(FIXED);
        b.putInt(COOKIE).put(options);
        return b.array();
    }

    public static DhcpMessage decode(byte[] p) {
        if (p.length < OPTIONS_AT) throw new MalformedMessageException("truncated DHCP packet: " + p.length + " bytes");
        if (p.length > MAXIMUM) throw new MalformedMessageException("oversized DHCP packet: " + p.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(p);
        int op = p[0] & 0xff, htype = p[1] & 0xff, hlen = p[2] & 0xff;
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) throw new MalformedMessageException("BOOTP op " + op);
        if (hlen == 0 || hlen > 16) throw new MalformedMessageException("hardware address length " + hlen + " (htype " + htype + ")");
        if (b.getInt(FIXED) != COOKIE)
            throw new MalformedMessageException("wrong magic cookie 0x" + Integer.toHexString(b.getInt(FIXED)));
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        int overload = readOptions(p, OPTIONS_AT, p.length, options, "options");
        // Option 52: the server ran out of room and continued in the file and/or sname fields.
        if ((overload & 1) != 0) readOptions(p, FILE_AT, FILE_AT + 128, options, "file field");
        if ((overload & 2) != 0) readOptions(p, SNAME_AT, SNAME_AT + 64, options, "sname field");
        options.remove(DhcpOptions.OVERLOAD);
        return new DhcpMessage(op, b.getInt(4), Short.toUnsignedInt(b.getShort(8)), (b.getShort(10) & 0x8000) != 0,
                new Ipv4(b.getInt(12)), new Ipv4(b.getInt(16)), new Ipv4(b.getInt(20)), new Ipv4(b.getInt(24)),
                new MacAddress(Arrays.copyOfRange(p, 28, 28 + hlen)), DhcpOptions.of(options));
    }

    /** Reads options from [at, end) into {@code into} (concatenating repeats); returns option 52's value, if seen. */
    private static int readOptions(byte[] p, int at, int end, Map<Integer, byte[]> into, String where) {
        int overload = 0;
        while (at < end) {
            int code = p[at] & 0xff;
            if (code == DhcpOptions.END) return overload;
            if (code == DhcpOptions.PAD) {
                at++;
                continue;
            }
            if (at + 1 >= end) throw new MalformedMessageException("option " + code + " in the " + where + " has no length");
            int len = p[at + 1] & 0xff;
            if (at + 2 + len > end)
                throw new MalformedMessageException("option " + code + " in the " + where + " claims " + len + " bytes, "
                        + (end - at - 2) + " left");
            byte[] v = Arrays.copyOfRange(p, at + 2, at + 2 + len);
            if (code == DhcpOptions.OVERLOAD) {
                if (len != 1) throw new MalformedMessageException("option 52 of " + len + " bytes");
                overload = v[0] & 3;
            }
            byte[] old = into.get(code);
            if (old != null) {
                byte[] joined = Arrays.copyOf(old, old.length + len);
                System.arraycopy(v, 0, joined, old.length, len);
                v = joined;
            }
            into.put(code, v);
            at += 2 + len;
        }
        // No END: tolerated, as by dnsmasq and systemd, when every option was whole.
        return overload;
    }
}
