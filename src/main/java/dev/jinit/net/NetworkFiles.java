package dev.jinit.net;

import dev.jinit.unit.Diagnostic;
import dev.jinit.unit.UnitFile;
import dev.jinit.unit.UnitFileParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads {@code *.network} files: the line syntax is the unit files' ({@link UnitFileParser}), the keys
 * are systemd.network(5)'s subset listed in {@link NetworkConfig}. As networkd does, files are taken in
 * lexical order of their names and the first that matches a link configures it; an unknown section or
 * key, or a bad value, is reported with file:line and skipped, never fatal.
 */
public final class NetworkFiles {
    private NetworkFiles() {}

    /** The parsed files in lexical order and what was wrong in them. */
    public record Loaded(List<NetworkConfig> configs, List<Diagnostic> diagnostics) {
        public Optional<NetworkConfig> match(Link link) {
            return configs.stream().filter(c -> c.match().matches(link)).findFirst();
        }
    }

    public static Loaded load(Path dir) {
        List<NetworkConfig> configs = new ArrayList<>();
        List<Diagnostic> diags = new ArrayList<>();
        if (!Files.isDirectory(dir)) return new Loaded(List.of(), List.of());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".network")).sorted().toList();
        } catch (IOException e) {
            diags.add(Diagnostic.error(dir, 0, "cannot list: " + e.getMessage()));
            return new Loaded(List.of(), diags);
        }
        for (Path f : files) {
            try {
                configs.add(parse(f, Files.readString(f), diags));
            } catch (IOException e) {
                diags.add(Diagnostic.error(f, 0, "cannot read: " + e.getMessage()));
            }
        }
        return new Loaded(List.copyOf(configs), List.copyOf(diags));
    }

    public static NetworkConfig parse(Path file, String text, List<Diagnostic> diags) {
        UnitFile parsed = UnitFileParser.parse(file, text);
        diags.addAll(parsed.diagnostics());
        List<String> names = new ArrayList<>();
        boolean inverted = false;
        List<MacAddress> macs = new ArrayList<>();
        boolean dhcp4 = false;
        List<NetworkConfig.Prefixed> addresses = new ArrayList<>();
        List<Ipv4> gateways = new ArrayList<>(), dns = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        NetworkConfig.Dhcp d = NetworkConfig.Dhcp.DEFAULTS;
        NetworkConfig.ClientIdentifier clientId = d.clientIdentifier();
        String hostname = d.hostname();
        boolean sendHostname = d.sendHostname(), useDns = d.useDns(), useRoutes = d.useRoutes(), useHostname = d.useHostname();
        boolean useHostnameGiven = false, useMtu = d.useMtu();
        int metric = d.routeMetric();
        for (UnitFile.Assignment a : parsed.assignments()) {
            String v = a.value().strip();
            try {
                switch (a.section() + "/" + a.key()) {
                    case "Match/Name" -> {
                        if (v.isEmpty()) {
                            names.clear();
                            inverted = false;
                        } else {
                            if (v.startsWith("!")) {
                                inverted = true;
                                v = v.substring(1);
                            }
                            names.addAll(List.of(v.split("\\s+")));
                        }
                    }
                    case "Match/MACAddress" -> {
                        if (v.isEmpty()) macs.clear();
                        else for (String m : v.split("\\s+")) macs.add(MacAddress.parse(m));
                    }
                    case "Network/DHCP" -> dhcp4 = switch (v.toLowerCase(Locale.ROOT)) {
                        case "yes", "true", "on", "1", "ipv4" -> true;
                        case "no", "false", "off", "0" -> false;
                        case "ipv6" -> {
                            diags.add(Diagnostic.warning(a.file(), a.line(), "DHCP=ipv6: jinit has no DHCPv6 client; no DHCP on this link"));
                            yield false;
                        }
                        default -> throw new IllegalArgumentException("DHCP= takes yes, no, ipv4 or ipv6");
                    };
                    case "Network/Address" -> addresses.add(NetworkConfig.Prefixed.parse(v));
                    case "Network/Gateway" -> gateways.add(Ipv4.parse(v));
                    case "Network/DNS" -> {
                        for (String s : v.split("\\s+")) if (!s.isEmpty()) dns.add(Ipv4.parse(s));
                    }
                    case "Network/Domains" -> {
                        for (String s : v.split("\\s+")) if (!s.isEmpty()) domains.add(s.startsWith("~") ? s.substring(1) : s);
                    }
                    case "DHCPv4/ClientIdentifier" -> clientId = switch (v.toLowerCase(Locale.ROOT)) {
                        case "mac" -> NetworkConfig.ClientIdentifier.MAC;
                        case "duid" -> NetworkConfig.ClientIdentifier.DUID;
                        default -> throw new IllegalArgumentException("ClientIdentifier= takes mac or duid");
                    };
                    case "DHCPv4/Hostname" -> hostname = v.isEmpty() ? null : hostname(v);
                    case "DHCPv4/SendHostname" -> sendHostname = bool(v);
                    case "DHCPv4/UseDNS" -> useDns = bool(v);
                    case "DHCPv4/UseRoutes" -> useRoutes = bool(v);
                    case "DHCPv4/UseHostname" -> {
                        useHostname = bool(v);
                        useHostnameGiven = true;
                    }
                    case "DHCPv4/UseMTU" -> useMtu = bool(v);
                    case "DHCPv4/RouteMetric" -> {
                        if (!v.matches("[0-9]{1,10}") || Long.parseLong(v) > 0xffff_ffffL)
                            throw new IllegalArgumentException("RouteMetric= takes a number 0..4294967295");
                        metric = (int) Long.parseLong(v);
                    }
                    default -> diags.add(Diagnostic.warning(a.file(), a.line(),
                            "unknown key " + a.key() + "= in [" + a.section() + "], ignoring"));
                }
            } catch (IllegalArgumentException e) {
                diags.add(Diagnostic.warning(a.file(), a.line(), a.key() + "=" + a.value() + ": " + e.getMessage() + ", ignoring"));
            }
        }
        return new NetworkConfig(file.toString(), new NetworkConfig.Match(names, inverted, macs),
                new NetworkConfig.Network(dhcp4, addresses, gateways, dns, domains),
                new NetworkConfig.Dhcp(clientId, hostname, sendHostname, useDns, useRoutes, useHostname, metric,
                        useHostnameGiven, useMtu));
    }

    static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on", "1" -> true;
            case "no", "false", "off", "0" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    /** A host name as RFC 1123 allows: labels of letters, digits and hyphens. */
    static String hostname(String v) {
        if (v.length() > 253 || !v.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"))
            throw new IllegalArgumentException("not a valid host name");
        return v;
    }
}
