package dev.jinit.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * resolv.conf(5) from the DNS servers and search domains of every configured link, written atomically
 * (a temporary file renamed over the old one) so a resolver never reads half a file. glibc uses at most
 * three nameservers; the rest are kept out rather than silently ignored by it.
 */
public final class ResolvConf {
    private ResolvConf() {}

    static final int MAX_NAMESERVERS = 3;

    public static String render(List<Ipv4> servers, List<String> domains) {
        StringBuilder b = new StringBuilder("# Written by jinit from the network configuration; changes are overwritten.\n");
        Set<Ipv4> unique = new LinkedHashSet<>(servers);
        unique.stream().limit(MAX_NAMESERVERS).forEach(s -> b.append("nameserver ").append(s).append('\n'));
        Set<String> search = new LinkedHashSet<>(domains);
        if (!search.isEmpty()) b.append("search ").append(String.join(" ", search)).append('\n');
        return b.toString();
    }

    public static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".resolv.conf.", ".tmp");
        try {
            Files.writeString(tmp, text);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
