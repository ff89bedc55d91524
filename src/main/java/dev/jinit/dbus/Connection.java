package dev.jinit.dbus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A client connection to a D-Bus message bus over a Unix socket: SASL EXTERNAL authentication (the
 * bus checks the peer credentials the kernel gives it), Hello, then messages in and out. Blocking:
 * one thread owns it; {@link #close} from another thread ends a blocked {@link #read}.
 */
public final class Connection implements AutoCloseable {
    /** Where the system bus listens unless DBUS_SYSTEM_BUS_ADDRESS says otherwise (D-Bus specification). */
    public static final String DEFAULT_SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";
    private static final String BUS = "org.freedesktop.DBus", BUS_PATH = "/org/freedesktop/DBus";
    /** Longest SASL line accepted from the bus. */
    private static final int MAX_LINE = 4096;

    private final String address;
    private final SocketChannel channel;
    private long serial;
    private String uniqueName;
    /** Bytes read past the SASL "OK" line (none with a well-behaved bus, which waits for BEGIN). */
    private final ByteBuffer pending = ByteBuffer.allocate(MAX_LINE);

    private Connection(String address, SocketChannel channel) {
        this.address = address;
        this.channel = channel;
        pending.flip();
    }

    /**
     * The socket path of a {@code unix:path=...} address (the first of a ';' list that is one);
     * abstract and TCP addresses are not supported.
     */
    public static Path socketPath(String address) {
        for (String one : address.split(";")) {
            if (!one.startsWith("unix:")) continue;
            for (String kv : one.substring(5).split(",")) {
                if (kv.startsWith("path=")) return Path.of(unescape(kv.substring(5)));
            }
        }
        throw new DBusException("D-Bus address '" + address + "': only unix:path= addresses are supported");
    }

    /** D-Bus addresses escape bytes as %XX. */
    private static String unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Connects, authenticates as {@code uid} and says Hello.
     * @throws IOException when the socket cannot be reached or the connection ends
     * @throws DBusException when the bus refuses or speaks something else
     */
    public static Connection open(String address, int uid) throws IOException {
        Path path = socketPath(address);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Connection c = new Connection(address, ch);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
            c.authenticate(uid);
            c.uniqueName = c.call("Hello").arg(0);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public String address() {
        return address;
    }

    /** The name the bus gave this connection (":1.42"). */
    public String uniqueName() {
        return uniqueName;
    }

    private void authenticate(int uid) throws IOException {
        String hexUid = hex(Integer.toUnsignedString(uid));
        // The NUL byte comes first (on Linux the credentials go with the socket, not with it).
        write(("\0AUTH EXTERNAL " + hexUid + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String answer = readLine();
        if (!answer.startsWith("OK ")) {
            throw new DBusException("D-Bus " + address + " refused authentication as uid " + uid + ": " + answer);
        }
        write("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.US_ASCII)) b.append(String.format("%02x", x));
        return b.toString();
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(256);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) throw new IOException("D-Bus " + address + " closed the connection during authentication");
            one.flip();
            while (one.hasRemaining()) {
                char c = (char) (one.get() & 0xff);
                line.append(c);
                int n = line.length();
                if (n >= 2 && line.charAt(n - 2) == '\r' && c == '\n') {
                    pending.clear();
                    pending.put(one);
                    pending.flip();
                    return line.substring(0, n - 2);
                }
                if (n > MAX_LINE) throw new DBusException("D-Bus " + address + " sent an authentication line over " + MAX_LINE + " bytes");
            }
        }
    }

    /** Sends a method call to the bus itself with string arguments; returns its serial. */
    public long send(String member, String... args) throws IOException {
        long s = nextSerial();
        send(s, member, args);
        return s;
    }

    /** A serial for {@link #send(long, String, String...)}, so the caller can record it before the call leaves. */
    public synchronized long nextSerial() {
        return ++serial;
    }

    /** Sends a method call to the bus itself with string arguments under {@code serial}. */
    public synchronized void send(long serial, String member, String... args) throws IOException {
        write(Message.methodCall(serial, BUS, BUS_PATH, BUS, member, args));
    }

    /**
     * Calls a method of the bus and waits for its answer, which must be the next message apart from
     * signals (only for use before anything else is pending: Hello).
     */
    private Message call(String member, String... args) throws IOException {
        long s = send(member, args);
        while (true) {
            Message m = read();
            if (m.replySerial() != s) continue;
            if (m.type() == Message.ERROR) throw new DBusException("D-Bus " + member + ": " + m.errorName() + ": " + m.arg(0));
            return m;
        }
    }

    private void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) channel.write(b);
    }

    /** The next message from the bus; blocks. */
    public Message read() throws IOException {
        byte[] fixed = new byte[Message.FIXED_HEADER];
        readFully(fixed, 0, fixed.length);
        int total = Message.totalLength(fixed);
        byte[] all = new byte[total];
        System.arraycopy(fixed, 0, all, 0, fixed.length);
        readFully(all, fixed.length, total - fixed.length);
        return Message.parse(all);
    }

    private void readFully(byte[] into, int off, int len) throws IOException {
        while (len > 0 && pending.hasRemaining()) {
            into[off++] = pending.get();
            len--;
        }
        ByteBuffer b = ByteBuffer.wrap(into, off, len);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) throw new IOException("D-Bus " + address + " closed the connection");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with it
        }
    }
}
