package dev.jinit.exec;

import dev.jinit.exec.seccomp.Names;
import dev.jinit.exec.seccomp.SeccompSettings;
import dev.jinit.exec.seccomp.Syscalls;
import dev.jinit.linux.Errno;
import java.util.List;
import java.util.Set;

/**
 * The value syntax of systemd.exec(5)'s system call filtering directives, written into a
 * {@link SeccompSettings.Builder}. Errors are {@link IllegalArgumentException}s with the reason only.
 */
final class SeccompDirectives {
    private SeccompDirectives() {}

    static final Set<String> NAMES = Set.of("SystemCallFilter", "SystemCallErrorNumber", "SystemCallArchitectures",
            "RestrictAddressFamilies", "RestrictNamespaces", "MemoryDenyWriteExecute", "LockPersonality",
            "RestrictRealtime", "RestrictSUIDSGID");

    static void apply(SeccompSettings.Builder s, String key, String v) {
        switch (key) {
            case "SystemCallFilter" -> filter(s, v);
            case "SystemCallErrorNumber" -> {
                if (v.isEmpty() || v.equals("kill")) s.errorNumber = null;
                else {
                    int e = Errno.parse(v);
                    if (e < 0) throw new IllegalArgumentException("not an errno name (EPERM, …), a number or 'kill'");
                    s.errorNumber = e;
                }
            }
            case "SystemCallArchitectures" -> {
                if (v.isEmpty()) {
                    s.nativeOnly = false;
                    return;
                }
                List<String> archs = DirectiveValues.splitWords(v);
                for (String a : archs)
                    if (!Set.of("native", "x86-64", "x86", "x32").contains(a))
                        throw new IllegalArgumentException("'" + a + "' is not native, x86-64, x86 or x32");
                // Only the native ABI is filtered; allowing another one lets its calls through unfiltered.
                s.nativeOnly = archs.stream().allMatch(a -> a.equals("native") || a.equals("x86-64"));
            }
            case "RestrictAddressFamilies" -> families(s, v);
            case "RestrictNamespaces" -> namespaces(s, v);
            case "MemoryDenyWriteExecute" -> s.memoryDenyWriteExecute = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "LockPersonality" -> s.lockPersonality = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "RestrictRealtime" -> s.restrictRealtime = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            case "RestrictSUIDSGID" -> s.restrictSuidSgid = !v.isEmpty() && DirectiveValues.parseBoolean(v);
            default -> throw new IllegalArgumentException("unknown directive");
        }
    }

    /**
     * systemd's merging: the first line decides allow-list or {@code ~} deny-list; a later line of the same kind
     * adds to it, of the other kind takes its calls out. Each word is a call or an {@code @group}, optionally
     * with {@code :ERRNO}.
     */
    private static void filter(SeccompSettings.Builder s, String v) {
        if (v.isEmpty()) {
            s.allowList = null;
            s.filter.clear();
            return;
        }
        boolean deny = v.startsWith("~");
        String words = deny ? v.substring(1) : v;
        if (s.allowList == null) s.allowList = !deny;
        boolean adding = s.allowList != deny;
        Syscalls table = Syscalls.x86_64();
        for (String w : DirectiveValues.splitWords(words)) {
            int errno = -1;
            String name = w;
            int colon = w.indexOf(':');
            if (colon >= 0) {
                name = w.substring(0, colon);
                errno = Errno.parse(w.substring(colon + 1));
                if (errno < 0) throw new IllegalArgumentException("'" + w.substring(colon + 1) + "' is not an errno name or number");
            }
            List<String> calls;
            if (name.startsWith("@")) {
                calls = List.copyOf(table.expand(name));
            } else {
                if (!table.isKnown(name)) throw new IllegalArgumentException("'" + name + "' is not a known system call");
                calls = List.of(name);
            }
            for (String c : calls) {
                if (adding) s.filter.put(c, errno);
                else s.filter.remove(c);
            }
        }
    }

    private static void families(SeccompSettings.Builder s, String v) {
        if (v.isEmpty()) {
            s.familiesAllowList = null;
            s.families.clear();
            return;
        }
        if (v.equals("none")) {
            s.familiesAllowList = true;
            s.families.clear();
            return;
        }
        boolean deny = v.startsWith("~");
        if (s.familiesAllowList == null) s.familiesAllowList = !deny;
        boolean adding = s.familiesAllowList != deny;
        for (String w : DirectiveValues.splitWords(deny ? v.substring(1) : v)) {
            Integer f = Names.ADDRESS_FAMILIES.get(w);
            if (f == null) throw new IllegalArgumentException("'" + w + "' is not an address family (AF_UNIX, AF_INET, …)");
            if (adding) s.families.add(f);
            else s.families.remove(f);
        }
    }

    /** yes (none allowed), no (all), or a list of cgroup ipc net mnt pid user uts, {@code ~} for all but those. */
    private static void namespaces(SeccompSettings.Builder s, String v) {
        if (v.isEmpty()) {
            s.namespacesAllowed = null;
            return;
        }
        try {
            s.namespacesAllowed = DirectiveValues.parseBoolean(v) ? 0L : null;
            return;
        } catch (IllegalArgumentException notABoolean) {
            // a list
        }
        boolean invert = v.startsWith("~");
        long mask = 0;
        for (String w : DirectiveValues.splitWords(invert ? v.substring(1) : v)) {
            Long flag = Names.NAMESPACES.get(w);
            if (flag == null) throw new IllegalArgumentException("'" + w + "' is not one of cgroup ipc net mnt pid user uts");
            mask |= flag;
        }
        s.namespacesAllowed = invert ? Names.ALL_NAMESPACES & ~mask : mask;
    }
}
