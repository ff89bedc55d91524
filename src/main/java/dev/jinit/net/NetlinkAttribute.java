package dev.jinit.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One netlink attribute ({@code struct nlattr}: u16 length, u16 type, value, padded to 4 bytes).
 * {@code type} keeps the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits as sent; {@link #kind()} is the
 * type without them.
 */
public record NetlinkAttribute(int type, byte[] value) {
    public static final int NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000;
    /** The value may be at most this long: the 16-bit length counts the 4-byte header too. */
    public static final int MAX_VALUE = 0xffff - 4;

    public NetlinkAttribute {
        if ((type & ~0xffff) != 0) throw new IllegalArgumentException("attribute type out of range: " + type);
        if (value.length > MAX_VALUE) throw new IllegalArgumentException("attribute value too long: " + value.length);
        value = value.clone();
    }

    public static NetlinkAttribute ofInt(int type, int v) {
        return new NetlinkAttribute(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A NUL-terminated string, as the kernel expects names (IFLA_IFNAME, IFA_LABEL). */
    public static NetlinkAttribute ofString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new NetlinkAttribute(type, Arrays.copyOf(b, b.length + 1));
    }

    public int kind() {
        return type & ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    /** A 32-bit value in host order; shorter values (u8, u16) are widened, as the kernel's are. */
    public int asInt() {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        return switch (value.length) {
            case 1 -> Byte.toUnsignedInt(value[0]);
            case 2 -> Short.toUnsignedInt(b.getShort());
            case 4, 8 -> b.getInt();
            default -> throw new IllegalArgumentException("attribute " + kind() + " is " + value.length + " bytes, not an integer");
        };
    }

    /** A string up to its first NUL (or the whole value when the sender did not terminate it). */
    public String asString() {
        int end = 0;
        while (end < value.length && value[end] != 0) end++;
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "NetlinkAttribute[type=" + type + ", " + value.length + " bytes]";
    }
}
