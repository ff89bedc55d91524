package dev.jinit.unit;

import java.nio.file.Path;
import java.util.List;

/**
 * The [Socket] section of a {@code .socket} unit (systemd.socket(5)): what jinit binds at the unit's start, and
 * how it hands the sockets to the service it activates.
 *
 * @param listens            ListenStream=/ListenDatagram=/ListenSequentialPacket=/ListenFIFO=, in file order
 *                           (the order of the descriptors from 3 on)
 * @param accept             Accept=: one service instance per connection, the connection as its socket
 * @param service            Service=, or null for the unit of the same name ({@code foo.service}, or the
 *                           template {@code foo@.service} with Accept=yes)
 * @param maxConnections     MaxConnections= (Accept=yes: more concurrent instances are refused)
 * @param socketMode         SocketMode= of file-system sockets and FIFOs (0666)
 * @param directoryMode      DirectoryMode= of parent directories made for them (0755)
 * @param socketUser         SocketUser=, or null (root)
 * @param socketGroup        SocketGroup=, or null
 * @param backlog            Backlog= of listen(2) (SOMAXCONN)
 * @param bindIPv6Only       BindIPv6Only=: default, both or ipv6-only
 * @param reusePort          ReusePort= (SO_REUSEPORT)
 * @param freeBind           FreeBind= (IP_FREEBIND)
 * @param passCredentials    PassCredentials= (SO_PASSCRED)
 * @param receiveBuffer      ReceiveBuffer= in bytes (SO_RCVBUF), or 0
 * @param sendBuffer         SendBuffer= in bytes (SO_SNDBUF), or 0
 * @param fileDescriptorName FileDescriptorName= (LISTEN_FDNAMES), the unit name's prefix by default
 * @param removeOnStop       RemoveOnStop=: socket files removed when the unit stops
 * @param symlinks           Symlinks=: links made to the one file-system socket
 */
public record Socket(List<Listen> listens, boolean accept, String service, int maxConnections, int socketMode,
                     int directoryMode, String socketUser, String socketGroup, int backlog, BindIPv6Only bindIPv6Only,
                     boolean reusePort, boolean freeBind, boolean passCredentials, int receiveBuffer, int sendBuffer,
                     String fileDescriptorName, boolean removeOnStop, List<Path> symlinks) {
    public Socket {
        listens = List.copyOf(listens);
        symlinks = List.copyOf(symlinks);
        if (listens.isEmpty()) throw new IllegalArgumentException("a socket unit needs at least one Listen…= line");
    }

    /** systemd's SOMAXCONN default for Backlog= (the kernel caps it at net.core.somaxconn). */
    public static final int DEFAULT_BACKLOG = 4096;

    public enum BindIPv6Only {
        DEFAULT, BOTH, IPV6_ONLY;

        static BindIPv6Only parse(String v) {
            return switch (v) {
                case "default" -> DEFAULT;
                case "both" -> BOTH;
                case "ipv6-only" -> IPV6_ONLY;
                default -> throw new BadValueException("not default, both or ipv6-only");
            };
        }
    }

    /** The four kinds of Listen…= jinit binds. */
    public enum Kind {
        STREAM("ListenStream"), DATAGRAM("ListenDatagram"), SEQPACKET("ListenSequentialPacket"), FIFO("ListenFIFO");

        public final String directive;

        Kind(String directive) {
            this.directive = directive;
        }
    }

    /**
     * One Listen…= line.
     *
     * @param kind    stream, datagram, sequential packet or FIFO
     * @param address where: a path, an abstract name or an IP address and port
     * @param where   {@code file:line} of the line, for errors at bind time
     */
    public record Listen(Kind kind, Address address, String where) {
        @Override
        public String toString() {
            return kind.directive + "=" + address;
        }
    }

    /** Where a socket listens, as systemd.socket(5) reads a Listen…= value. */
    public sealed interface Address {
        /** A file-system socket or FIFO (an absolute path). */
        record FilePath(Path path) implements Address {
            @Override
            public String toString() {
                return path.toString();
            }
        }

        /** An abstract-namespace Unix socket ({@code @name}; the name without the '@'). */
        record Abstract(String name) implements Address {
            @Override
            public String toString() {
                return "@" + name;
            }
        }

        /**
         * An IP socket. {@code host} is null for "every address" (a bare port: IPv6 {@code [::]}, which also takes
         * IPv4 unless BindIPv6Only=ipv6-only), else a literal IPv4 or IPv6 address; {@code device} is the
         * {@code %iface} of a link-local IPv6 address, or null.
         */
        record Inet(String host, boolean ipv6, int port, String device) implements Address {
            @Override
            public String toString() {
                if (host == null) return Integer.toString(port);
                return ipv6 ? "[" + host + (device == null ? "" : "%" + device) + "]:" + port : host + ":" + port;
            }
        }

        /**
         * Parses a value of ListenStream=/ListenDatagram=/ListenSequentialPacket= (systemd.socket(5)): an absolute
         * path, {@code @abstract}, a port, {@code IPv4:port} or {@code [IPv6]:port} (with {@code %iface}).
         *
         * @throws BadValueException naming what is wrong
         */
        static Address parse(String v) {
            if (v.startsWith("/")) {
                if (v.length() > 107) throw new BadValueException("socket path longer than 107 bytes (sun_path)");
                return new FilePath(Path.of(v).normalize());
            }
            if (v.startsWith("@")) {
                if (v.length() < 2) throw new BadValueException("empty abstract socket name");
                if (v.length() > 107) throw new BadValueException("abstract socket name longer than 107 bytes");
                return new Abstract(v.substring(1));
            }
            if (v.startsWith("vsock:")) throw new BadValueException("AF_VSOCK sockets are not supported by jinit");
            if (v.chars().allMatch(Character::isDigit)) return new Inet(null, true, port(v), null);
            if (v.startsWith("[")) {
                int close = v.indexOf(']');
                if (close < 0 || !v.startsWith("]:", close))
                    throw new BadValueException("not [IPv6-address]:port");
                String host = v.substring(1, close), device = null;
                int pct = host.indexOf('%');
                if (pct >= 0) {
                    device = host.substring(pct + 1);
                    host = host.substring(0, pct);
                    if (device.isEmpty() || device.length() > 15) throw new BadValueException("bad interface name after %");
                }
                if (!isIpv6(host)) throw new BadValueException("not an IPv6 address: " + host);
                return new Inet(host, true, port(v.substring(close + 2)), device);
            }
            int colon = v.lastIndexOf(':');
            if (colon > 0 && v.indexOf(':') == colon) {
                String host = v.substring(0, colon);
                if (!isIpv4(host)) throw new BadValueException("not an IPv4 address: " + host);
                return new Inet(host, false, port(v.substring(colon + 1)), null);
            }
            throw new BadValueException("not a socket address (/path, @abstract, PORT, IPv4:PORT or [IPv6]:PORT)");
        }

        private static int port(String p) {
            if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit))
                throw new BadValueException("not a port number: " + p);
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) throw new BadValueException("port out of range 1..65535: " + p);
            return n;
        }

        static boolean isIpv4(String s) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) return false;
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return false;
                if (Integer.parseInt(part) > 255) return false;
            }
            return true;
        }

        static boolean isIpv6(String s) {
            if (s.isEmpty() || !s.contains(":") || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.'))
                return false;
            try {
                return java.net.InetAddress.ofLiteral(s) instanceof java.net.Inet6Address
                        || java.net.InetAddress.ofLiteral(s) instanceof java.net.Inet4Address; // ::ffff:a.b.c.d maps
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
