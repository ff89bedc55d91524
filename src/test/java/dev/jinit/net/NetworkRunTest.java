package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jinit run} inside a client namespace with a {@code .network} file beside its units, against
 * dnsmasq in a server namespace: the lease is applied before units start, resolv.conf is written to the
 * state directory, the lease is released at shutdown and asked for again (INIT-REBOOT) by the next run.
 */
class NetworkRunTest {
    private NetNs server, client;
    private Path root;

    @BeforeEach
    void network() throws IOException {
        server = NetNs.create("rs");
        client = NetNs.create("rc");
        server.veth("s0", client, "c0");
        server.ip("addr", "add", "10.98.0.1/24", "dev", "s0");
        server.ip("link", "set", "s0", "up");
        root = Files.createTempDirectory("jinit-netrun-");
        Files.createDirectories(root.resolve("units"));
    }

    @AfterEach
    void cleanup() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private Process startJinit(Path log) throws IOException {
        return startJinit(log, List.of());
    }

    /** jinit run in the client namespace, {@code prefix} (e.g. unshare --uts) before it. */
    private Process startJinit(Path log, List<String> prefix) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(client.exec(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.jinit.cli.Main", "run",
                "--units", root.resolve("units").toString(), "--state", root.resolve("state").toString(),
                "--runtime-base", root.toString(), "--state-base", root.toString(), "--logs-base", root.toString(), "--no-cgroup"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void await(String what, BooleanSupplier condition, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + Files.readString(log));
            Thread.sleep(100);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: jinit stops its units and the network in order
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jinit did not stop within 60 s of SIGTERM");
        }
    }

