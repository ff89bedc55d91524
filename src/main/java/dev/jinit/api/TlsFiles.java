package dev.jinit.api;

import dev.jinit.linux.RegularFile;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and private key from PEM files (what {@code openssl req -x509} or an ACME client
 * writes) into an in-memory key store for Jetty's {@code SslContextFactory}: nothing is converted on disk,
 * and a wrong file is refused at start with its name and the reason. Keys: PKCS#8 ({@code BEGIN PRIVATE
 * KEY}), RSA, EC or Ed25519, unencrypted; the older PKCS#1/SEC1 forms are refused with the command that
 * converts them.
 */
final class TlsFiles {
    /** The in-memory store's password: it protects nothing (the store never leaves memory), Jetty wants one. */
    static final String STORE_PASSWORD = "jinit";
    static final String ALIAS = "jinit-api";
    private static final long MAX_PEM_BYTES = 1 << 20;
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    private TlsFiles() {}

    static KeyStore load(ApiOptions.Tls tls) {
        List<X509Certificate> chain = certificates(tls.certificate());
        PrivateKey key = privateKey(tls.key());
        if (!matches(key, chain.getFirst().getPublicKey()))
            throw new IllegalArgumentException("TLS key " + tls.key() + " does not belong to the first certificate of "
                    + tls.certificate() + " (" + chain.getFirst().getSubjectX500Principal() + ")");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, STORE_PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("TLS: cannot hold " + tls.certificate() + " and its key: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        String text = text(file);
        if (!text.contains("-----BEGIN CERTIFICATE-----"))
            throw new IllegalArgumentException("TLS certificate " + file + ": no '-----BEGIN CERTIFICATE-----' block (PEM expected)");
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : all) chain.add((X509Certificate) c);
            if (chain.isEmpty()) throw new IllegalArgumentException("TLS certificate " + file + ": no certificate in it");
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS certificate " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text = text(file);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    byte[] der;
                    try {
                        der = Base64.getMimeDecoder().decode(m.group(2));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("TLS key " + file + ": bad base64: " + e.getMessage(), e);
                    }
                    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
                        try {
                            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                        } catch (GeneralSecurityException e) {
                            // not this algorithm: try the next
                        }
                    }
                    throw new IllegalArgumentException("TLS key " + file + ": a PKCS#8 key of no algorithm jinit knows (RSA, EC, Ed25519)");
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("TLS key " + file
                        + ": encrypted; jinit starts unattended and has no passphrase: openssl pkcs8 -in KEY -out KEY.plain");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalArgumentException("TLS key " + file + ": " + type
                        + " (PKCS#1/SEC1); convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                default -> { } // e.g. EC PARAMETERS before the key
            }
        }
        throw new IllegalArgumentException("TLS key " + file + ": no '-----BEGIN PRIVATE KEY-----' block (PEM expected)");
    }

    /** Signs and verifies a few bytes: the cheap, algorithm-neutral way to tell the pair belongs together. */
    private static boolean matches(PrivateKey key, PublicKey pub) {
        if (!key.getAlgorithm().equals(pub.getAlgorithm()) && !(key.getAlgorithm().equals("EdDSA") || pub.getAlgorithm().equals("EdDSA")))
            return false;
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) return true; // no check for it: the TLS handshake will tell
        try {
            byte[] probe = "jinit".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature s = java.security.Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(pub);
            s.update(probe);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String text(Path file) {
        try {
            // a certificate is often a link (certbot's live/ into archive/): resolved on purpose, then read as a file
            return new String(RegularFile.read(file.toRealPath(), MAX_PEM_BYTES), StandardCharsets.US_ASCII);
        } catch (RuntimeException | java.io.IOException e) {
            throw new IllegalArgumentException("TLS file " + file + ": " + e.getMessage(), e);
        }
    }
}
