package dev.jinit.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the HTTP API is asked for: {@code jinit run --api HOST:PORT [--api-token-file FILE]
 * [--api-tls-cert FILE --api-tls-key FILE]}, or boot mode's {@code jinit.api=HOST:PORT[,option=value...]}
 * (see {@link #boot}).
 *
 * @param address   where to listen; nothing else listens
 * @param tokenFile a file holding the token; null: {@code token} if given, else on loopback no token,
 *                  elsewhere the state directory's {@code api.token} (made at first start)
 * @param token     the token itself (boot mode's {@code token=}: the kernel command line), or null
 * @param tls       serve HTTPS (and wss) with this certificate and key, or null for plain HTTP
 */
public record ApiOptions(ApiAddress address, Path tokenFile, String token, Tls tls) {
    /** Where boot mode looks for a token file when {@code jinit.api=} names none: put it in the image. */
    public static final Path IMAGE_TOKEN_FILE = Path.of("/etc/jinit/api.token");

    /**
     * A certificate and its private key, both PEM files as OpenSSL writes them.
     *
     * @param certificate the server's certificate, then any intermediates ({@code BEGIN CERTIFICATE})
     * @param key         its private key, PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or EC), unencrypted
     */
    public record Tls(Path certificate, Path key) {
        public Tls {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }
    }

    public ApiOptions {
        Objects.requireNonNull(address, "address");
        if (tokenFile != null && token != null)
            throw new IllegalArgumentException("a token file and a token were both given; give one");
        if (token != null) new ApiToken(token); // refuse a short or odd token now, with the reason
    }

    /** {@code HOST:PORT} and an optional token file (plain HTTP). */
    public static ApiOptions parse(String address, String tokenFile) {
        return parse(address, tokenFile, null, null);
    }

    /** {@code jinit run}'s options: the TLS files come as a pair or not at all. */
    public static ApiOptions parse(String address, String tokenFile, String tlsCert, String tlsKey) {
        if ((tlsCert == null) != (tlsKey == null))
            throw new IllegalArgumentException("--api-tls-cert and --api-tls-key go together: give both or neither");
        return new ApiOptions(ApiAddress.parse(address), tokenFile == null ? null : Path.of(tokenFile), null,
                tlsCert == null ? null : new Tls(Path.of(tlsCert), Path.of(tlsKey)));
    }

    /**
     * Boot mode's {@code jinit.api=} value: {@code HOST:PORT} then comma-separated options
     * {@code token_file=PATH}, {@code token=TOKEN}, {@code tls_cert=PATH}, {@code tls_key=PATH}. Without
     * {@code token_file=} or {@code token=}, {@code imageTokenFile} is used when it exists (null: none).
     *
     * <p>{@code token=} puts the secret on the kernel command line, which every process of the machine
     * can read in /proc/cmdline (systemd says the same of {@code systemd.set_credential=}); it suits a
     * throw-away VM. A token file in the image ({@link #IMAGE_TOKEN_FILE}, mode 0600) keeps it from
     * the machine's services.
     */
    public static ApiOptions boot(String value, Path imageTokenFile) {
        String[] parts = value.split(",", -1);
        Path tokenFile = null;
        String token = null, cert = null, key = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            if (v.isEmpty()) throw new IllegalArgumentException("'" + p + "' needs a value (" + name + "=...)");
            switch (name) {
                case "token_file" -> tokenFile = absolute(name, v);
                case "token" -> token = v;
                case "tls_cert" -> cert = absolute(name, v).toString();
                case "tls_key" -> key = absolute(name, v).toString();
                default -> throw new IllegalArgumentException("unknown option '" + name
                        + "' (known: token_file=, token=, tls_cert=, tls_key=)");
            }
        }
        if ((cert == null) != (key == null)) throw new IllegalArgumentException("tls_cert= and tls_key= go together");
        if (tokenFile == null && token == null && imageTokenFile != null && Files.isRegularFile(imageTokenFile))
            tokenFile = imageTokenFile;
        return new ApiOptions(ApiAddress.parse(parts[0]), tokenFile, token,
                cert == null ? null : new Tls(Path.of(cert), Path.of(key)));
    }

    private static Path absolute(String name, String value) {
        Path p = Path.of(value);
        if (!p.isAbsolute()) throw new IllegalArgumentException(name + "=" + value + ": needs an absolute path");
        return p;
    }

    /** The scheme of the URLs this serves. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }
}
