package dev.jinit.supervise;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Sockets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The instance name of an Accept=yes connection, as systemd's instance_from_socket makes it: {@code NR-LOCAL:PORT-
 * REMOTE:PORT} for IP (an IPv4-mapped IPv6 address written as IPv4), {@code NR-PID-UID} for a Unix socket, and
 * {@code NR-unknown} otherwise. NR counts the socket's connections from 0.
 */
final class InstanceNames {
    private InstanceNames() {}

    static String of(long nr, Fd conn) {
        byte[] local = Sockets.name(conn, 128);
        int family = local.length >= 2 ? (local[0] & 0xff) | (local[1] & 0xff) << 8 : -1;
        if (family == Sockets.AF_UNIX) {
            int[] cred = Sockets.peerCredentials(conn);
            return nr + "-" + cred[0] + "-" + cred[1];
        }
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) return nr + "-unknown";
        byte[] remote = Sockets.peerName(conn, 128);
        return nr + "-" + inet(local) + "-" + inet(remote);
    }

    /** {@code a.b.c.d:port} or {@code ipv6:port} of a sockaddr_in or sockaddr_in6. */
    static String inet(byte[] sa) {
        int family = (sa[0] & 0xff) | (sa[1] & 0xff) << 8;
        int port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
        byte[] addr = family == Sockets.AF_INET ? Arrays.copyOfRange(sa, 4, 8) : Arrays.copyOfRange(sa, 8, 24);
        if (addr.length == 16 && isMapped(addr)) addr = Arrays.copyOfRange(addr, 12, 16);
        try {
            // Java's IPv6 text is the full form (0:0:0:0:0:0:0:1); systemd's inet_ntop text is the short one.
            String text = InetAddress.getByAddress(addr).getHostAddress();
            if (addr.length == 16) text = shortIpv6(addr);
            return text + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
    static String shortIpv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') b.append(':');
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }
}
