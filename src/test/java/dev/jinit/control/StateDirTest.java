package dev.jinit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDirTest {
    @Test
    void optionThenEnvironmentThenDefaults() {
        Map<String, String> env = Map.of("JINIT_STATE", "/srv/state", "XDG_RUNTIME_DIR", "/run/user/1000");
        assertEquals(Path.of("/opt/x"), StateDir.resolve("/opt/x/", env, 0));
        assertEquals(Path.of("/srv/state"), StateDir.resolve(null, env, 1000));
        assertEquals(Path.of("/run/jinit"), StateDir.resolve(null, Map.of("XDG_RUNTIME_DIR", "/run/user/0"), 0));
        assertEquals(Path.of("/run/user/1000/jinit"), StateDir.resolve(null, Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals(Path.of("/tmp/jinit-1000"), StateDir.resolve(null, Map.of(), 1000));
        assertEquals(Path.of("/tmp/jinit-1000"), StateDir.resolve(null, Map.of("XDG_RUNTIME_DIR", "relative"), 1000));
        assertEquals(Path.of("/run/jinit/control.sock"), StateDir.controlSocket(StateDir.ROOT_DEFAULT));
        assertEquals(Path.of("/run/jinit/notify.sock"), StateDir.notifySocket(StateDir.ROOT_DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> StateDir.resolve("", env, 0));
    }

    @Test
    void theNotifySocketLeavesAStateDirectoryOtherUsersCannotEnter() throws Exception {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        Path base = java.nio.file.Files.createTempDirectory(Path.of("/var/lib"), "statedir-test-");
        try {
            Path closed = java.nio.file.Files.createDirectory(base.resolve("closed"),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Path open = java.nio.file.Files.createDirectory(base.resolve("open"),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
            java.nio.file.Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            assertEquals(null, StateDir.hiddenBecause(open));
            assertEquals(closed + " (mode 700) cannot be passed through by other users", StateDir.hiddenBecause(closed));
            assertEquals("/tmp/x lies under /tmp or /var/tmp, which PrivateTmp= replaces", StateDir.hiddenBecause(Path.of("/tmp/x")));
            assertEquals(open.resolve("notify.sock"), StateDir.notifySocketFor(open, true, warnings::add));
            // Not root: /run cannot be used; the socket stays and the reason is said.
            assertEquals(closed.resolve("notify.sock"), StateDir.notifySocketFor(closed, false, warnings::add));
            assertEquals(1, warnings.size(), warnings.toString());
            org.junit.jupiter.api.Assertions.assertTrue(warnings.getFirst().contains("will not be able to send READY=1"));
            Path moved = StateDir.notifySocketFor(closed, true, warnings::add);
            assertEquals(StateDir.RUN_NOTIFY_DIR, moved.getParent());
            assertEquals(moved, StateDir.notifySocketFor(closed, true, warnings::add), "the same name each time");
        } finally {
            for (String d : new String[] {"closed", "open"}) java.nio.file.Files.deleteIfExists(base.resolve(d));
            java.nio.file.Files.deleteIfExists(base);
        }
    }

    @Test
    void effectiveUidIsOurs() {
        assertEquals(ProcessHandleUid.current(), StateDir.effectiveUid());
    }

    /** The uid as the JDK sees this process's files: what it creates is owned by the effective uid. */
    static final class ProcessHandleUid {
        static int current() {
            try {
                Path f = java.nio.file.Files.createTempFile("jinit-uid-", "");
                try {
                    return (Integer) java.nio.file.Files.getAttribute(f, "unix:uid");
                } finally {
                    java.nio.file.Files.delete(f);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
