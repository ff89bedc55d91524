package dev.jinit.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The little of an ELF file an image needs: the program interpreter ({@code PT_INTERP}, the dynamic
 * loader), the libraries it names ({@code DT_NEEDED}) and where it asks to find them
 * ({@code DT_RPATH}/{@code DT_RUNPATH}), and a section's bytes (a module's {@code .modinfo}, which
 * holds its vermagic). Only 64-bit little-endian files, the x86_64 ABI the VM runs.
 *
 * @param interpreter the loader path, empty for a static binary or a library
 * @param needed the sonames in DT_NEEDED order
 * @param searchPath the RUNPATH (or RPATH when there is none) directories, {@code $ORIGIN} unexpanded
 */
public record ElfFile(Path file, Optional<String> interpreter, List<String> needed, List<String> searchPath) {
    private static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
    private static final long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_RPATH = 15, DT_RUNPATH = 29;

    /** True when the file starts with the ELF magic (a script or data file in a runtime's bin is skipped). */
    public static boolean isElf(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            ch.read(magic, 0);
            return magic.position() == 4 && magic.get(0) == 0x7f && magic.get(1) == 'E' && magic.get(2) == 'L'
                    && magic.get(3) == 'F';
        }
    }

    public static ElfFile read(Path file) throws IOException {
        ByteBuffer b = map(file);
        List<long[]> loads = new ArrayList<>(); // {vaddr, offset, filesz}
        long dynOffset = -1, dynSize = 0;
        String interpreter = null;
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36)), phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            int type = b.getInt(ph);
            long offset = b.getLong(ph + 8), vaddr = b.getLong(ph + 16), filesz = b.getLong(ph + 32);
            switch (type) {
                case PT_LOAD -> loads.add(new long[] {vaddr, offset, filesz});
                case PT_DYNAMIC -> {
                    dynOffset = offset;
                    dynSize = filesz;
                }
                case PT_INTERP -> interpreter = string(b, offset, file);
                default -> {}
            }
        }
        List<Long> neededOffsets = new ArrayList<>();
        long strtabAddr = -1, rpath = -1, runpath = -1;
        for (long at = dynOffset; dynOffset >= 0 && at + 16 <= dynOffset + dynSize; at += 16) {
            long tag = b.getLong(Math.toIntExact(at)), value = b.getLong(Math.toIntExact(at + 8));
            if (tag == DT_NULL) break;
            if (tag == DT_NEEDED) neededOffsets.add(value);
            else if (tag == DT_STRTAB) strtabAddr = value;
            else if (tag == DT_RPATH) rpath = value;
            else if (tag == DT_RUNPATH) runpath = value;
        }
        List<String> needed = new ArrayList<>();
        List<String> search = new ArrayList<>();
        if (strtabAddr >= 0) {
            // DT_STRTAB is an address in memory: the PT_LOAD segment holding it says where it is in the file.
            long strtab = fileOffset(loads, strtabAddr, file);
            for (long off : neededOffsets) needed.add(string(b, strtab + off, file));
            long path = runpath >= 0 ? runpath : rpath; // the loader ignores RPATH when RUNPATH is present
            if (path >= 0) for (String dir : string(b, strtab + path, file).split(":")) if (!dir.isEmpty()) search.add(dir);
        }
        return new ElfFile(file, Optional.ofNullable(interpreter), needed, search);
    }

    /** The bytes of the section named {@code name} (e.g. ".modinfo"), if the file has one. */
    public static Optional<byte[]> section(Path file, String name) throws IOException {
        ByteBuffer b = map(file);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A)), shnum = Short.toUnsignedInt(b.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3E));
        if (shoff == 0 || shstrndx >= shnum) return Optional.empty();
        long names = b.getLong(Math.toIntExact(shoff + (long) shstrndx * shentsize + 24));
        for (int i = 0; i < shnum; i++) {
            int sh = Math.toIntExact(shoff + (long) i * shentsize);
            if (string(b, names + Integer.toUnsignedLong(b.getInt(sh)), file).equals(name)) {
                long offset = b.getLong(sh + 24), size = b.getLong(sh + 32);
                byte[] data = new byte[Math.toIntExact(size)];
                b.get(Math.toIntExact(offset), data);
                return Optional.of(data);
            }
        }
        return Optional.empty();
    }

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            if (b.limit() < 64 || b.getInt(0) != 0x464c457f)
                throw new IOException(file + ": not an ELF file");
            if (b.get(4) != 2 || b.get(5) != 1)
                throw new IOException(file + ": not a 64-bit little-endian ELF file (the VM is x86_64)");
            return b;
        }
    }

    private static long fileOffset(List<long[]> loads, long vaddr, Path file) throws IOException {
        for (long[] l : loads) if (vaddr >= l[0] && vaddr < l[0] + l[2]) return vaddr - l[0] + l[1];
        throw new IOException(file + ": dynamic string table at 0x" + Long.toHexString(vaddr) + " is in no segment");
    }

    private static String string(ByteBuffer b, long offset, Path file) throws IOException {
        if (offset < 0 || offset >= b.limit()) throw new IOException(file + ": string offset " + offset + " beyond the file");
        int start = Math.toIntExact(offset), end = start;
        while (end < b.limit() && b.get(end) != 0) end++;
        byte[] bytes = new byte[end - start];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
