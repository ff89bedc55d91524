package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Accept=yes instance names as systemd's instance_from_socket writes the addresses. */
class InstanceNamesTest {
    private static byte[] v6(int port, int... groups) {
        byte[] a = new byte[28];
        a[0] = 10;
        a[2] = (byte) (port >> 8);
        a[3] = (byte) port;
        for (int i = 0; i < 8; i++) {
            a[8 + 2 * i] = (byte) (groups[i] >> 8);
            a[9 + 2 * i] = (byte) groups[i];
        }
        return a;
    }

    @Test
    void addressesAreWrittenLikeInetNtop() {
        assertEquals("::1:22", InstanceNames.inet(v6(22, 0, 0, 0, 0, 0, 0, 0, 1)));
        assertEquals("fe80::1:2:443", InstanceNames.inet(v6(443, 0xfe80, 0, 0, 0, 0, 0, 1, 2)));
        assertEquals("2001:db8::8:800:200c:417a:80", InstanceNames.inet(v6(80, 0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a)));
        assertEquals("1:0:1:0:1:0:1:0:1", InstanceNames.inet(v6(1, 1, 0, 1, 0, 1, 0, 1, 0)));
        // An IPv4-mapped address (a dual-stack socket's IPv4 peer) is written as IPv4.
        assertEquals("127.0.0.1:5000", InstanceNames.inet(v6(5000, 0, 0, 0, 0, 0, 0xffff, 0x7f00, 1)));
        byte[] v4 = {2, 0, 0x1f, (byte) 0x90, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals("10.0.2.15:8080", InstanceNames.inet(v4));
    }
}
