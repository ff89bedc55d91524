package dev.jinit.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The last lease of each interface, in the state directory ({@code dhcp/IFNAME.lease}), so a restarted
 * jinit asks for the same address again (INIT-REBOOT, RFC 2131 section 3.2) instead of discovering.
 * Written atomically; a file that cannot be read is ignored (discovery is always safe).
 */
public final class LeaseStore {
    private final Path dir;

    public LeaseStore(Path dir) {
        this.dir = dir;
    }

    /** A remembered address and when its lease ends (wall-clock epoch milliseconds). */
    public record Remembered(Ipv4 address, Ipv4 server, long expiresEpochMillis) {}

    public Remembered load(String ifname, long nowEpochMillis) {
        Path f = dir.resolve(ifname + ".lease");
        if (!Files.isRegularFile(f)) return null;
        try (var in = Files.newBufferedReader(f)) {
            Properties p = new Properties();
            p.load(in);
            Remembered r = new Remembered(Ipv4.parse(p.getProperty("address", "")), Ipv4.parse(p.getProperty("server", "")),
                    Long.parseLong(p.getProperty("expires", "0")));
            return r.expiresEpochMillis() > nowEpochMillis ? r : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public void save(String ifname, Lease lease, long expiresEpochMillis) throws IOException {
        Files.createDirectories(dir);
        String text = "# jinit DHCP lease of " + ifname + "\naddress=" + lease.address() + "\nprefix=" + lease.prefix()
                + "\nserver=" + lease.server() + "\nexpires=" + expiresEpochMillis + "\n";
        Path tmp = dir.resolve("." + ifname + ".lease.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve(ifname + ".lease"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public void forget(String ifname) throws IOException {
        Files.deleteIfExists(dir.resolve(ifname + ".lease"));
    }
}
