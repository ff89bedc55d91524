package dev.jinit.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of a DHCP message (RFC 2132), by code, in the order they were added. An option that
 * appears several times in a packet is one option whose value is the concatenation (RFC 3396), which
 * is how long DNS lists arrive from some servers. Values longer than 255 bytes are split again when
 * encoded.
 */
public final class DhcpOptions {
    public static final int PAD = 0, SUBNET_MASK = 1, ROUTER = 3, DNS = 6, HOSTNAME = 12, DOMAIN = 15, MTU = 26,
            BROADCAST = 28, REQUESTED_IP = 50, LEASE_TIME = 51, OVERLOAD = 52, MESSAGE_TYPE = 53, SERVER_ID = 54,
            PARAMETER_REQUEST = 55, MESSAGE = 56, MAX_MESSAGE_SIZE = 57, RENEWAL_TIME = 58, REBINDING_TIME = 59,
            CLIENT_ID = 61, END = 255;

    private final Map<Integer, byte[]> values;

    private DhcpOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    public static DhcpOptions of(Map<Integer, byte[]> values) {
        Map<Integer, byte[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k <= PAD || k >= END) throw new IllegalArgumentException("DHCP option code " + k + " carries no value");
            copy.put(k, v.clone());
        });
        return new DhcpOptions(copy);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds options in order; adding a code again replaces its value. */
    public static final class Builder {
        private final Map<Integer, byte[]> values = new LinkedHashMap<>();

        public Builder put(int code, byte[] value) {
            values.put(code, value.clone());
            return this;
        }

        public Builder putByte(int code, int v) {
            return put(code, new byte[] {(byte) v});
        }

        public Builder putShort(int code, int v) {
            return put(code, new byte[] {(byte) (v >>> 8), (byte) v});
        }

        public Builder putInt(int code, long v) {
            return put(code, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        }

        public Builder putAddress(int code, Ipv4 a) {
            return put(code, a.bytes());
        }

        public Builder putString(int code, String s) {
            return put(code, s.getBytes(StandardCharsets.UTF_8));
        }

        public DhcpOptions build() {
            return of(values);
        }
    }

    public Map<Integer, byte[]> asMap() {
        Map<Integer, byte[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    public Optional<byte[]> get(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    public boolean has(int code) {
        return values.containsKey(code);
    }

    /** The DHCP message type (option 53), or 0 when absent or not one byte. */
    public int messageType() {
        byte[] v = values.get(MESSAGE_TYPE);
        return v != null && v.length == 1 ? Byte.toUnsignedInt(v[0]) : 0;
    }

    /** A single address option; empty when absent or not 4 bytes. */
    public Optional<Ipv4> address(int code) {
        byte[] v = values.get(code);
        return v != null && v.length == 4 ? Optional.of(Ipv4.fromBytes(v, 0)) : Optional.empty();
    }

    /** A list of addresses; empty when absent or not a multiple of 4 bytes. */
    public List<Ipv4> addresses(int code) {
        byte[] v = values.get(code);
        if (v == null || v.length == 0 || v.length % 4 != 0) return List.of();
        List<Ipv4> out = new ArrayList<>();
        for (int i = 0; i < v.length; i += 4) out.add(Ipv4.fromBytes(v, i));
        return List.copyOf(out);
    }

    /** An unsigned 32-bit value (lease times); empty when absent or not 4 bytes. */
    public Optional<Long> uint32(int code) {
        byte[] v = values.get(code);
        if (v == null || v.length != 4) return Optional.empty();
        return Optional.of(Integer.toUnsignedLong(Ipv4.fromBytes(v, 0).bits()));
    }

    public Optional<Integer> uint16(int code) {
        byte[] v = values.get(code);
        if (v == null || v.length != 2) return Optional.empty();
        return Optional.of(((v[0] & 0xff) << 8) | (v[1] & 0xff));
    }

    /** A text option, without trailing NULs (some servers add them). */
    public Optional<String> string(int code) {
        byte[] v = values.get(code);
        if (v == null) return Optional.empty();
        int end = v.length;
        while (end > 0 && v[end - 1] == 0) end--;
        return Optional.of(new String(v, 0, end, StandardCharsets.UTF_8));
    }

    /** Encodes the options (code, length, value; split at 255 bytes) followed by END. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        values.forEach((code, v) -> {
            int at = 0;
            do {
                int n = Math.min(255, v.length - at);
                out.write(code);
                out.write(n);
                out.write(v, at, n);
                at += n;
            } while (at < v.length);
        });
        out.write(END);
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || !other.values.keySet().equals(values.keySet())) return false;
        for (var e : values.entrySet()) if (!Arrays.equals(e.getValue(), other.values.get(e.getKey()))) return false;
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (var e : values.entrySet()) h += e.getKey() ^ Arrays.hashCode(e.getValue());
        return h;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
                .append(java.util.HexFormat.of().formatHex(v)));
        return b.append('}').toString();
    }
}
