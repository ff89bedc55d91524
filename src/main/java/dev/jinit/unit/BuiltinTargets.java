package dev.jinit.unit;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The standard targets of systemd.special(7), built in: a Debian unit's {@code After=network.target} or
 * {@code WantedBy=sysinit.target} names a unit that exists even when the unit directory holds no file of that name.
 * Each is what systemd's own file says, without the parts that only matter to systemd itself (isolation, emergency
 * and rescue services, mount units). A file of the same name in the unit directory replaces the built-in one, and
 * drop-ins ({@code NAME.d/*.conf}) apply to a built-in one as to any other.
 *
 * <p>{@code network-online.target} here is only a name to order against; what makes it mean "the network is up" is
 * the network part of jinit (the units wait for the configured links before they start).
 */
public final class BuiltinTargets {
    private BuiltinTargets() {}

    /** Where a built-in unit is said to come from (it has no file). */
    public static final Path SOURCE_DIR = Path.of("<built-in>");

    private static final Map<String, String> TEXTS = new TreeMap<>();

    private static void target(String name, String description, String body) {
        TEXTS.put(name, "[Unit]\nDescription=" + description + "\nDocumentation=man:systemd.special(7)\n" + body);
    }

    static {
        // Boot-up, in systemd's order: sysinit -> basic -> multi-user (-> graphical) = default.
        target("local-fs-pre.target", "Preparation for Local File Systems", "");
        target("local-fs.target", "Local File Systems", "After=local-fs-pre.target\nDefaultDependencies=no\n");
        target("remote-fs-pre.target", "Preparation for Remote File Systems", "");
        target("remote-fs.target", "Remote File Systems", "After=remote-fs-pre.target\nDefaultDependencies=no\n");
        target("swap.target", "Swaps", "DefaultDependencies=no\n");
        target("cryptsetup.target", "Local Encrypted Volumes", "DefaultDependencies=no\n");
        target("veritysetup.target", "Local Verity Protected Volumes", "DefaultDependencies=no\n");
        target("integritysetup.target", "Local Integrity Protected Volumes", "DefaultDependencies=no\n");
        target("sysinit.target", "System Initialization",
                "Wants=local-fs.target swap.target\nAfter=local-fs.target swap.target\nDefaultDependencies=no\n");
        target("sockets.target", "Sockets", "DefaultDependencies=no\n");
        target("timers.target", "Timer Units", "DefaultDependencies=no\n");
        target("paths.target", "Path Units", "DefaultDependencies=no\n");
        target("slices.target", "Slice Units", "DefaultDependencies=no\n");
        target("basic.target", "Basic System", "Requires=sysinit.target\nWants=sockets.target timers.target paths.target slices.target\n"
                + "After=sysinit.target sockets.target paths.target slices.target\n");
        target("multi-user.target", "Multi-User System", "Requires=basic.target\nAfter=basic.target\n");
        target("graphical.target", "Graphical Interface", "Requires=multi-user.target\nAfter=multi-user.target\n");
        // systemd's default.target is a link to graphical.target or multi-user.target: here it needs multi-user.
        target("default.target", "Default Target (multi-user)", "Requires=multi-user.target\nAfter=multi-user.target\n");
        target("getty-pre.target", "Preparation for Logins", "");
        target("getty.target", "Login Prompts", "");
        target("rescue.target", "Rescue Mode", "Requires=sysinit.target\nAfter=sysinit.target\n");
        target("emergency.target", "Emergency Mode", "DefaultDependencies=no\n");
        // Network and names: ordering points (network-pre before any network set-up, network after it,
        // network-online when it is usable).
        target("network-pre.target", "Preparation for Network", "");
        target("network.target", "Network", "After=network-pre.target\n");
        target("network-online.target", "Network is Online", "Requires=network.target\nAfter=network.target\n");
        target("nss-lookup.target", "Host and Network Name Lookups", "");
        target("nss-user-lookup.target", "User and Group Name Lookups", "");
        target("rpcbind.target", "RPC Port Mapper", "");
        target("time-set.target", "System Time Set", "");
        target("time-sync.target", "System Time Synchronized", "After=time-set.target\nWants=time-set.target\n");
        target("first-boot-complete.target", "First Boot Complete", "");
        // Shutdown: units conflict with shutdown.target by default (jinit stops everything itself).
        target("shutdown.target", "System Shutdown", "DefaultDependencies=no\n");
        target("umount.target", "Unmount All Filesystems", "DefaultDependencies=no\n");
        target("final.target", "Late Shutdown Services", "DefaultDependencies=no\nAfter=shutdown.target umount.target\n");
        target("poweroff.target", "System Power Off", "DefaultDependencies=no\nRequires=shutdown.target umount.target final.target\n"
                + "After=shutdown.target umount.target final.target\n");
        target("reboot.target", "System Reboot", "DefaultDependencies=no\nRequires=shutdown.target umount.target final.target\n"
                + "After=shutdown.target umount.target final.target\n");
        target("halt.target", "System Halt", "DefaultDependencies=no\nRequires=shutdown.target umount.target final.target\n"
                + "After=shutdown.target umount.target final.target\n");
    }

    /** Whether {@code name} is one of the built-in standard targets. */
    public static boolean has(String name) {
        return TEXTS.containsKey(name);
    }

    /** The names, sorted. */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(TEXTS.keySet());
    }

    /** The unit file text of a built-in target, as {@code jinit cat} shows it. */
    public static String text(String name) {
        String t = TEXTS.get(name);
        if (t == null) throw new IllegalArgumentException(name + " is not a built-in target");
        return t;
    }

    /** The built-in target's path: {@code <built-in>/NAME}. */
    public static Path path(String name) {
        return SOURCE_DIR.resolve(name);
    }

    static UnitFile file(String name) {
        return UnitFileParser.parse(path(name), text(name));
    }
}
