package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.api.SelfSigned;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jinit run --api 127.0.0.1:0 --api-tls-cert C --api-tls-key K}: HTTPS and wss with a
 * self-signed certificate made by keytool at test time; the token still required; a client that does
 * not trust the certificate gets no answer, and plain HTTP on the port gets no page.
 */
class HttpApiTlsTest {
    @Test
    void httpsAndWssWithACertificateAndKeyFromPemFiles() throws Exception {
        JinitRun layout = JinitRun.layout("api-tls");
        layout.unit("ticker.service", HttpApiTest.TICKER);
        Path dir = Files.createDirectories(layout.state.getParent().resolve("tls"));
        SelfSigned cert = SelfSigned.make(dir, "api", "EC");
        String token = "0123456789abcdef0123456789abcdef";
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        try (JinitRun j = layout.start("--api", "127.0.0.1:0", "--api-token-file", tokenFile.toString(),
                "--api-tls-cert", cert.cert().toString(), "--api-tls-key", cert.key().toString())) {
            Path file = j.state.resolve("api.address");
            j.await("the API listening (api.address)", () -> Files.exists(file));
            String base = Files.readString(file).strip();
            assertTrue(base.startsWith("https://127.0.0.1:"), base);

            HttpClient trusting = HttpClient.newBuilder().sslContext(cert.trustingIt()).connectTimeout(Duration.ofSeconds(10)).build();
            assertEquals(200, get(trusting, base + "/healthz", null).statusCode());
            assertEquals(401, get(trusting, base + "/api/v1/units", null).statusCode());
            HttpResponse<String> units = get(trusting, base + "/api/v1/units", token);
            assertEquals(200, units.statusCode(), units.body());
            assertTrue(units.body().contains("\"name\":\"ticker.service\""), units.body());

            // the login cookie is marked Secure over TLS
            HttpResponse<String> login = trusting.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", base)
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String cookie = login.headers().firstValue("Set-Cookie").orElse("");
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure"), login.statusCode() + " " + cookie);

            // wss: the unit's log follow over the same connector
            CompletableFuture<String> first = new CompletableFuture<>();
            WebSocket ws = trusting.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("wss" + base.substring(5) + "/api/v1/units/ticker/logs/follow?lines=1"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            first.complete(data.toString());
                            return null;
                        }
                    }).get(60, TimeUnit.SECONDS);
            String line = first.get(60, TimeUnit.SECONDS);
            assertTrue(line.contains("\"unit\":\"ticker.service\"") && line.contains("tick "), line);
            ws.abort();

            // a client that does not trust the certificate: the handshake fails, nothing is served
            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            try {
                get(untrusting, base + "/healthz", null);
                throw new AssertionError("a client without the certificate got an answer");
            } catch (javax.net.ssl.SSLHandshakeException expected) {
                // the certificate is not one the default trust store knows
            }
            // plain HTTP on the TLS port gets no HTTP answer
            String plain = HttpApiTest.raw("http" + base.substring(5), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertFalse(plain.startsWith("HTTP/1.1 200"), plain);
        }
    }

    static HttpResponse<String> get(HttpClient client, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofSeconds(60));
        if (token != null) b.header("Authorization", "Bearer " + token);
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            if (e instanceof javax.net.ssl.SSLHandshakeException) throw e;
            if (e.getCause() instanceof javax.net.ssl.SSLHandshakeException h) throw h;
            throw e;
        }
    }
}
