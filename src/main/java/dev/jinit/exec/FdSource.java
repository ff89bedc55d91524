package dev.jinit.exec;

import java.nio.file.Path;

/** Where one descriptor of a child's fd table comes from. */
public sealed interface FdSource {
    /** The child gets the same descriptor jinit has at that number (0–2 usually). */
    record Inherit() implements FdSource {}

    /** {@code /dev/null}, opened read-write. */
    record Null() implements FdSource {}

    /** A file opened read-only. */
    record ReadFile(Path path) implements FdSource {}

    /** A file opened for writing, created with mode 0644 when missing; appended to or truncated. */
    record WriteFile(Path path, boolean append) implements FdSource {}

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
