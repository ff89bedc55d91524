package dev.jinit.net;

import java.util.Arrays;
import java.util.HexFormat;

/** A link-layer address (6 bytes on Ethernet; other lengths for other link types). */
public record MacAddress(byte[] bytes) {
    public static final MacAddress ETHERNET_BROADCAST = new MacAddress(new byte[] {-1, -1, -1, -1, -1, -1});

    public MacAddress {
        if (bytes.length == 0 || bytes.length > 16) throw new IllegalArgumentException("link-layer address of " + bytes.length + " bytes");
        bytes = bytes.clone();
    }

    /** {@code aa:bb:cc:dd:ee:ff}, also with dashes, as systemd.network's MACAddress= accepts. */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            try {
                b[i] = (byte) HexFormat.fromHexDigits(parts[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
        }
        return new MacAddress(b);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
