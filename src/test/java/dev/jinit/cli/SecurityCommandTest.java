package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jinit security UNIT}: what is enforced, read from the spec jinit would spawn. */
class SecurityCommandTest {
    @TempDir
    Path dir;

    private record Run(int rc, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Main.run(args, java.util.Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void debiansMemcachedIsMostlyProtected() throws Exception {
        Files.copy(Path.of(SecurityCommandTest.class.getResource("/debian-units/memcached.service").toURI()), dir.resolve("memcached.service"));
        Run r = run("security", "--units", dir.toString(), "memcached");
        assertEquals(0, r.rc(), r.err());
        for (String on : new String[] {"✓ ProtectSystem=", "✓ PrivateDevices=", "✓ NoNewPrivileges=", "✓ RestrictAddressFamilies=",
                "✓ MemoryDenyWriteExecute=", "✓ RestrictNamespaces=", "✓ ProtectKernelTunables=", "✓ CapabilityBoundingSet=",
                "✓ PrivateTmp="})
            assertTrue(r.out().contains(on), on + " in\n" + r.out());
        for (String off : new String[] {"✗ User=", "✗ PrivateNetwork=", "✗ SystemCallFilter=", "✗ ProtectHome="})
            assertTrue(r.out().contains(off), off + " in\n" + r.out());
        assertTrue(r.out().contains("Only address families AF_INET AF_INET6 AF_UNIX"), r.out());
        assertTrue(r.out().matches("(?s).*→ Overall exposure level for memcached.service: \\d+\\.\\d (SAFE|OK|MEDIUM).*"), r.out());
    }

    @Test
    void unenforcedProtectionsAreListed() throws Exception {
        Files.writeString(dir.resolve("u.service"), """
                [Service]
                ExecStart=/bin/true
                PrivateUsers=yes
                SystemCallFilter=@system-service
                IPAddressDeny=any
                """);
        Files.writeString(dir.resolve("bare.service"), "[Service]\nExecStart=/bin/true\n");
        Run r = run("security", "--units", dir.toString(), "u.service", "bare.service");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("✗ SystemCallFilter=") && r.out().contains("(not enforced: PrivateUsers= hands the start"), r.out());
        assertTrue(r.out().contains("✗ " + dir.resolve("u.service") + ":5: IPAddressDeny=any is not enforced"), r.out());
        assertTrue(r.out().contains("→ Overall exposure level for bare.service: 10.0 UNSAFE"), "nothing on: " + r.out());
    }

    @Test
    void badUsageAndMissingUnits() {
        assertEquals(2, run("security").rc());
        Run missing = run("security", "--units", dir.toString(), "nope.service");
        assertEquals(1, missing.rc());
        assertTrue(missing.err().contains("nope.service"), missing.err());
    }
}
