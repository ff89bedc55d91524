package dev.jinit.supervise;

import dev.jinit.exec.Users;
import dev.jinit.linux.Errno;
import dev.jinit.linux.Fcntl;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Sockets;
import dev.jinit.unit.Socket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the listening sockets and FIFOs of one socket unit, as systemd's socket_address_listen does: parent
 * directories with DirectoryMode=, a stale socket file replaced, SocketMode=, SocketUser=/SocketGroup=,
 * SO_REUSEADDR on IP sockets, BindIPv6Only=, ReusePort=, FreeBind=, PassCredentials=, buffer sizes, listen(2)
 * with Backlog=, then Symlinks=. It creates directories and may wait on a slow file system: it runs on the
 * spawn executor, never on the manager thread.
 */
final class SocketListeners {
    private SocketListeners() {}

    /**
     * Opens every Listen…= of the unit, in order. On a failure, what was opened is closed and the exception
     * names the line, the address and the errno.
     *
     * @param blocking clear O_NONBLOCK (Accept=no: the descriptors go to a service, which expects blocking
     *                 ones unless it sets otherwise, as with systemd's NonBlocking=no)
     */
    static List<Fd> open(String unit, Socket socket, boolean blocking) {
        List<Fd> out = new ArrayList<>();
        try {
            Integer uid = null, gid = null;
            if (socket.socketUser() != null) {
                Users.User u = Users.system().user(socket.socketUser());
                uid = u.uid();
                gid = u.gid();
            }
            if (socket.socketGroup() != null) gid = Users.system().gid(socket.socketGroup());
            for (Socket.Listen l : socket.listens()) {
                try {
                    Fd fd = l.kind() == Socket.Kind.FIFO ? fifo(l, socket, uid, gid) : bound(l, socket, uid, gid);
                    out.add(fd);
                    if (blocking) Fcntl.setBlocking(fd.get());
                } catch (LinuxException | IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(l.where() + ": " + l + ": " + e.getMessage(), e);
                }
            }
            for (Path link : socket.symlinks()) symlink(socket, link);
            return out;
        } catch (RuntimeException e) {
            for (Fd fd : out) fd.close();
            throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException(unit + ": " + e.getMessage(), e);
        }
    }

    private static Fd bound(Socket.Listen l, Socket s, Integer uid, Integer gid) throws IOException {
        int type = switch (l.kind()) {
            case STREAM -> Sockets.SOCK_STREAM;
            case DATAGRAM -> Sockets.SOCK_DGRAM;
            case SEQPACKET -> Sockets.SOCK_SEQPACKET;
            case FIFO -> throw new IllegalStateException("a FIFO is not a socket");
        };
        Fd fd;
        switch (l.address()) {
            case Socket.Address.FilePath p -> {
                fd = Sockets.socket(Sockets.AF_UNIX, type, 0, l.toString());
                try {
                    makeParents(p.path().getParent(), s.directoryMode());
                    byte[] addr = Sockets.unix(p.path().toString());
                    try {
                        Sockets.bind(fd, addr, p.path().toString());
                    } catch (LinuxException e) {
                        // systemd: a socket file left by an earlier run is unlinked and the bind tried once more.
                        if (e.errno() != Errno.EADDRINUSE || !isSocket(p.path())) throw e;
                        Files.delete(p.path());
                        Sockets.bind(fd, addr, p.path().toString());
                    }
                    Files.setPosixFilePermissions(p.path(), permissions(s.socketMode()));
                    if (uid != null || gid != null) Fs.chown(p.path().toString(), uid == null ? -1 : uid, gid == null ? -1 : gid);
                    options(fd, s, false, false);
                } catch (IOException | RuntimeException e) {
                    fd.close();
                    throw e;
                }
            }
            case Socket.Address.Abstract a -> {
                fd = Sockets.socket(Sockets.AF_UNIX, type, 0, l.toString());
                try {
                    Sockets.bind(fd, Sockets.unix("@" + a.name()), "@" + a.name());
                    options(fd, s, false, false);
                } catch (RuntimeException e) {
                    fd.close();
                    throw e;
                }
            }
            case Socket.Address.Inet in -> fd = inet(in, type, s, l);
        }
        if (type != Sockets.SOCK_DGRAM) {
            try {
                Sockets.listen(fd, s.backlog(), l.toString());
            } catch (RuntimeException e) {
                fd.close();
                throw e;
            }
        }
        return fd;
    }

