package dev.jinit.system;

import dev.jinit.log.LogPump;
import dev.jinit.log.Stream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code jinit daemon-reexec} hands from the old jinit to the new one besides the unit records:
 * which descriptors it kept open through execve (the units' log pipes), in {@code <state>/reexec}. The
 * file names the pid that wrote it: only that same process after its execve takes it (a file left by a
 * reexec that failed, or by another process, is ignored and removed).
 */
final class ReexecState {
    private ReexecState() {}

    static final String FILE = "reexec";

    /** The kept log pipes, by unit. */
    record Handed(int pid, Map<String, List<LogPump.Kept>> logs) {}

    static void write(Path stateDir, int pid, List<LogPump.Kept> kept) throws IOException {
        StringBuilder b = new StringBuilder("pid=").append(pid).append('\n');
        for (LogPump.Kept k : kept) b.append("log=").append(k.fd()).append(' ').append(k.stream().tag()).append(' ').append(k.unit()).append('\n');
        Path tmp = stateDir.resolve("." + FILE + ".tmp");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, stateDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void delete(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            // ignored at the next start: it names a pid that is not the reader's
        }
    }

    /** The hand-over for this process ({@code self}), or null when there is none; the file is removed. */
    static Handed read(Path stateDir, int self, PrintStream err) {
        Path file = stateDir.resolve(FILE);
        String text;
        try {
            text = new String(dev.jinit.linux.RegularFile.read(file, 1 << 20), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            err.println("jinit: ignoring " + file + ": " + e.getMessage());
            delete(stateDir);
            return null;
        }
        delete(stateDir);
        int pid = -1;
        Map<String, List<LogPump.Kept>> logs = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            try {
                if (line.startsWith("pid=")) pid = Integer.parseInt(line.substring(4));
                else if (line.startsWith("log=")) {
                    String[] f = line.substring(4).split(" ", 3);
                    Stream stream = f[1].equals(Stream.STDERR.tag()) ? Stream.STDERR : Stream.STDOUT;
                    logs.computeIfAbsent(f[2], u -> new ArrayList<>()).add(new LogPump.Kept(f[2], Integer.parseInt(f[0]), stream));
                } else if (!line.isBlank()) throw new IllegalArgumentException("unknown line");
            } catch (RuntimeException e) {
                err.println("jinit: " + file + ":" + (i + 1) + ": cannot read '" + line + "' (" + e.getMessage() + "); ignoring the file");
                return null;
            }
        }
        if (pid != self) {
            err.println("jinit: ignoring " + file + ": written by pid " + pid + " for its own re-exec, this is pid " + self);
            return null;
        }
        return new Handed(pid, logs);
    }
}