    @Test
    void leaseBeforeUnitsResolvConfReleaseAndInitReboot() throws Exception {
        Path units = root.resolve("units");
        Files.writeString(units.resolve("10-c0.network"), """
                [Match]
                Name=c0

                [Network]
                DHCP=ipv4
                Domains=static.test
                Bogus=1

                [DHCPv4]
                ClientIdentifier=mac
                Hostname=probe-host
                """);
        Path seen = root.resolve("seen");
        Files.writeString(units.resolve("probe.service"), """
                [Unit]
                Wants=network-online.target
                After=network-online.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'ip -4 -o addr show dev c0 > %s; ip route show default >> %s'

                [Install]
                WantedBy=multi-user.target
                """.formatted(seen, seen));
        Path log1 = root.resolve("jinit1.log"), log2 = root.resolve("jinit2.log");
        try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.98.0.50,10.98.0.60,255.255.255.0,2m",
                "--dhcp-option=option:dns-server,10.98.0.3", "--dhcp-option=option:domain-name,lease.test")) {
            Process jinit = startJinit(log1);
            try {
                await("the probe unit's output", () -> Files.exists(seen) && size(seen) > 0, log1);
                await("the probe unit's whole output", () -> read(seen).contains("default via"), log1);
                String probe = read(seen);
                assertTrue(probe.matches("(?s).*inet 10\\.98\\.0\\.(5[0-9]|60)/24 brd 10\\.98\\.0\\.255.*"),
                        "the unit ordered after network-online.target saw the lease: " + probe + "\n" + read(log1));
                assertTrue(probe.contains("default via 10.98.0.1 dev c0 proto dhcp"), probe);
                String resolv = read(root.resolve("state").resolve("resolv.conf"));
                assertEquals("# Written by jinit from the network configuration; changes are overwritten.\n"
                        + "nameserver 10.98.0.3\nsearch static.test lease.test\n", resolv);
                String out = read(log1);
                assertTrue(out.contains("10-c0.network:7: unknown key Bogus= in [Network], ignoring"), out);
                assertTrue(dnsmasq.log().contains("probe-host"), "Hostname= sent: " + dnsmasq.log());
                // What `jinit network` shows: the status file the part keeps, and its rendering.
                String json = read(root.resolve("state").resolve(NetworkService.STATUS_FILE));
                com.google.gson.JsonObject link = com.google.gson.JsonParser.parseString(json).getAsJsonObject()
                        .getAsJsonArray("links").get(0).getAsJsonObject();
                assertEquals("c0", link.get("name").getAsString());
                com.google.gson.JsonObject dhcp = link.getAsJsonObject("dhcp");
                assertEquals("BOUND", dhcp.get("state").getAsString(), json);
                assertEquals("10.98.0.1", dhcp.get("gateway").getAsString());
                assertEquals(120, dhcp.get("lease_seconds").getAsInt());
                String shown = NetworkStatus.render(json, java.time.Instant.now());
                assertTrue(shown.startsWith("network: online\nc0: configured, carrier, DHCP BOUND 10.98.0."), shown);
                assertTrue(shown.contains(" via 10.98.0.1 from 10.98.0.1, dns 10.98.0.3, renew in "), shown);
            } finally {
                stop(jinit);
            }
            String address = read(seen).replaceAll("(?s).*inet (10\\.98\\.0\\.[0-9]+)/.*", "$1");
            await("DHCPRELEASE at shutdown", () -> dnsmasq.log().contains("DHCPRELEASE(s0) " + address), log1);
            assertEquals("", client.ip("-4", "addr", "show", "dev", "c0").replaceAll("(?s).*inet .*", "still has an address"),
                    "the released address is removed");

            // The next run remembers the lease: INIT-REBOOT, a REQUEST for the same address without a DISCOVER.
            int discovers = count(dnsmasq.log(), "DHCPDISCOVER(s0)");
            Files.delete(seen);
            Process again = startJinit(log2);
            try {
                await("the probe unit's output again", () -> Files.exists(seen) && read(seen).contains("default via"), log2);
                assertTrue(read(seen).contains("inet " + address + "/24"), read(seen));
                assertEquals(discovers, count(dnsmasq.log(), "DHCPDISCOVER(s0)"), "no DHCPDISCOVER: " + dnsmasq.log());
            } finally {
                stop(again);
            }
        }
    }

    /**
     * network-online.target as systemd has it: with no DHCP server yet, a unit not ordered after it
     * runs at once while the one ordered after it waits; once a server answers, the lease is bound and
     * the waiting unit starts and sees it.
     */
    @Test
    void onlyUnitsOrderedAfterNetworkOnlineWaitForTheNetwork() throws Exception {
        Path units = root.resolve("units");
        Files.writeString(units.resolve("c0.network"), """
                [Match]
                Name=c0

                [Network]
                DHCP=yes
                """);
        Path early = root.resolve("early"), late = root.resolve("late");
        Files.writeString(units.resolve("early.service"), """
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'ip -4 -o addr show dev c0 > %s; echo done >> %s'

                [Install]
                WantedBy=multi-user.target
                """.formatted(early, early));
        Files.writeString(units.resolve("late.service"), """
                [Unit]
                Wants=network-online.target
                After=network-online.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'ip -4 -o addr show dev c0 > %s'

                [Install]
                WantedBy=multi-user.target
                """.formatted(late));
        Path log = root.resolve("jinit.log");
        Process jinit = startJinit(log);
        try {
            await("the unit not ordered after network-online.target", () -> read(early).contains("done"), log);
            assertEquals("done\n", read(early), "it ran before any address was configured");
            assertTrue(!Files.exists(late), "the unit ordered after network-online.target waits for the network\n" + read(log));
            String status = jinitCommand("status", "network-online.target");
            assertTrue(status.contains("Active: inactive"), status);
            try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.98.0.50,10.98.0.60,255.255.255.0,2m")) {
                await("the unit ordered after network-online.target", () -> read(late).contains("inet 10.98.0."), log);
                assertTrue(read(log).contains("Reached target Network is Online."), read(log));
            }
        } finally {
            stop(jinit);
        }
    }

    /**
     * UseHostname=yes said in the file: jinit run (in a UTS namespace of its own here) takes the lease's
     * host name; {@code jinit status} shows the lease under the unit table.
     */
    @Test
    void useHostnameGivenSetsTheLeasesHostNameAndStatusShowsTheLease() throws Exception {
        String mac = client.ipJson("link", "show", "c0").get(0).getAsJsonObject().get("address").getAsString();
        Path units = root.resolve("units");
        Files.writeString(units.resolve("c0.network"), """
                [Match]
                Name=c0

                [Network]
                DHCP=yes

                [DHCPv4]
                UseHostname=yes
                """);
        Path seen = root.resolve("seen");
        Files.writeString(units.resolve("probe.service"), """
                [Unit]
                Wants=network-online.target
                After=network-online.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'hostname > %s.tmp; mv %s.tmp %s'

                [Install]
                WantedBy=multi-user.target
                """.formatted(seen, seen, seen));
        Path log = root.resolve("jinit.log");
        try (DhcpServer dnsmasq = DhcpServer.dnsmasq(server, "s0", "10.98.0.50,10.98.0.60,255.255.255.0,2m",
                "--dhcp-host=" + mac + ",leased-name")) {
            Process jinit = startJinit(log, List.of("unshare", "--uts"));
            try {
                await("the probe unit's output", () -> read(seen).contains("\n"), log);
                assertEquals("leased-name\n", read(seen), read(log));
                assertTrue(read(log).contains("c0: host name set to leased-name (from the lease)"), read(log));
                String status = jinitCommand("status");
                assertTrue(status.matches("(?s).*\nnetwork: online; c0 10\\.98\\.0\\.[0-9]+/24 from 10\\.98\\.0\\.1, lease left [0-9]+ s\n.*"),
                        status);
            } finally {
                stop(jinit);
            }
        }
    }

    /** A jinit control command against the running jinit (its output, whatever its exit status). */
    private String jinitCommand(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.jinit.cli.Main"));
        cmd.add(args[0]);
        cmd.addAll(List.of("--state", root.resolve("state").toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void staticAddressAndGateway() throws Exception {
        Path units = root.resolve("units");
        Files.writeString(units.resolve("20-c0.network"), """
                [Match]
                MACAddress=%s

                [Network]
                Address=10.98.7.2/24
                Gateway=10.98.7.1
                DNS=10.98.7.53
                """.formatted(client.ipJson("link", "show", "c0").get(0).getAsJsonObject().get("address").getAsString()));
        Path seen = root.resolve("seen");
        Files.writeString(units.resolve("probe.service"), """
                [Unit]
                Wants=network-online.target
                After=network-online.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'ip -4 -o addr show dev c0 > %s; ip route show default >> %s'

                [Install]
                WantedBy=multi-user.target
                """.formatted(seen, seen));
        Path log = root.resolve("jinit.log");
        Process jinit = startJinit(log);
        try {
            await("the probe unit's output", () -> read(seen).contains("default"), log);
            String probe = read(seen);
            assertTrue(probe.contains("inet 10.98.7.2/24 brd 10.98.7.255"), probe);
            assertTrue(probe.contains("default via 10.98.7.1 dev c0 proto static"), probe);
            assertEquals("# Written by jinit from the network configuration; changes are overwritten.\nnameserver 10.98.7.53\n",
                    read(root.resolve("state").resolve("resolv.conf")));
        } finally {
            stop(jinit);
        }
    }
}
