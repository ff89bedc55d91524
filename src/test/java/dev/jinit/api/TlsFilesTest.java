package dev.jinit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM certificate and key files into the server's key store, and the clear refusals of wrong ones. */
class TlsFilesTest {
    @Test
    void aPemPairLoadsAndAForeignKeyIsRefusedNamingBothFiles(@TempDir Path dir) throws Exception {
        SelfSigned ec = SelfSigned.make(dir, "ec", "EC");
        SelfSigned rsa = SelfSigned.make(dir, "rsa", "RSA");
        for (SelfSigned s : new SelfSigned[] {ec, rsa}) {
            KeyStore store = TlsFiles.load(new ApiOptions.Tls(s.cert(), s.key()));
            assertEquals(s.certificate(), (X509Certificate) store.getCertificate(TlsFiles.ALIAS));
            assertTrue(store.isKeyEntry(TlsFiles.ALIAS));
        }
        // a link to the files, as certbot's live/ directory has: resolved and read
        Path link = dir.resolve("live.crt");
        Files.createSymbolicLink(link, ec.cert());
        TlsFiles.load(new ApiOptions.Tls(link, ec.key()));

        var foreign = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(ec.cert(), rsa.key())));
        assertTrue(foreign.getMessage().contains(rsa.key() + " does not belong to the first certificate of " + ec.cert()),
                foreign.getMessage());
        SelfSigned ec2 = SelfSigned.make(dir, "ec2", "EC");
        var other = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(ec.cert(), ec2.key())));
        assertTrue(other.getMessage().contains("does not belong"), other.getMessage());
    }

    @Test
    void wrongFilesAreRefusedWithTheFileAndWhatToDo(@TempDir Path dir) throws Exception {
        SelfSigned s = SelfSigned.make(dir, "a", "EC");
        Path pkcs1 = dir.resolve("old.key");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(s.cert(), pkcs1)));
        assertTrue(e.getMessage().contains(pkcs1 + ": RSA PRIVATE KEY (PKCS#1/SEC1); convert it to PKCS#8: openssl pkcs8 -topk8"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(s.key(), s.key())));
        assertTrue(e.getMessage().contains("TLS certificate " + s.key() + ": no '-----BEGIN CERTIFICATE-----' block"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(s.cert(), s.cert())));
        assertTrue(e.getMessage().contains("TLS key " + s.cert() + ": no '-----BEGIN PRIVATE KEY-----' block"), e.getMessage());
        Path missing = dir.resolve("missing.crt");
        e = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(missing, s.key())));
        assertTrue(e.getMessage().startsWith("TLS file " + missing + ": "), e.getMessage());
        Path fifo = dir.resolve("fifo.key");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        e = assertThrows(IllegalArgumentException.class, () -> TlsFiles.load(new ApiOptions.Tls(s.cert(), fifo)));
        assertTrue(e.getMessage().contains("not a regular file"), "a FIFO is refused, not waited on: " + e.getMessage());
    }

    @Test
    void bootValueTakesTokenFileTokenAndTlsOptions(@TempDir Path dir) throws Exception {
        ApiOptions plain = ApiOptions.boot("0.0.0.0:8080", null);
        assertEquals(8080, plain.address().port());
        assertEquals(null, plain.tokenFile());
        assertEquals("http", plain.scheme());
        Path image = dir.resolve("api.token");
        assertEquals(null, ApiOptions.boot("0.0.0.0:8080", image).tokenFile(), "no image token file: none");
        Files.writeString(image, "0123456789abcdef0123\n");
        assertEquals(image, ApiOptions.boot("0.0.0.0:8080", image).tokenFile(), "the image's token file is used");
        ApiOptions t = ApiOptions.boot("0.0.0.0:8080,token=0123456789abcdefXYZ", image);
        assertEquals("0123456789abcdefXYZ", t.token());
        assertEquals(null, t.tokenFile(), "a token on the command line wins over the image's file");
        ApiOptions f = ApiOptions.boot("[::]:443,token_file=/etc/other.token,tls_cert=/etc/c.pem,tls_key=/etc/k.pem", image);
        assertEquals(Path.of("/etc/other.token"), f.tokenFile());
        assertEquals(new ApiOptions.Tls(Path.of("/etc/c.pem"), Path.of("/etc/k.pem")), f.tls());
        assertEquals("https", f.scheme());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiOptions.boot("0.0.0.0:80,token=short", null))
                .getMessage().contains("at least 16"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiOptions.boot("0.0.0.0:80,tls_cert=/c.pem", null))
                .getMessage().contains("go together"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiOptions.boot("0.0.0.0:80,token_file=rel", null))
                .getMessage().contains("absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiOptions.boot("0.0.0.0:80,colour=blue", null))
                .getMessage().contains("unknown option 'colour'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiOptions.parse("127.0.0.1:1", null, "/c", null))
                .getMessage().contains("--api-tls-cert and --api-tls-key go together"));
    }
}
