package dev.jinit.unit;

import dev.jinit.linux.ProcStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Facts about the machine and the manager that specifiers expand to ({@code %h %u %U %t %H %m %b %v}). A record
 * so tests can pin every value; {@link #current()} reads them from the running system.
 *
 * @param userName   the manager's user ({@code %u})
 * @param uid        the manager's uid ({@code %U})
 * @param home       the manager's home directory ({@code %h})
 * @param runtimeDir {@code /run} for root, {@code $XDG_RUNTIME_DIR} otherwise ({@code %t})
 * @param hostname   {@code %H}
 * @param machineId  {@code %m}, from /etc/machine-id; empty when the machine has none
 * @param bootId     {@code %b}, from /proc/sys/kernel/random/boot_id
 * @param kernelRelease {@code %v}
 */
public record SystemContext(String userName, int uid, String home, String runtimeDir, String hostname,
                            String machineId, String bootId, String kernelRelease) {

    public static SystemContext current() {
        int uid = readUid();
        String user = System.getProperty("user.name", uid == 0 ? "root" : Integer.toString(uid));
        String home = System.getProperty("user.home", uid == 0 ? "/root" : "/");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        String runtime = uid == 0 || xdg == null || xdg.isEmpty() ? "/run" : xdg;
        return new SystemContext(user, uid, home, runtime, read("/proc/sys/kernel/hostname"),
                read("/etc/machine-id"), read("/proc/sys/kernel/random/boot_id").replace("-", ""),
                read("/proc/sys/kernel/osrelease"));
    }

    private static int readUid() {
        // The JDK has no getuid(); /proc/self/status has the real uid first on its Uid: line.
        try {
            return ProcStatus.read(Path.of("/proc/self/status")).id("Uid", ProcStatus.REAL);
        } catch (RuntimeException e) {
            // a manager that cannot read /proc is treated as unprivileged
            return -1;
        }
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
