package dev.jinit.exec.seccomp;

import java.util.LinkedHashMap;
import java.util.Map;

/** Symbolic names the seccomp directives take: address families and namespace types. */
public final class Names {
    private Names() {}

    /** AF_* of linux/socket.h. */
    public static final Map<String, Integer> ADDRESS_FAMILIES = families();

    /** RestrictNamespaces= names and their CLONE_NEW* flags. */
    public static final Map<String, Long> NAMESPACES = Map.of("cgroup", 0x02000000L, "ipc", 0x08000000L,
            "net", 0x40000000L, "mnt", 0x00020000L, "pid", 0x20000000L, "user", 0x10000000L, "uts", 0x04000000L);
    public static final long ALL_NAMESPACES = NAMESPACES.values().stream().mapToLong(Long::longValue).reduce(0, (a, b) -> a | b);

    private static Map<String, Integer> families() {
        String[] names = {"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM", "AF_BRIDGE",
                "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY", "AF_KEY", "AF_NETLINK",
                "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA", "AF_PPPOX", "AF_WANPIPE",
                "AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC", "AF_ISDN",
                "AF_PHONET", "AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC", "AF_VSOCK", "AF_KCM", "AF_QIPCRTR", "AF_SMC",
                "AF_XDP", "AF_MCTP"};
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 1; i < names.length; i++) m.put(names[i], i);
        m.put("AF_LOCAL", 1);
        return java.util.Collections.unmodifiableMap(m);
    }
}
