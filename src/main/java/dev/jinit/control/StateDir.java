package dev.jinit.control;

import dev.jinit.linux.ProcStatus;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a running jinit keeps its sockets, logs and runtime files, so that the supervisor and the
 * client agree without being told: {@code --state DIR}, else {@code $JINIT_STATE}, else
 * {@code /run/jinit} for root, else {@code $XDG_RUNTIME_DIR/jinit}, else {@code /tmp/jinit-UID}.
 */
public final class StateDir {
    private StateDir() {}

    public static final String ENV = "JINIT_STATE";
    public static final Path ROOT_DEFAULT = Path.of("/run/jinit");
    public static final String CONTROL_SOCKET = "control.sock";
    public static final String NOTIFY_SOCKET = "notify.sock";

    /**
     * The state directory.
     *
     * @param option the {@code --state} value, or null
     * @param env    the environment to read {@code JINIT_STATE} and {@code XDG_RUNTIME_DIR} from
     * @param euid   the effective uid
     */
    public static Path resolve(String option, Map<String, String> env, int euid) {
        if (option != null) {
            if (option.isEmpty()) throw new IllegalArgumentException("--state: empty directory name");
            return Path.of(option).toAbsolutePath().normalize();
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) return Path.of(fromEnv).toAbsolutePath().normalize();
        if (euid == 0) return ROOT_DEFAULT;
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && runtime.startsWith("/")) return Path.of(runtime, "jinit");
        return Path.of("/tmp", "jinit-" + euid);
    }

    public static Path controlSocket(Path stateDir) {
        return stateDir.resolve(CONTROL_SOCKET);
    }

    public static Path notifySocket(Path stateDir) {
        return stateDir.resolve(NOTIFY_SOCKET);
    }

    /** Where a root jinit puts its notify socket when its state directory will not do (systemd: /run/systemd/notify). */
    public static final Path RUN_NOTIFY_DIR = Path.of("/run/jinit/notify");

    /**
     * The notify socket of a jinit with this state directory, as units must reach it: in the state directory
     * when every user can pass through it and PrivateTmp= cannot hide it; else, for root, in
     * {@link #RUN_NOTIFY_DIR} under a name of the state directory's own (a 0700 {@code mktemp -d} state
     * directory under /tmp would leave every unit with User= or PrivateTmp= unable to send READY=1).
     *
     * @param warnings told why the state directory was not used, or that units running as other users
     *                 cannot reach the socket (a jinit that is not root cannot use /run)
     */
    public static Path notifySocketFor(Path stateDir, boolean root, java.util.function.Consumer<String> warnings) {
        Path inState = notifySocket(stateDir);
        String why = hiddenBecause(stateDir);
        if (why == null) return inState;
        if (root && java.nio.file.Files.isDirectory(Path.of("/run"))) {
            try {
                java.nio.file.Files.createDirectories(RUN_NOTIFY_DIR);
                java.nio.file.Files.setPosixFilePermissions(RUN_NOTIFY_DIR,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(stateDir.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return RUN_NOTIFY_DIR.resolve(java.util.HexFormat.of().formatHex(digest, 0, 8) + ".sock");
            } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
                warnings.accept("cannot use " + RUN_NOTIFY_DIR + " for the notify socket (" + e.getMessage() + "); it stays in "
                        + stateDir + ", where " + why);
                return inState;
            }
        }
        warnings.accept("the notify socket " + inState + " is not reachable by every unit: " + why
                + "; Type=notify units with User= or PrivateTmp= will not be able to send READY=1");
        return inState;
    }

    /** Why a unit running as another user, or with PrivateTmp=, may not reach a socket in {@code dir}; null when it can. */
    static String hiddenBecause(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.startsWith("/tmp") || abs.startsWith("/var/tmp"))
            return abs + " lies under /tmp or /var/tmp, which PrivateTmp= replaces";
        for (Path p = abs; p != null; p = p.getParent()) {
            try {
                Object mode = java.nio.file.Files.getAttribute(p, "unix:mode");
                if (mode instanceof Integer m && (m & 01) == 0)
                    return p + " (mode " + Integer.toOctalString(m & 07777) + ") cannot be passed through by other users";
            } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
                if (p.equals(abs)) continue; // not made yet: it is created 0755 below a parent checked next
                return p + " cannot be checked (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    /**
     * This process's effective uid, read from /proc/self/status so the client does not pay for the
     * native linker just to learn it.
     */
    public static int effectiveUid() {
        return ProcStatus.read(Path.of("/proc/self/status")).id("Uid", ProcStatus.EFFECTIVE);
    }
}
