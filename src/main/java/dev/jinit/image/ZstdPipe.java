package dev.jinit.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * zstd compression through the host's {@code zstd} program (the JDK has no zstd): the kernel
 * decompresses zstd several times faster than gzip, which counts under TCG. A host tool run at
 * build time, not a supervised process, so ProcessBuilder is right here.
 */
final class ZstdPipe extends FilterOutputStream {
    private final Process process;

    private ZstdPipe(Process process) {
        super(new java.io.BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.process = process;
    }

    /**
     * Level 19 with long matching would be smaller but take minutes; -3 is zstd's default speed.
     * {@code --check} no: the kernel's decompressor ignores the checksum anyway.
     */
    static OutputStream open(Path file) throws IOException {
        try {
            Process p = new ProcessBuilder("zstd", "-q", "-3", "-T0", "-c", "-")
                    .redirectOutput(file.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
            return new ZstdPipe(p);
        } catch (IOException e) {
            throw new IOException("--compress zstd needs the zstd program on PATH: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        super.close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int rc = process.waitFor();
            if (rc != 0) throw new IOException("zstd exited with " + rc + ": " + err.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while zstd finished", e);
        }
    }
}
