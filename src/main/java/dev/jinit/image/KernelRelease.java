package dev.jinit.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which kernel release a file belongs to, so that an image never pairs a kernel with another
 * kernel's modules (finit_module would refuse them at boot with ENOEXEC, far from the mistake).
 */
public final class KernelRelease {
    private KernelRelease() {}

    /**
     * The release of an x86 bzImage ({@code 6.1.0-28-cloud-amd64}): the boot protocol's setup header
     * has "HdrS" at 0x202 and, at 0x20E, the offset (from 0x200) of the version string the kernel
     * prints at boot, whose first word is the release.
     */
    public static String ofBzImage(Path kernel) throws IOException {
        byte[] head = new byte[64 * 1024];
        int n;
        try (var in = Files.newInputStream(kernel)) {
            n = in.readNBytes(head, 0, head.length);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        if (n < 0x210 || b.getInt(0x202) != 0x53726448)
            throw new IOException(kernel + ": not an x86 kernel image (no \"HdrS\" boot header)");
        int at = 0x200 + Short.toUnsignedInt(b.getShort(0x20E));
        int end = at;
        while (end < n && head[end] != 0 && head[end] != ' ') end++;
        if (at >= n || end == at) throw new IOException(kernel + ": boot header names no kernel version");
        return new String(head, at, end - at, StandardCharsets.US_ASCII);
    }

    /**
     * The release a module was built for, the first word of its {@code vermagic} in .modinfo; empty
     * for a compressed module ({@code .ko.xz} and the like), which this does not unpack.
     */
    public static Optional<String> ofModule(Path module) throws IOException {
        if (!module.getFileName().toString().endsWith(".ko")) return Optional.empty();
        Optional<byte[]> modinfo = ElfFile.section(module, ".modinfo");
        if (modinfo.isEmpty()) return Optional.empty();
        for (String field : new String(modinfo.get(), StandardCharsets.UTF_8).split("\0"))
            if (field.startsWith("vermagic=")) {
                String value = field.substring("vermagic=".length()).strip();
                int space = value.indexOf(' ');
                return Optional.of(space < 0 ? value : value.substring(0, space));
            }
        return Optional.empty();
    }
}
