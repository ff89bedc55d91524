package dev.jinit.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernel command line's {@code ip=} (the kernel's nfsroot.txt form, as dracut and
 * systemd-network-generator read it): {@code ip=dhcp} (or {@code on}, {@code any}), and
 * {@code ip=CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF[:DNS0[:DNS1]]} with AUTOCONF
 * {@code off}/{@code none}/{@code static} for a static address or {@code dhcp}. An empty device means
 * every link. Pure: it only turns the text into a {@link NetworkConfig}.
 */
public final class KernelIpParameter {
    private KernelIpParameter() {}

    /** The network configuration {@code ip=VALUE} asks for; empty for {@code ip=off}/{@code none}. */
    public static Optional<NetworkConfig> parse(String value) {
        String source = "kernel command line ip=" + value;
        String v = value.strip();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "off", "none" -> {
                return Optional.empty();
            }
            case "dhcp", "on", "any" -> {
                return Optional.of(config(source, List.of(), true, List.of(), List.of(), List.of(), null));
            }
            default -> { }
        }
        String[] f = v.split(":", -1);
        if (f.length < 7)
            throw new IllegalArgumentException(source + ": expected CLIENT:SERVER:GATEWAY:NETMASK:HOSTNAME:DEVICE:AUTOCONF");
        String device = f[5], autoconf = f[6].toLowerCase(Locale.ROOT);
        List<String> names = device.isEmpty() ? List.of() : List.of(device);
        List<Ipv4> dns = new ArrayList<>();
        for (int i = 7; i < Math.min(f.length, 9); i++) if (!f[i].isEmpty()) dns.add(field(source, "DNS", f[i]));
        String hostname = f[4].isEmpty() ? null : NetworkFiles.hostname(f[4]);
        switch (autoconf) {
            case "dhcp", "on", "any" -> {
                return Optional.of(config(source, names, true, List.of(), List.of(), dns, hostname));
            }
            case "off", "none", "static", "" -> {
                if (f[0].isEmpty()) throw new IllegalArgumentException(source + ": a static configuration needs the client address");
                Ipv4 address = field(source, "client address", f[0]);
                int prefix;
                if (f[3].isEmpty()) prefix = Lease.classful(address);
                else {
                    prefix = field(source, "netmask", f[3]).prefixOfMask();
                    if (prefix < 0) throw new IllegalArgumentException(source + ": non-contiguous netmask " + f[3]);
                }
                List<Ipv4> gateways = f[2].isEmpty() ? List.of() : List.of(field(source, "gateway", f[2]));
                return Optional.of(config(source, names, false, List.of(new NetworkConfig.Prefixed(address, prefix)), gateways,
                        dns, hostname));
            }
            default -> throw new IllegalArgumentException(source + ": unknown autoconf method \"" + f[6] + "\"");
        }
    }

    private static Ipv4 field(String source, String what, String text) {
        try {
            return Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + what + ": " + e.getMessage());
        }
    }

    private static NetworkConfig config(String source, List<String> names, boolean dhcp, List<NetworkConfig.Prefixed> addresses,
                                        List<Ipv4> gateways, List<Ipv4> dns, String hostname) {
        NetworkConfig.Dhcp d = NetworkConfig.Dhcp.DEFAULTS;
        return new NetworkConfig(source, new NetworkConfig.Match(names, false, List.of()),
                new NetworkConfig.Network(dhcp, addresses, gateways, dns, List.of()),
                new NetworkConfig.Dhcp(d.clientIdentifier(), hostname, d.sendHostname(), d.useDns(), d.useRoutes(), d.useHostname(),
                        d.routeMetric()));
    }
}
