package dev.jinit.unit;

import java.util.Set;

/**
 * Which [Service] directives are process attributes handed to the spawner. This is the list of the
 * {@code jinit exec -p} option (issue 2); the values are validated by {@code exec.Directives} where the
 * supervisor builds each ProcessSpec.
 */
final class SpawnDirectiveNames {
    private SpawnDirectiveNames() {}

    private static final Set<String> NAMES = Set.of("User", "Group", "SupplementaryGroups", "WorkingDirectory",
            "UMask", "RootDirectory", "Nice", "OOMScoreAdjust", "CPUAffinity", "NoNewPrivileges",
            "CapabilityBoundingSet", "PrivateNetwork", "PrivateTmp", "ProtectHostname", "PrivateIPC",
            "PrivateMounts", "PrivatePIDs", "PrivateUsers", "LimitCPU", "LimitFSIZE", "LimitDATA", "LimitSTACK",
            "LimitCORE", "LimitRSS", "LimitNOFILE", "LimitAS", "LimitNPROC", "LimitMEMLOCK", "LimitLOCKS",
            "LimitSIGPENDING", "LimitMSGQUEUE", "LimitNICE", "LimitRTPRIO", "LimitRTTIME");

    static boolean contains(String key) {
        return NAMES.contains(key);
    }
}
