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

    /**
     * This process's effective uid, read from /proc/self/status so the client does not pay for the
     * native linker just to learn it.
     */
    public static int effectiveUid() {
        return ProcStatus.read(Path.of("/proc/self/status")).id("Uid", ProcStatus.EFFECTIVE);
    }
}