    private static Fd inet(Socket.Address.Inet in, int type, Socket s, Socket.Listen l) {
        boolean v6 = in.ipv6();
        Fd fd;
        try {
            fd = Sockets.socket(v6 ? Sockets.AF_INET6 : Sockets.AF_INET, type, 0, l.toString());
        } catch (LinuxException e) {
            // A kernel without IPv6 (ipv6.disable=1): a bare port is bound on every IPv4 address instead, as systemd does.
            if (!(v6 && in.host() == null && e.errno() == 97 /* EAFNOSUPPORT */)) throw e;
            v6 = false;
            fd = Sockets.socket(Sockets.AF_INET, type, 0, l.toString());
        }
        try {
            Sockets.setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (v6 && s.bindIPv6Only() != Socket.BindIPv6Only.DEFAULT)
                Sockets.setOption(fd, Sockets.IPPROTO_IPV6, Sockets.IPV6_V6ONLY,
                        s.bindIPv6Only() == Socket.BindIPv6Only.IPV6_ONLY ? 1 : 0, "IPV6_V6ONLY");
            options(fd, s, true, v6);
            byte[] addr;
            if (v6) {
                byte[] host = in.host() == null ? new byte[16] : InetAddress.ofLiteral(in.host()).getAddress();
                if (host.length == 4) host = mapped(host);
                addr = Sockets.inet6(host, in.port(), in.device() == null ? 0 : ifindex(in.device()));
            } else {
                addr = Sockets.inet4(in.host() == null ? new byte[4] : InetAddress.ofLiteral(in.host()).getAddress(), in.port());
            }
            Sockets.bind(fd, addr, in.toString());
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static byte[] mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }

    /** An interface's index, from sysfs (the %iface of a link-local address). */
    private static int ifindex(String device) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", device, "ifindex")).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("no network interface " + device);
        }
    }

    private static void options(Fd fd, Socket s, boolean ip, boolean v6) {
        if (ip && s.reusePort()) Sockets.setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1, "SO_REUSEPORT");
        if (ip && s.freeBind())
            Sockets.setOption(fd, Sockets.IPPROTO_IP, Sockets.IP_FREEBIND, 1, "IP_FREEBIND");
        if (s.passCredentials()) Sockets.setOption(fd, Sockets.SOL_SOCKET, Sockets.SO_PASSCRED, 1, "SO_PASSCRED");
        if (s.receiveBuffer() > 0) buffer(fd, Sockets.SO_RCVBUFFORCE, Sockets.SO_RCVBUF, s.receiveBuffer(), "SO_RCVBUF");
        if (s.sendBuffer() > 0) buffer(fd, Sockets.SO_SNDBUFFORCE, Sockets.SO_SNDBUF, s.sendBuffer(), "SO_SNDBUF");
    }

    /** The FORCE variant needs CAP_NET_ADMIN; without it the size is capped by net.core.*mem_max, as systemd does. */
    private static void buffer(Fd fd, int force, int plain, int size, String name) {
        try {
            Sockets.setOption(fd, Sockets.SOL_SOCKET, force, size, name + "FORCE");
        } catch (LinuxException e) {
            Sockets.setOption(fd, Sockets.SOL_SOCKET, plain, size, name);
        }
    }

    private static Fd fifo(Socket.Listen l, Socket s, Integer uid, Integer gid) throws IOException {
        Path p = ((Socket.Address.FilePath) l.address()).path();
        makeParents(p.getParent(), s.directoryMode());
        try {
            Fs.mkfifo(p.toString(), s.socketMode());
            Files.setPosixFilePermissions(p, permissions(s.socketMode()));
            if (uid != null || gid != null) Fs.chown(p.toString(), uid == null ? -1 : uid, gid == null ? -1 : gid);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) throw e;
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (!(mode instanceof Integer m) || (m & 0170000) != 0010000)
                throw new IllegalArgumentException(p + " exists and is not a FIFO");
        }
        // Read-write, so that the FIFO never reports end-of-file to the service when a writer goes away.
        return Posix.open(p.toString(), Posix.O_RDWR | Posix.O_NONBLOCK | Posix.O_CLOEXEC | 0400 /* O_NOCTTY */
                | 0400000 /* O_NOFOLLOW */, 0);
    }

    private static void symlink(Socket s, Path link) {
        Path target = s.listens().stream().map(Socket.Listen::address).filter(a -> a instanceof Socket.Address.FilePath)
                .map(a -> ((Socket.Address.FilePath) a).path()).findFirst().orElseThrow();
        try {
            makeParents(link.getParent(), s.directoryMode());
            if (Files.isSymbolicLink(link)) Files.delete(link);
            Fs.symlink(target.toString(), link.toString());
        } catch (IOException | LinuxException e) {
            throw new IllegalArgumentException("Symlinks=" + link + ": " + e.getMessage(), e);
        }
    }

    private static void makeParents(Path dir, int mode) throws IOException {
        if (dir == null || Files.isDirectory(dir)) return;
        makeParents(dir.getParent(), mode);
        if (Fs.mkdir(dir.toString(), mode)) Files.setPosixFilePermissions(dir, permissions(mode));
    }

    private static boolean isSocket(Path p) {
        try {
            return Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m && (m & 0170000) == 0140000;
        } catch (IOException e) {
            return false;
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) if ((mode & (1 << i)) != 0) out.add(order[i]);
        return out;
    }

    /** Removes the file-system sockets, FIFOs and symlinks of the unit (RemoveOnStop=yes). */
    static void remove(Socket s) {
        for (Path link : s.symlinks()) quietlyDelete(link);
        for (Socket.Listen l : s.listens())
            if (l.address() instanceof Socket.Address.FilePath p) quietlyDelete(p.path());
    }

    private static void quietlyDelete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // systemd ignores this too: the file is reused or replaced at the next start
        }
    }
}
