package dev.jinit.exec.seccomp;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The seccomp directives of one process as parsed (systemd.exec(5), "System Call Filtering"), immutable;
 * {@link PolicyCompiler} turns them, with the protections that also filter calls, into a {@link SeccompPolicy}.
 *
 * @param allowList           SystemCallFilter=: true for an allow-list, false for a {@code ~} deny-list, null when not set
 * @param filter              the calls of SystemCallFilter= (groups expanded), each with its own errno or -1
 * @param errorNumber         SystemCallErrorNumber=, or null for systemd's default: kill the process
 * @param nativeOnly          SystemCallArchitectures=native: calls of another ABI (i386, x32) are denied
 * @param familiesAllowList   RestrictAddressFamilies=: true for an allow-list, false for {@code ~}, null when not set
 * @param families            the address family numbers listed
 * @param namespacesAllowed   RestrictNamespaces=: the CLONE_NEW* flags still allowed, or null when not set
 * @param memoryDenyWriteExecute MemoryDenyWriteExecute=
 * @param lockPersonality     LockPersonality=
 * @param restrictRealtime    RestrictRealtime=
 * @param restrictSuidSgid    RestrictSUIDSGID=
 * @param protectHostname     ProtectHostname= (its seccomp part: sethostname, setdomainname)
 */
public record SeccompSettings(Boolean allowList, Map<String, Integer> filter, Integer errorNumber, boolean nativeOnly,
                              Boolean familiesAllowList, Set<Integer> families, Long namespacesAllowed,
                              boolean memoryDenyWriteExecute, boolean lockPersonality, boolean restrictRealtime,
                              boolean restrictSuidSgid, boolean protectHostname) {

    public static final SeccompSettings NONE = new Builder().build();

    public SeccompSettings {
        filter = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(filter));
        families = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(families));
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.allowList = allowList;
        b.filter.putAll(filter);
        b.errorNumber = errorNumber;
        b.nativeOnly = nativeOnly;
        b.familiesAllowList = familiesAllowList;
        b.families.addAll(families);
        b.namespacesAllowed = namespacesAllowed;
        b.memoryDenyWriteExecute = memoryDenyWriteExecute;
        b.lockPersonality = lockPersonality;
        b.restrictRealtime = restrictRealtime;
        b.restrictSuidSgid = restrictSuidSgid;
        b.protectHostname = protectHostname;
        return b;
    }

    public static final class Builder {
        public Boolean allowList;
        public final Map<String, Integer> filter = new LinkedHashMap<>();
        public Integer errorNumber;
        public boolean nativeOnly;
        public Boolean familiesAllowList;
        public final Set<Integer> families = new LinkedHashSet<>();
        public Long namespacesAllowed;
        public boolean memoryDenyWriteExecute, lockPersonality, restrictRealtime, restrictSuidSgid, protectHostname;

        public SeccompSettings build() {
            return new SeccompSettings(allowList, filter, errorNumber, nativeOnly, familiesAllowList, families,
                    namespacesAllowed, memoryDenyWriteExecute, lockPersonality, restrictRealtime, restrictSuidSgid,
                    protectHostname);
        }
    }
}
