package dev.jinit.net;

import java.util.Arrays;

/**
 * What a DHCP client says about itself: its hardware address, the client identifier (option 61:
 * type 1 + MAC, or an RFC 4361 IAID + DUID), the host name it sends (option 12; null sends none),
 * and the options it asks for.
 */
public record DhcpSettings(MacAddress mac, byte[] clientId, String hostname) {
    /** Subnet mask, router, DNS, host name, domain, MTU, broadcast, lease time, T1, T2. */
    static final byte[] PARAMETERS = {1, 3, 6, 12, 15, 26, 28, 51, 58, 59};

    public DhcpSettings {
        clientId = clientId.clone();
        if (clientId.length < 2 || clientId.length > 255) throw new IllegalArgumentException("client identifier of " + clientId.length + " bytes");
        if (hostname != null && (hostname.isEmpty() || hostname.length() > 253))
            throw new IllegalArgumentException("host name to send must be 1..253 characters: \"" + hostname + "\"");
    }

    /** Client identifier type 1 (Ethernet) followed by the MAC, as dhclient and networkd's ClientIdentifier=mac. */
    public static byte[] macClientId(MacAddress mac) {
        byte[] m = mac.bytes();
        byte[] id = new byte[m.length + 1];
        id[0] = 1;
        System.arraycopy(m, 0, id, 1, m.length);
        return id;
    }

    /**
     * RFC 4361 client identifier: type 255, a 4-byte IAID naming the interface, then a DUID. jinit's DUID
     * is DUID-EN (type 2) under systemd's enterprise number 43793 with 8 bytes derived from the machine
     * id, so it is stable across interfaces and reboots as networkd's is (the bytes differ from
     * networkd's, whose hash key is its own).
     */
    public static byte[] duidClientId(int iaid, byte[] machineId) {
        byte[] hash;
        try {
            hash = java.security.MessageDigest.getInstance("SHA-256").digest(machineId);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + 4 + 2 + 4 + 8);
        b.put((byte) 255).putInt(iaid).putShort((short) 2).putInt(43793).put(hash, 0, 8);
        return b.array();
    }

    /** An IAID from the interface name: stable for the interface, different between interfaces. */
    public static int iaid(String ifname) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ifname.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    @Override
    public byte[] clientId() {
        return clientId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpSettings s && s.mac.equals(mac) && Arrays.equals(s.clientId, clientId)
                && java.util.Objects.equals(s.hostname, hostname);
    }

    @Override
    public int hashCode() {
        return mac.hashCode() * 31 + Arrays.hashCode(clientId);
    }
}
