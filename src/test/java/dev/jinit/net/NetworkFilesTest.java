package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.unit.Diagnostic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFilesTest {
    static Link link(String name, String mac) {
        return new Link(3, name, 0, Link.OperState.DOWN, MacAddress.parse(mac), 1500);
    }

    @Test
    void useMtuAndUseHostnameAsWritten() {
        List<Diagnostic> diags = new ArrayList<>();
        NetworkConfig c = NetworkFiles.parse(Path.of("u/c0.network"), """
                [DHCPv4]
                UseMTU=yes
                UseHostname=no
                UseMTU=maybe
                """, diags);
        assertTrue(c.dhcp().useMtu());
        assertFalse(c.dhcp().useHostname());
        assertTrue(c.dhcp().useHostnameGiven());
        assertEquals(List.of("u/c0.network:4: UseMTU=maybe: not a boolean, ignoring"), diags.stream().map(Diagnostic::toString).toList());
    }

    @Test
    void readsTheSubsetWithNetworkdsDefaults() {
        List<Diagnostic> diags = new ArrayList<>();
        NetworkConfig c = NetworkFiles.parse(Path.of("/etc/systemd/network/10-eth.network"), """
                [Match]
                Name=eth* en?0
                MACAddress=02:00:00:00:00:01

                [Network]
                DHCP=ipv4
                Address=192.168.7.2/24
                Gateway=192.168.7.1
                DNS=1.1.1.1 9.9.9.9
                Domains=example.org ~corp
                Frobnicate=yes

                [DHCPv4]
                ClientIdentifier=mac
                SendHostname=no
                UseDNS=false
                RouteMetric=100
                RouteMetric=lots
                """, diags);
        assertEquals(List.of("eth*", "en?0"), c.match().names());
        assertTrue(c.network().dhcp4());
        assertEquals("192.168.7.2/24", c.network().addresses().getFirst().toString());
        assertEquals(List.of(Ipv4.parse("1.1.1.1"), Ipv4.parse("9.9.9.9")), c.network().dns());
        assertEquals(List.of("example.org", "corp"), c.network().domains());
        assertEquals(NetworkConfig.ClientIdentifier.MAC, c.dhcp().clientIdentifier());
        assertFalse(c.dhcp().sendHostname());
        assertFalse(c.dhcp().useDns());
        assertTrue(c.dhcp().useRoutes());
        assertTrue(c.dhcp().useHostname(), "networkd's default");
        assertFalse(c.dhcp().useHostnameGiven());
        assertFalse(c.dhcp().useMtu(), "networkd's default");
        assertEquals(100, c.dhcp().routeMetric());
        assertEquals(2, diags.size(), diags.toString());
        assertEquals("/etc/systemd/network/10-eth.network:11: unknown key Frobnicate= in [Network], ignoring",
                diags.get(0).toString());
        assertTrue(diags.get(1).toString().startsWith("/etc/systemd/network/10-eth.network:18:"), diags.toString());
        assertTrue(c.match().matches(link("eth0", "02:00:00:00:00:01")));
        assertTrue(c.match().matches(link("enp0", "02:00:00:00:00:01")));
        assertFalse(c.match().matches(link("eth0", "02:00:00:00:00:02")), "MACAddress= must hold too");
        assertFalse(c.match().matches(link("wlan0", "02:00:00:00:00:01")));
    }

    @Test
    void firstFileInLexicalOrderWins(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("50-all.network"), "[Network]\nDHCP=yes\n");
        Files.writeString(dir.resolve("10-static.network"), "[Match]\nName=veth0\n[Network]\nAddress=10.1.0.2/16\n");
        Files.writeString(dir.resolve("20-not.network"), "[Match]\nName=!veth*\n[Network]\nDHCP=no\n");
        Files.writeString(dir.resolve("readme.txt"), "not a network file");
        NetworkFiles.Loaded loaded = NetworkFiles.load(dir);
        assertEquals(3, loaded.configs().size());
        assertTrue(loaded.match(link("veth0", "02:00:00:00:00:01")).orElseThrow().source().endsWith("10-static.network"));
        assertTrue(loaded.match(link("veth1", "02:00:00:00:00:01")).orElseThrow().source().endsWith("50-all.network"));
        assertTrue(loaded.match(link("eth0", "02:00:00:00:00:01")).orElseThrow().source().endsWith("20-not.network"));
        Link lo = new Link(1, "lo", Link.IFF_LOOPBACK, Link.OperState.UNKNOWN, null, 65536);
        assertEquals(Optional.empty(), NetworkFiles.load(dir).configs().stream()
                .filter(c -> c.source().endsWith("50-all.network")).filter(c -> c.match().matches(lo)).findFirst(),
                "a file without [Match] leaves loopback alone");
    }

    @Test
    void kernelIpParameter() {
        NetworkConfig dhcp = KernelIpParameter.parse("dhcp").orElseThrow();
        assertTrue(dhcp.network().dhcp4());
        assertTrue(dhcp.match().matches(link("eth0", "02:00:00:00:00:01")));

        NetworkConfig s = KernelIpParameter.parse("10.0.2.15::10.0.2.2:255.255.255.0:guest:eth0:off").orElseThrow();
        assertFalse(s.network().dhcp4());
        assertEquals("10.0.2.15/24", s.network().addresses().getFirst().toString());
        assertEquals(List.of(Ipv4.parse("10.0.2.2")), s.network().gateways());
        assertEquals("guest", s.dhcp().hostname());
        assertTrue(s.match().matches(link("eth0", "02:00:00:00:00:01")));
        assertFalse(s.match().matches(link("eth1", "02:00:00:00:00:01")));

        NetworkConfig withDns = KernelIpParameter.parse("192.168.1.5:::255.255.0.0::eth1:none:192.168.0.53").orElseThrow();
        assertEquals(16, withDns.network().addresses().getFirst().prefix());
        assertEquals(List.of(Ipv4.parse("192.168.0.53")), withDns.network().dns());
        assertEquals(List.of(), withDns.network().gateways());

        assertEquals(Optional.empty(), KernelIpParameter.parse("off"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelIpParameter.parse("10.0.2.300::10.0.2.2:255.255.255.0:h:eth0:off"));
        assertTrue(e.getMessage().contains("client address") && e.getMessage().contains("10.0.2.300"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelIpParameter.parse("10.0.2.15::10.0.2.2:255.0.255.0:h:eth0:off"));
        assertThrows(IllegalArgumentException.class, () -> KernelIpParameter.parse("10.0.2.15:eth0"));
        assertThrows(IllegalArgumentException.class, () -> KernelIpParameter.parse("10.0.2.15::::h:eth0:bootp"));
    }
}
