package dev.jinit.supervise;

import dev.jinit.exec.SpawnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A unit's RuntimeDirectory=, StateDirectory= and LogsDirectory=, made before its first process of a
 * run and (the runtime ones) removed when it is down. Slow file-system work (a chown, a recursive
 * delete on a busy disk): so it runs on the spawn executor, never on the manager thread.
 *
 * <p>A directory that cannot be set up fails the start as systemd fails it: the process is not
 * started, the result is "resources", and the exit status is systemd's EXIT_RUNTIME_DIRECTORY (233),
 * EXIT_STATE_DIRECTORY (238) or EXIT_LOGS_DIRECTORY (240).
 */
record UnitDirectories(List<Dir> dirs) {
    /** systemd's exit statuses for a directory that could not be set up (exit-status.h). */
    static final int EXIT_RUNTIME_DIRECTORY = 233, EXIT_STATE_DIRECTORY = 238, EXIT_LOGS_DIRECTORY = 240;

    /** One directory: its path, mode, owner (null: jinit's), and what it is for. */
    record Dir(Path path, int mode, Integer uid, Integer gid, String directive, int exitStatus) {}

    UnitDirectories {
        dirs = List.copyOf(dirs);
    }

    static UnitDirectories of(UnitDefinition.Directories d, Manager.Options options) {
        List<Dir> out = new ArrayList<>();
        Integer gid = d.gid() != null ? d.gid() : d.uid();
        for (String n : d.runtime())
            out.add(new Dir(options.runtimeBase().resolve(n), d.runtimeMode(), d.uid(), gid, "RuntimeDirectory", EXIT_RUNTIME_DIRECTORY));
        for (String n : d.state())
            out.add(new Dir(options.stateBase().resolve(n), d.stateMode(), d.uid(), gid, "StateDirectory", EXIT_STATE_DIRECTORY));
        for (String n : d.logs())
            out.add(new Dir(options.logsBase().resolve(n), d.logsMode(), d.uid(), gid, "LogsDirectory", EXIT_LOGS_DIRECTORY));
        return new UnitDirectories(out);
    }

    /**
     * Makes every directory, owned by the unit's user, with its mode.
     *
     * @throws SpawnException naming the directive, the path and why, with systemd's exit status
     */
    void create() {
        for (Dir dir : dirs) {
            try {
                Files.createDirectories(dir.path());
                if (!Files.isDirectory(dir.path(), LinkOption.NOFOLLOW_LINKS))
                    throw new IOException("exists and is not a directory");
                if (dir.uid() != null) {
                    Files.setAttribute(dir.path(), "unix:uid", dir.uid(), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(dir.path(), "unix:gid", dir.gid(), LinkOption.NOFOLLOW_LINKS);
                }
                // chmod(2) with the whole mode, after the chown: the setgid and sticky bits
                // (redis' RuntimeDirectoryMode=2755, a shared 1777) have no PosixFilePermission.
                Files.setAttribute(dir.path(), "unix:mode", dir.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                throw new SpawnException(dir.directive() + "=" + dir.path() + ": " + e
                        + " (status=" + dir.exitStatus() + "/" + statusName(dir.exitStatus()) + ")", dir.exitStatus(), e);
            }
        }
    }

    /** Removes the runtime directories (RuntimeDirectory= is gone when the unit is down); returns a line per failure. */
    List<String> removeRuntime() {
        List<String> failures = new ArrayList<>();
        for (Dir dir : dirs) {
            if (dir.exitStatus() != EXIT_RUNTIME_DIRECTORY) continue;
            try {
                deleteTree(dir.path());
            } catch (IOException | RuntimeException e) {
                failures.add("Failed to remove runtime directory " + dir.path() + ": " + e);
            }
        }
        return failures;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static String statusName(int status) {
        return switch (status) {
            case EXIT_RUNTIME_DIRECTORY -> "RUNTIME_DIRECTORY";
            case EXIT_STATE_DIRECTORY -> "STATE_DIRECTORY";
            case EXIT_LOGS_DIRECTORY -> "LOGS_DIRECTORY";
            default -> Integer.toString(status);
        };
    }
}
