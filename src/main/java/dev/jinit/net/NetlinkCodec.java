package dev.jinit.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes netlink messages and attributes, nothing else: no sockets, so every rule is
 * checked by unit and property tests. Netlink is in host byte order; every message and attribute
 * starts on a 4-byte boundary (NLMSG_ALIGN / NLA_ALIGN).
 */
public final class NetlinkCodec {
    private NetlinkCodec() {}

    public static final int HEADER = 16, ATTRIBUTE_HEADER = 4;

    static int align(int n) {
        return (n + 3) & ~3;
    }

    public static byte[] encode(List<NetlinkMessage> messages) {
        int size = 0;
        for (NetlinkMessage m : messages) size += align(HEADER + m.payload().length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        for (NetlinkMessage m : messages) {
            byte[] p = m.payload();
            b.putInt(HEADER + p.length).putShort((short) m.type()).putShort((short) m.flags())
                    .putInt(m.sequence()).putInt(m.portId()).put(p);
            b.position(align(b.position()));
        }
        return b.array();
    }

    public static byte[] encode(NetlinkMessage message) {
        return encode(List.of(message));
    }

    /**
     * Decodes every message of one datagram. A length field that is too small or runs past the
     * end is an error: the rest of the datagram cannot be trusted once one length is wrong.
     */
    public static List<NetlinkMessage> decode(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        List<NetlinkMessage> out = new ArrayList<>();
        int at = 0;
        while (datagram.length - at >= HEADER) {
            int len = b.getInt(at);
            if (len < HEADER || len > datagram.length - at)
                throw new MalformedMessageException("netlink message at byte " + at + " claims " + Integer.toUnsignedString(len)
                        + " bytes of " + (datagram.length - at) + " left");
            int type = Short.toUnsignedInt(b.getShort(at + 4)), flags = Short.toUnsignedInt(b.getShort(at + 6));
            byte[] payload = new byte[len - HEADER];
            b.get(at + HEADER, payload);
            out.add(new NetlinkMessage(type, flags, b.getInt(at + 8), b.getInt(at + 12), payload));
            at += align(len);
        }
        // A tail shorter than a header is padding only if it is empty; anything else is garbage.
        if (at < datagram.length)
            throw new MalformedMessageException("netlink datagram has " + (datagram.length - at) + " trailing bytes");
        return out;
    }

    public static byte[] encodeAttributes(List<NetlinkAttribute> attributes) {
        int size = 0;
        for (NetlinkAttribute a : attributes) size += align(ATTRIBUTE_HEADER + a.length());
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        for (NetlinkAttribute a : attributes) {
            b.putShort((short) (ATTRIBUTE_HEADER + a.length())).putShort((short) a.type()).put(a.value());
            b.position(align(b.position()));
        }
        return b.array();
    }

    /** Decodes the attributes in {@code bytes} from {@code offset} to the end. */
    public static List<NetlinkAttribute> decodeAttributes(byte[] bytes, int offset) {
        if (offset > bytes.length)
            throw new MalformedMessageException("netlink payload of " + bytes.length + " bytes is shorter than its "
                    + offset + "-byte header");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        List<NetlinkAttribute> out = new ArrayList<>();
        int at = offset;
        while (bytes.length - at >= ATTRIBUTE_HEADER) {
            int len = Short.toUnsignedInt(b.getShort(at));
            if (len < ATTRIBUTE_HEADER || len > bytes.length - at)
                throw new MalformedMessageException("netlink attribute at byte " + at + " claims " + len + " bytes of "
                        + (bytes.length - at) + " left");
            byte[] value = new byte[len - ATTRIBUTE_HEADER];
            b.get(at + ATTRIBUTE_HEADER, value);
            out.add(new NetlinkAttribute(Short.toUnsignedInt(b.getShort(at + 2)), value));
            at += align(len);
        }
        if (at < bytes.length)
            throw new MalformedMessageException("netlink attributes have " + (bytes.length - at) + " trailing bytes");
        return out;
    }

    /** Concatenates a fixed family header and its attributes into one payload. */
    public static byte[] payload(byte[] familyHeader, List<NetlinkAttribute> attributes) {
        byte[] attrs = encodeAttributes(attributes);
        byte[] out = new byte[align(familyHeader.length) + attrs.length];
        System.arraycopy(familyHeader, 0, out, 0, familyHeader.length);
        System.arraycopy(attrs, 0, out, align(familyHeader.length), attrs.length);
        return out;
    }
}
