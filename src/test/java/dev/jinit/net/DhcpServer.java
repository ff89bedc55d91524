package dev.jinit.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DHCP server (busybox udhcpd or dnsmasq) in a test namespace, on its end of a veth pair, with
 * its log in a file the test can read. Started as a helper process of the test, stopped on close.
 */
final class DhcpServer implements AutoCloseable {
    final Path dir;
    final Path log;
    private final Process process;

    private DhcpServer(Path dir, Path log, Process process) {
        this.dir = dir;
        this.log = log;
        this.process = process;
    }

    /**
     * busybox udhcpd serving {@code first..last} with the given lease time (seconds; udhcpd's own floor is
     * min_lease, set to the same value here so short test leases are honoured).
     */
    static DhcpServer udhcpd(NetNs ns, String iface, String serverIp, String first, String last, int leaseSeconds,
                             String extraOptions) throws IOException {
        Path dir = Files.createTempDirectory("jinit-udhcpd-");
        String conf = "start " + first + "\nend " + last + "\ninterface " + iface + "\nmax_leases 50\n"
                + "lease_file " + dir.resolve("leases") + "\npidfile " + dir.resolve("pid") + "\n"
                + "min_lease " + leaseSeconds + "\nauto_time 0\n"
                + "option subnet 255.255.255.0\noption router " + serverIp + "\noption dns 10.99.0.53 10.99.0.54\n"
                + "option domain test.lan\noption lease " + leaseSeconds + "\n" + extraOptions;
        Files.writeString(dir.resolve("udhcpd.conf"), conf);
        Files.createFile(dir.resolve("leases"));
        return start(dir, ns.exec("/bin/busybox", "udhcpd", "-f", dir.resolve("udhcpd.conf").toString()));
    }

    /** dnsmasq as a DHCP server only (no DNS: port=0), logging every DHCP exchange. */
    static DhcpServer dnsmasq(NetNs ns, String iface, String range, String... extra) throws IOException {
        Path dir = Files.createTempDirectory("jinit-dnsmasq-");
        List<String> cmd = new ArrayList<>(ns.exec("/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-daemon", "--port=0",
                "--conf-file=/dev/null", "--interface=" + iface, "--bind-interfaces", "--dhcp-range=" + range,
                "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("pid"), "--log-dhcp",
                "--dhcp-authoritative", "--user=root"));
        cmd.addAll(List.of(extra));
        return start(dir, cmd);
    }

    private static DhcpServer start(Path dir, List<String> cmd) throws IOException {
        Path log = dir.resolve("log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        return new DhcpServer(dir, log, p);
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
