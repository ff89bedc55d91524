package dev.jinit.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a newc archive back, as the kernel would, for the tests. */
final class CpioReader {
    record Entry(String name, int mode, int rdevMajor, int rdevMinor, long mtime, byte[] data) {
        boolean isDirectory() {
            return (mode & 0170000) == Cpio.S_IFDIR;
        }

        boolean isSymlink() {
            return (mode & 0170000) == Cpio.S_IFLNK;
        }

        boolean isCharDevice() {
            return (mode & 0170000) == Cpio.S_IFCHR;
        }
    }

    private CpioReader() {}

    static Map<String, Entry> read(InputStream in) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        long offset = 0;
        while (true) {
            byte[] header = in.readNBytes(110);
            if (header.length < 110) throw new IOException("archive ends inside a header at " + offset);
            String h = new String(header, StandardCharsets.US_ASCII);
            if (!h.startsWith("070701")) throw new IOException("bad magic at " + offset + ": " + h.substring(0, 6));
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) f[i] = Long.parseLong(h.substring(6 + i * 8, 14 + i * 8), 16);
            offset += 110;
            byte[] name = in.readNBytes((int) f[11]);
            offset += name.length;
            offset += skipPad(in, offset);
            byte[] data = in.readNBytes((int) f[6]);
            offset += data.length;
            offset += skipPad(in, offset);
            String n = new String(name, 0, name.length - 1, StandardCharsets.UTF_8);
            if (n.equals("TRAILER!!!")) return entries;
            if (entries.put(n, new Entry(n, (int) f[1], (int) f[9], (int) f[10], f[5], data)) != null)
                throw new IOException("entry " + n + " twice");
        }
    }

    private static int skipPad(InputStream in, long offset) throws IOException {
        int pad = (int) ((4 - offset % 4) % 4);
        for (int i = 0; i < pad; i++) if (in.read() != 0) throw new IOException("non-zero padding at " + (offset + i));
        return pad;
    }
}
