package dev.jinit.unit;

import dev.jinit.linux.ProcStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Facts about the machine and the manager that specifiers expand to (systemd.unit(5), "Specifiers"). A record
 * so tests can pin every value; {@link #current()} reads them from the running system.
 *
 * @param userName       the manager's user ({@code %u}); never the unit's User=, as in systemd
 * @param uid            the manager's uid ({@code %U})
 * @param groupName      the manager's group ({@code %g})
 * @param gid            the manager's gid ({@code %G})
 * @param home           the manager's home directory ({@code %h})
 * @param shell          the manager's shell ({@code %s}); systemd synthesizes {@code /bin/sh} for root
 * @param runtimeDir     {@code /run} for root, {@code $XDG_RUNTIME_DIR} otherwise ({@code %t})
 * @param hostname       {@code %H}
 * @param prettyHostname PRETTY_HOSTNAME= of /etc/machine-info, or empty ({@code %q} then falls back to %l)
 * @param machineId      {@code %m}, from /etc/machine-id; empty when the machine has none
 * @param bootId         {@code %b}, from /proc/sys/kernel/random/boot_id
 * @param kernelRelease  {@code %v}
 * @param architecture   {@code %a} in systemd's spelling ({@code x86-64}, {@code arm64}, …)
 * @param osRelease      the fields of /etc/os-release (or /usr/lib/os-release): ID ({@code %o}),
 *                       VERSION_ID ({@code %w}), VARIANT_ID ({@code %W}), IMAGE_ID ({@code %M}),
 *                       IMAGE_VERSION ({@code %A}), BUILD_ID ({@code %B}); a missing field is empty
 * @param tmpDir         {@code %T}: $TMPDIR, $TEMP or $TMP, else /tmp
 * @param varTmpDir      {@code %V}: $TMPDIR, $TEMP or $TMP, else /var/tmp
 */
public record SystemContext(String userName, int uid, String groupName, int gid, String home, String shell,
                            String runtimeDir, String hostname, String prettyHostname, String machineId,
                            String bootId, String kernelRelease, String architecture, Map<String, String> osRelease,
                            String tmpDir, String varTmpDir) {

    public SystemContext {
        osRelease = Map.copyOf(osRelease);
    }

    /** The fields tests used to pin; the others as systemd's system manager has them on x86-64 Debian. */
    public SystemContext(String userName, int uid, String home, String runtimeDir, String hostname,
                         String machineId, String bootId, String kernelRelease) {
        this(userName, uid, uid == 0 ? "root" : userName, uid, home, "/bin/sh", runtimeDir, hostname, "", machineId,
                bootId, kernelRelease, "x86-64", Map.of(), "/tmp", "/var/tmp");
    }

    public static SystemContext current() {
        int uid = readId("Uid");
        int gid = readId("Gid");
        String user = System.getProperty("user.name", uid == 0 ? "root" : Integer.toString(uid));
        String home = System.getProperty("user.home", uid == 0 ? "/root" : "/");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        String runtime = uid == 0 || xdg == null || xdg.isEmpty() ? "/run" : xdg;
        // systemd answers these for root without asking NSS (synthesize_user_creds): root, /root, /bin/sh.
        String group = uid == 0 && gid == 0 ? "root" : groupName(gid);
        String shell = uid == 0 ? "/bin/sh" : passwdShell(uid);
        String tmp = firstEnv("TMPDIR", "TEMP", "TMP");
        Map<String, String> os = readEnvFile(Path.of("/etc/os-release"));
        if (os.isEmpty()) os = readEnvFile(Path.of("/usr/lib/os-release"));
        return new SystemContext(user, uid, group, gid, home, shell, runtime, read("/proc/sys/kernel/hostname"),
                readEnvFile(Path.of("/etc/machine-info")).getOrDefault("PRETTY_HOSTNAME", ""),
                read("/etc/machine-id"), read("/proc/sys/kernel/random/boot_id").replace("-", ""),
                read("/proc/sys/kernel/osrelease"), architecture(System.getProperty("os.arch", "")), os,
                tmp == null ? "/tmp" : tmp, tmp == null ? "/var/tmp" : tmp);
    }

    /** One os-release field ({@code ID}, {@code VERSION_ID}, …), empty when the file does not set it. */
    public String osField(String key) {
        return osRelease.getOrDefault(key, "");
    }

    /** The JVM's os.arch in systemd's architecture names (ConditionArchitecture=). */
    static String architecture(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86-64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            case "aarch64", "arm64" -> "arm64";
            case "arm", "aarch32" -> "arm";
            case "ppc64le" -> "ppc64-le";
            case "ppc64" -> "ppc64";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case "loongarch64" -> "loongarch64";
            default -> osArch;
        };
    }

    private static String firstEnv(String... names) {
        for (String n : names) {
            String v = System.getenv(n);
            if (v != null && v.startsWith("/")) return v;
        }
        return null;
    }

    /** An os-release style file: KEY=value lines, values optionally quoted. Missing file: empty. */
    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                int eq = l.indexOf('=');
                if (l.startsWith("#") || eq <= 0) continue;
                String v = l.substring(eq + 1).strip();
                if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0))
                    v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                out.put(l.substring(0, eq).strip(), v);
            }
        } catch (IOException | RuntimeException e) {
            // an absent or unreadable file means every field is empty, as systemd treats it
        }
        return out;
    }

    private static String groupName(int gid) {
        return field(Path.of("/etc/group"), gid, 0).orElse(Integer.toString(gid));
    }

    private static String passwdShell(int uid) {
        return field(Path.of("/etc/passwd"), uid, 6).orElse("/bin/sh");
    }

    /** Field {@code index} of the line of a passwd-style file whose third field is {@code id}. */
    private static java.util.Optional<String> field(Path file, int id, int index) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(":", -1);
                if (f.length > Math.max(2, index) && f[2].equals(Integer.toString(id))) return java.util.Optional.of(f[index]);
            }
        } catch (IOException | RuntimeException e) {
            // fall back below
        }
        return java.util.Optional.empty();
    }

    private static int readId(String line) {
        // The JDK has no getuid(); /proc/self/status has the real id first on its Uid:/Gid: lines.
        try {
            return ProcStatus.read(Path.of("/proc/self/status")).id(line, ProcStatus.REAL);
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
