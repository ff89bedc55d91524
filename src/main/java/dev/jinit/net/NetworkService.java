package dev.jinit.net;

import dev.jinit.linux.LinuxException;
import dev.jinit.system.Part;
import dev.jinit.system.Supervisor;
import dev.jinit.unit.Diagnostic;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The network as a part of the supervisor ({@link Part}): brings every link that a configuration
 * matches up, sets its static addresses and gateways or runs a DHCP client on it, follows links that
 * appear later, and writes resolv.conf from what it configured. Everything runs on one
 * {@link NetLoop} thread.
 *
 * <p>Readiness: the part holds network-online.target ({@link dev.jinit.supervise.Manager#holdTarget})
 * until every matched link is configured (static addresses set, or a lease bound), or until
 * {@code waitOnline} has passed, as systemd-networkd-wait-online does (120 s by default). Only units
 * ordered {@code After=network-online.target} (and pulling it in with {@code Wants=}) wait; the others
 * start at once. With no matching configuration the target is reached at once.
 */
public final class NetworkService implements Part {
    /**
     * Where the configuration comes from and where the results go, and whose host name a lease may set.
     */
    public record Settings(List<NetworkConfig> configs, Path resolvConf, Path leaseDir, Path statusFile, Duration waitOnline,
                           Hostnames hostnames) {
        public Settings {
            configs = List.copyOf(configs);
        }

        /** {@code jinit run}'s: a lease's host name only where a file says UseHostname=yes itself. */
        public Settings(List<NetworkConfig> configs, Path resolvConf, Path leaseDir, Path statusFile, Duration waitOnline) {
            this(configs, resolvConf, leaseDir, statusFile, waitOnline, Hostnames.WHEN_GIVEN);
        }
    }

    /**
     * When a lease's host name (option 12) becomes the machine's, through sethostname(2). networkd sets it
     * as the transient host name when UseHostname= is on (its default) and systemd-hostnamed uses it only
     * while no static host name is configured; when the lease goes, the name before it comes back.
     */
    public enum Hostnames {
        /** The machine's init (boot mode) with no static host name (no hostname= and no /etc/hostname): as networkd. */
        TRANSIENT,
        /** A static host name is configured: a lease never changes it. */
        STATIC,
        /**
         * {@code jinit run} (a supervisor beside the machine's own init, often in its UTS namespace): only a
         * .network file that says UseHostname=yes itself; the default UseHostname=yes of networkd is not taken
         * as permission to rename the host.
         */
        WHEN_GIVEN
    }

    /** The status file's name in the state directory, read by {@code jinit network}. */
    public static final String STATUS_FILE = "network.json";

    private final Settings settings;
    private final PrintStream log;
    private NetLoop loop;
    private RouteNetlink netlink;
    private LinkMonitor monitor;
    // Loop thread only.
    private final Map<Integer, Configured> links = new HashMap<>();
    private final CompletableFuture<Void> online = new CompletableFuture<>();
    private String lastResolvConf;
    /** The host name before a lease set one (restored when that lease goes), and the link whose lease set it. */
    private String hostnameBefore;
    private int hostnameLink = -1;

    /** A link this service configured: its config, and its DHCP client and lease when it has them. */
    private static final class Configured {
        Link link; // as last announced
        final NetworkConfig config;
        DhcpClient dhcp;
        Lease lease;
        boolean ready;
        /** The lease is kept while the carrier is gone (wall-clock time of the loss), or null. */
        java.time.Instant carrierLostAt;

        Configured(Link link, NetworkConfig config) {
            this.link = link;
            this.config = config;
        }
    }

    public NetworkService(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * The settings for {@code jinit run}: the {@code *.network} files beside the units, resolv.conf and
     * the remembered leases in the state directory. Diagnostics are printed with file:line.
     */
    public static Settings fromUnitDirectory(Path units, Path stateDir, PrintStream err) {
        NetworkFiles.Loaded loaded = NetworkFiles.load(units);
        for (Diagnostic d : loaded.diagnostics()) err.println("jinit: network: " + d);
        return new Settings(loaded.configs(), stateDir.resolve("resolv.conf"), stateDir.resolve("dhcp"),
                stateDir.resolve(STATUS_FILE), Duration.ofSeconds(120));
    }

    /**
     * The network parts for boot mode: the kernel's {@code ip=} first, then the {@code .network} files
     * beside the units and in {@code /etc/systemd/network}, each directory in lexical order; resolv.conf
     * is {@code /etc/resolv.conf}. No part at all when nothing configures a link. {@code staticHostname}:
     * the machine's name is configured (hostname= on the kernel command line, /etc/hostname), so a
     * lease's host name is not applied.
     */
    public static List<Part> bootParts(java.util.Optional<String> ip, Path units, Path stateDir, boolean staticHostname,
                                       PrintStream err) {
        List<NetworkConfig> configs = new ArrayList<>();
        if (ip.isPresent()) {
            try {
                KernelIpParameter.parse(ip.get()).ifPresent(configs::add);
            } catch (IllegalArgumentException e) {
                err.println("jinit: network: " + e.getMessage() + "; ignoring ip=");
            }
        }
        for (Path dir : new Path[] {units, Path.of("/etc/systemd/network")}) {
            if (dir == null) continue;
            NetworkFiles.Loaded loaded = NetworkFiles.load(dir);
            for (Diagnostic d : loaded.diagnostics()) err.println("jinit: network: " + d);
            configs.addAll(loaded.configs());
        }
        if (configs.isEmpty()) return List.of();
        return List.of(new NetworkService(new Settings(configs, Path.of("/etc/resolv.conf"), stateDir.resolve("dhcp"),
                stateDir.resolve(STATUS_FILE), Duration.ofSeconds(120), staticHostname ? Hostnames.STATIC : Hostnames.TRANSIENT), err));
    }

    /** As {@link #bootParts(java.util.Optional, Path, Path, boolean, PrintStream)}, a static host name known from /etc/hostname only. */
    public static List<Part> bootParts(java.util.Optional<String> ip, Path units, Path stateDir, PrintStream err) {
        return bootParts(ip, units, stateDir, staticHostnameFile(Path.of("/etc/hostname")), err);
    }

    /** Whether {@code file} (/etc/hostname) names the machine: a first line that is neither empty nor a comment. */
    public static boolean staticHostnameFile(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "network";
    }

    /** The target this part holds until the network is configured. */
    public static final String ONLINE_TARGET = "network-online.target";

    @Override
    public AutoCloseable start(Supervisor supervisor) throws Exception {
        start();
        supervisor.manager().holdTarget(ONLINE_TARGET, "Network is Online", List.of("network.target"), reached())
                .get(10, TimeUnit.SECONDS);
        return this::stop;
    }

    /**
     * Completes when network-online.target may be reached: once every matched link is configured (with
     * null), or when {@code waitOnline} has passed (with a note saying so).
     */
    public CompletableFuture<String> reached() {
        return reached;
    }

    private final CompletableFuture<String> reached = new CompletableFuture<>();

    /** Starts configuring on the network thread; returns once the links are read (not when they are configured). */
    public void start() throws InterruptedException {
        start(() -> { });
    }

    /** As {@link #start()}, with {@code threadSetup} run first on the network thread (a test joins its namespace there). */
    public void start(Runnable threadSetup) throws InterruptedException {
        long began = System.nanoTime();
        online.thenRun(() -> {
            log.println("jinit: network: online after " + (System.nanoTime() - began) / 1_000_000 + " ms");
            reached.complete(null);
        });
        loop = new NetLoop("jinit-network", log, threadSetup).start();
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.post(() -> {
            try {
                netlink = RouteNetlink.open();
                monitor = LinkMonitor.start(loop, this::onEvent);
                for (Link l : netlink.links()) consider(l);
                checkOnline();
                started.complete(null);
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        });
        try {
            started.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            loop.close();
            throw new IllegalStateException("network: netlink did not answer within 30 s");
        } catch (ExecutionException e) {
            loop.close();
            throw new IllegalStateException("network: " + e.getCause().getMessage(), e.getCause());
        }
        long waitMs = settings.waitOnline().toMillis();
        loop.post(() -> loop.schedule(loop.millis() + waitMs, () -> {
            if (online.isDone()) return;
            String note = "not online after " + settings.waitOnline().toSeconds() + " s; network-online.target reached anyway";
            log.println("jinit: network: " + note);
            reached.complete("network: " + note);
        }));
    }

    /** Completes when every matched link is configured. */
    public CompletableFuture<Void> online() {
        return online;
    }

    /** Releases the leases (DHCPRELEASE), removes what DHCP configured, and ends the network thread. */
    public void stop() {
        if (loop == null) return;
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.post(() -> {
            try {
                for (Configured c : links.values()) if (c.dhcp != null) c.dhcp.stop(true);
                if (monitor != null) monitor.close();
                if (netlink != null) netlink.close();
            } finally {
                done.complete(null);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.println("jinit: network: stop: " + e);
        }
        loop.close();
        // No status of a network no one runs any more (jinit network / status would show a stale lease).
        if (settings.statusFile() != null) {
            try {
                Files.deleteIfExists(settings.statusFile());
            } catch (IOException e) {
                log.println("jinit: network: " + settings.statusFile() + ": " + e.getMessage());
            }
        }
    }

    // ---- on the loop thread

    private void onEvent(LinkMonitor.Event e) {
        if (e instanceof LinkMonitor.Event.LinkChanged c) {
            Configured known = links.get(c.link().index());
            if (known == null) {
                consider(c.link());
                return;
            }
            boolean carrierBack = c.link().carrier() && !known.link.carrier();
            boolean carrierLost = !c.link().carrier() && known.link.carrier();
            known.link = c.link();
            if (carrierLost) {
                // As dhcpcd and RFC 2131 section 3.7: the lease stays (the cable may come back to the same
                // network) and is marked; T1/T2/expiry run on.
                log.println("jinit: network: " + c.link().name() + ": carrier lost"
                        + (known.lease != null ? "; lease " + known.lease.address() + " kept until the carrier returns or it expires" : ""));
                if (known.lease != null) known.carrierLostAt = java.time.Instant.now();
                publish();
            }
            if (carrierBack && known.dhcp != null) {
                // Maybe another network now: confirm the lease with INIT-REBOOT, or discover at once.
                log.println("jinit: network: " + c.link().name() + ": carrier back"
                        + (known.lease != null ? "; confirming lease " + known.lease.address() + " (INIT-REBOOT)" : "; asking for a lease"));
                known.carrierLostAt = null;
                known.dhcp.carrierBack();
                publish();
            } else if (carrierBack) {
                known.carrierLostAt = null;
                publish();
            }
        } else if (e instanceof LinkMonitor.Event.LinkRemoved r) {
            Configured gone = links.remove(r.link().index());
            if (gone != null && gone.dhcp != null) gone.dhcp.stop(false);
            checkOnline();
        }
    }

    private void consider(Link link) {
        NetworkConfig config = settings.configs().stream().filter(c -> c.match().matches(link)).findFirst().orElse(null);
        if (config == null) return;
        Configured c = new Configured(link, config);
        links.put(link.index(), c);
        log.println("jinit: network: " + link.name() + ": configured by " + config.source());
        try {
            if (!link.up()) netlink.setUp(link, true);
            for (NetworkConfig.Prefixed a : config.network().addresses())
                netlink.addAddress(InterfaceAddress.withBroadcast(link.index(), a.address(), a.prefix()), true,
                        RouteCodec.INFINITE_LIFETIME);
            for (Ipv4 gw : config.network().gateways())
                netlink.addRoute(Route.defaultVia(gw, link.index(), 0, Route.RTPROT_STATIC), true);
        } catch (LinuxException e) {
            log.println("jinit: network: " + link.name() + ": " + e.getMessage());
        }
        if (config.network().dhcp4()) c.dhcp = startDhcp(link, config);
        else c.ready = true;
        writeResolvConf();
        checkOnline();
    }

    private DhcpClient startDhcp(Link link, NetworkConfig config) {
        NetworkConfig.Dhcp d = config.dhcp();
        byte[] clientId = d.clientIdentifier() == NetworkConfig.ClientIdentifier.MAC || link.mac() == null
                ? DhcpSettings.macClientId(link.mac() == null ? MacAddress.ETHERNET_BROADCAST : link.mac())
                : DhcpSettings.duidClientId(DhcpSettings.iaid(link.name()), machineId(link));
        String hostname = !d.sendHostname() ? null : d.hostname() != null ? d.hostname() : systemHostname();
        DhcpSettings s = new DhcpSettings(link.mac(), clientId, hostname);
        DhcpClient client = new DhcpClient(loop, netlink, link, s, new DhcpClient.Use(d.useRoutes(), d.routeMetric(), d.useMtu()),
                new LeaseStore(settings.leaseDir()), new SecureRandom(), new DhcpClient.Listener() {
            @Override
            public void bound(Link l, Lease lease, DhcpMachine machine) {
                Configured c = links.get(l.index());
                if (c == null) return;
                boolean fresh = c.lease == null || !c.lease.equals(lease);
                c.lease = lease;
                c.ready = true;
                if (fresh) log.println("jinit: network: " + l.name() + ": lease " + lease.address() + "/" + lease.prefix()
                        + " from " + lease.server() + (lease.gateway() == null ? "" : ", gateway " + lease.gateway())
                        + (lease.dns().isEmpty() ? "" : ", dns " + lease.dns()) + ", " + lease.leaseSeconds() + " s"
                        + (lease.mtu() > 0 && c.config.dhcp().useMtu() ? ", mtu " + lease.mtu() : ""));
                applyHostname(c, lease);
                writeResolvConf();
                checkOnline();
            }

            @Override
            public void unbound(Link l, Lease lease, String reason) {
                Configured c = links.get(l.index());
                if (c != null) {
                    c.lease = null;
                    c.ready = false;
                    c.carrierLostAt = null;
                }
                log.println("jinit: network: " + l.name() + ": lease " + lease.address() + " removed: " + reason);
                if (hostnameLink == l.index()) restoreHostname(l);
                writeResolvConf();
                publish();
            }
        });
        client.start();
        return client;
    }

    /** A lease's host name, when {@link Settings#hostnames} and UseHostname= allow it (see {@link Hostnames}). */
    private void applyHostname(Configured c, Lease lease) {
        NetworkConfig.Dhcp d = c.config.dhcp();
        boolean allowed = switch (settings.hostnames()) {
            case TRANSIENT -> d.useHostname();
            case STATIC -> false;
            case WHEN_GIVEN -> d.useHostname() && d.useHostnameGiven();
        };
        if (!allowed || lease.hostname() == null) return;
        String name = lease.hostname();
        // sethostname takes at most 64 bytes; networkd then keeps the first label of a longer name.
        if (name.length() > 64) name = name.substring(0, name.indexOf('.') > 0 ? name.indexOf('.') : 64);
        try {
            name = NetworkFiles.hostname(name);
        } catch (IllegalArgumentException e) {
            log.println("jinit: network: " + c.link.name() + ": host name \"" + lease.hostname() + "\" from the lease ignored: " + e.getMessage());
            return;
        }
        String current = currentHostname();
        if (name.equals(current)) return;
        try {
            dev.jinit.linux.SystemIdentity.setHostname(name);
            if (hostnameLink < 0) hostnameBefore = current;
            hostnameLink = c.link.index();
            log.println("jinit: network: " + c.link.name() + ": host name set to " + name + " (from the lease)");
        } catch (LinuxException e) {
            log.println("jinit: network: " + c.link.name() + ": host name " + name + " from the lease not set: " + e.getMessage());
        }
    }

    private void restoreHostname(Link l) {
        String back = hostnameBefore;
        hostnameLink = -1;
        hostnameBefore = null;
        if (back == null) return;
        try {
            dev.jinit.linux.SystemIdentity.setHostname(back);
            log.println("jinit: network: " + l.name() + ": host name back to " + back);
        } catch (LinuxException e) {
            log.println("jinit: network: " + l.name() + ": host name " + back + " not restored: " + e.getMessage());
        }
    }

    private static String currentHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private void checkOnline() {
        boolean nowOnline = !online.isDone() && links.values().stream().allMatch(c -> c.ready);
        // The status first: whoever waits for online reads it next.
        publish(nowOnline || online.isDone());
        if (nowOnline) online.complete(null);
    }

    private void publish() {
        publish(online.isDone());
    }

    /** Rewrites the status file; a failure is reported, never fatal. */
    private void publish(boolean isOnline) {
        if (settings.statusFile() == null) return;
        com.google.gson.JsonArray all = new com.google.gson.JsonArray();
        long now = loop.millis();
        java.time.Instant wall = java.time.Instant.now();
        links.values().stream().sorted(java.util.Comparator.comparingInt(c -> c.link.index()))
                .forEach(c -> all.add(NetworkStatus.link(c.link, c.config, c.dhcp, c.ready, c.carrierLostAt, now, wall)));
        try {
            NetworkStatus.write(settings.statusFile(), isOnline, all);
        } catch (IOException e) {
            log.println("jinit: network: " + settings.statusFile() + ": " + e.getMessage());
        }
    }

    private void writeResolvConf() {
        List<Ipv4> servers = new ArrayList<>();
        Set<String> domains = new LinkedHashSet<>();
        for (Configured c : links.values()) {
            servers.addAll(c.config.network().dns());
            domains.addAll(c.config.network().domains());
            if (c.lease != null && c.config.dhcp().useDns()) {
                servers.addAll(c.lease.dns());
                if (c.lease.domain() != null) domains.add(c.lease.domain());
            }
        }
        if (servers.isEmpty() && domains.isEmpty() && lastResolvConf == null) return;
        String text = ResolvConf.render(servers, List.copyOf(domains));
        if (text.equals(lastResolvConf)) return;
        try {
            ResolvConf.write(settings.resolvConf(), text);
            lastResolvConf = text;
        } catch (IOException e) {
            log.println("jinit: network: " + settings.resolvConf() + ": " + e.getMessage());
        }
    }

    private static byte[] machineId(Link link) {
        try {
            String id = Files.readString(Path.of("/etc/machine-id")).strip();
            if (!id.isEmpty()) return id.getBytes(StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException ignored) {
            // no machine id (an initramfs): the MAC is the stable identity left
        }
        return link.mac().bytes();
    }

    private static String systemHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.isEmpty() || h.equals("(none)") || h.equals("localhost") ? null : NetworkFiles.hostname(h);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
