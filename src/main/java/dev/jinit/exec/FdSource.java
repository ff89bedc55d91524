package dev.jinit.exec;

import dev.jinit.linux.Posix;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Where one descriptor of a child's fd table comes from. */
public sealed interface FdSource {
    /** The child gets the same descriptor jinit has at that number (0–2 usually). */
    record Inherit() implements FdSource {}

    /** {@code /dev/null}, opened read-write. */
    record Null() implements FdSource {}

    /** A file opened read-only. */
    record ReadFile(Path path) implements FdSource {}

    /**
     * A file opened for writing, created with mode 0644 when missing. Two equal WriteFile entries of
     * one spec (stdout and stderr to the same file) share one open file description, as systemd
     * shares them, so their writes follow each other instead of overwriting each other.
     */
    record WriteFile(Path path, Mode mode) implements FdSource {
        /** systemd.exec(5)'s three ways of writing to a file, named by their directive prefix. */
        public enum Mode {
            /** {@code file:} written from the beginning, neither truncated nor appended to. */
            OVERWRITE("file:", 0),
            /** {@code truncate:} emptied first. */
            TRUNCATE("truncate:", Posix.O_TRUNC),
            /** {@code append:} every write goes to the end (O_APPEND). */
            APPEND("append:", Posix.O_APPEND);

            private final String prefix;
            private final int openFlags;

            Mode(String prefix, int openFlags) {
                this.prefix = prefix;
                this.openFlags = openFlags;
            }

            /** The directive prefix, e.g. {@code append:}. */
            public String prefix() {
                return prefix;
            }

            /** The open(2) flags beyond O_WRONLY|O_CREAT that this mode adds. */
            public int openFlags() {
                return openFlags;
            }

            /** The mode whose prefix starts {@code value} ({@code append:/var/log/x}), if any. */
            public static Optional<Mode> ofValue(String value) {
                for (Mode m : values()) if (value.startsWith(m.prefix)) return Optional.of(m);
                return Optional.empty();
            }
        }

        public WriteFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** A descriptor jinit already has open; the caller keeps ownership of it. */
    record OpenFd(int fd) implements FdSource {}

    /**
     * A new pipe: the child gets one end, {@link Spawned#pipes()} returns the other. A pipe the child
     * writes (stdout, stderr) has {@code childWrites}; one it reads (stdin) has not.
     */
    record Pipe(boolean childWrites) implements FdSource {}

    FdSource INHERIT = new Inherit();
    FdSource NULL = new Null();
}
