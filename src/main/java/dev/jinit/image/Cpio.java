package dev.jinit.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the "newc" cpio format, the one the kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII header
 * of "070701" and thirteen 8-digit hex fields, the NUL-terminated name padded to 4 bytes, then the
 * data padded to 4 bytes; the archive ends with an entry named {@code TRAILER!!!}.
 *
 * <p>The kernel does not create missing parent directories, so callers write a directory before
 * anything inside it ({@link ImageTree} does). Every entry gets its own inode number and one link:
 * hard links are not used, so the kernel never has to match them up.
 */
public final class Cpio implements AutoCloseable {
    public static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int nextInode = 1;
    private boolean closed;

    public Cpio(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, int permissions, long mtime) throws IOException {
        entry(name, S_IFDIR | permissions, 2, mtime, 0, 0, new byte[0]);
    }

    public void file(String name, int permissions, long mtime, byte[] data) throws IOException {
        entry(name, S_IFREG | permissions, 1, mtime, 0, 0, data);
    }

    /** A symbolic link: its data is the target. */
    public void symlink(String name, String target, long mtime) throws IOException {
        entry(name, S_IFLNK | 0777, 1, mtime, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** A character device such as /dev/console (5, 1), which the kernel opens for init's stdio. */
    public void charDevice(String name, int permissions, int major, int minor, long mtime) throws IOException {
        entry(name, S_IFCHR | permissions, 1, mtime, major, minor, new byte[0]);
    }

    private void entry(String name, int mode, int links, long mtime, int rdevMajor, int rdevMinor, byte[] data)
            throws IOException {
        if (closed) throw new IllegalStateException("cpio archive already closed");
        if (name.startsWith("/")) name = name.substring(1); // the kernel takes names relative to the root
        if (name.isEmpty()) throw new IllegalArgumentException("cpio entry with an empty name");
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder(110).append("070701");
        int inode = name.equals("TRAILER!!!") ? 0 : nextInode++;
        for (long field : new long[] {inode, mode, 0 /* uid */, 0 /* gid */, links, mtime, data.length,
                0, 0 /* dev major, minor */, rdevMajor, rdevMinor, nameBytes.length, 0 /* check */})
            header.append(hex8(field));
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(data);
        pad();
    }

    private static String hex8(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) throw new IllegalArgumentException("cpio field out of range: " + value);
        String hex = Long.toHexString(value).toUpperCase();
        return "0".repeat(8 - hex.length()) + hex;
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the trailer; the underlying stream is closed too. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        entry("TRAILER!!!", 0, 1, 0, 0, 0, new byte[0]);
        closed = true;
        out.close();
    }
}
