package dev.jinit.net;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;

/**
 * One {@code .network} file (systemd.network(5), the subset jinit reads), or the same settings from the
 * kernel command line's {@code ip=}. {@code source} names where it came from for messages.
 */
public record NetworkConfig(String source, Match match, Network network, Dhcp dhcp) {
    /** [Match]: every condition given must hold; none given matches every link but loopback. */
    public record Match(List<String> names, boolean namesInverted, List<MacAddress> macs) {
        public Match {
            names = List.copyOf(names);
            macs = List.copyOf(macs);
        }

        public boolean matches(Link link) {
            if (names.isEmpty() && macs.isEmpty()) return !link.loopback();
            if (!names.isEmpty() && names.stream().anyMatch(g -> glob(g, link.name())) == namesInverted) return false;
            return macs.isEmpty() || macs.contains(link.mac());
        }

        /** fnmatch(3)-style globs (*, ?, [a-z]), as networkd matches Name=. */
        static boolean glob(String pattern, String name) {
            try {
                return FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(name));
            } catch (RuntimeException e) {
                return pattern.equals(name);
            }
        }
    }

    /** An address with its prefix, as {@code Address=10.0.0.2/24}. */
    public record Prefixed(Ipv4 address, int prefix) {
        public static Prefixed parse(String text) {
            int slash = text.indexOf('/');
            Ipv4 a = Ipv4.parse(slash < 0 ? text : text.substring(0, slash));
            int prefix = 32;
            if (slash >= 0) {
                String p = text.substring(slash + 1);
                if (!p.matches("[0-9]{1,2}") || Integer.parseInt(p) > 32)
                    throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
                prefix = Integer.parseInt(p);
            }
            return new Prefixed(a, prefix);
        }

        @Override
        public String toString() {
            return address + "/" + prefix;
        }
    }

    /** [Network]. */
    public record Network(boolean dhcp4, List<Prefixed> addresses, List<Ipv4> gateways, List<Ipv4> dns, List<String> domains) {
        public Network {
            addresses = List.copyOf(addresses);
            gateways = List.copyOf(gateways);
            dns = List.copyOf(dns);
            domains = List.copyOf(domains);
        }
    }

    public enum ClientIdentifier { MAC, DUID }

    /**
     * [DHCPv4], with networkd's defaults (UseHostname=yes, UseMTU=no). {@code useHostnameGiven} says
     * whether the file set UseHostname= itself: {@code jinit run} applies a lease's host name only then.
     */
    public record Dhcp(ClientIdentifier clientIdentifier, String hostname, boolean sendHostname, boolean useDns,
                       boolean useRoutes, boolean useHostname, int routeMetric, boolean useHostnameGiven, boolean useMtu) {
        public static final int DEFAULT_ROUTE_METRIC = 1024;
        public static final Dhcp DEFAULTS = new Dhcp(ClientIdentifier.DUID, null, true, true, true, true, DEFAULT_ROUTE_METRIC,
                false, false);

        public Dhcp(ClientIdentifier clientIdentifier, String hostname, boolean sendHostname, boolean useDns,
                    boolean useRoutes, boolean useHostname, int routeMetric) {
            this(clientIdentifier, hostname, sendHostname, useDns, useRoutes, useHostname, routeMetric, false, false);
        }
    }
}
