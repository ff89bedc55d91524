package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API of a real {@code jinit run --api 127.0.0.1:0} with real units, driven by the JDK's
 * HttpClient and WebSocket client (and raw sockets where a client must misbehave). Every wait is a
 * poll with a deadline.
 */
class HttpApiTest {
    static final String TICKER = """
            [Unit]
            Description=Prints a numbered line every 0.2 s
            [Service]
            ExecStart=/bin/sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'
            [Install]
            WantedBy=multi-user.target
            """;
    static final String SLEEPER = """
            [Service]
            ExecStart=/bin/sleep 100000
            [Install]
            WantedBy=multi-user.target
            """;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The API's base URL, once jinit wrote it to api.address. */
    static String baseUrl(JinitRun j) throws Exception {
        Path file = j.state.resolve("api.address");
        j.await("the API listening (api.address)", () -> Files.exists(file));
        String url = Files.readString(file).strip();
        assertTrue(url.startsWith("http://127.0.0.1:"), url);
        return url;
    }

    record Reply(int status, String body, HttpResponse<String> response) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }

        String error() {
            return json().getAsJsonObject("error").get("message").getAsString();
        }
    }

    Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    Reply get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (headers.length > 0) b.headers(headers);
        return send(b);
    }

    Reply post(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) b.headers(headers);
        return send(b);
    }

    static String active(Reply unit) {
        return unit.json().get("active").getAsString();
    }

    @Test
    void routesStateChangesAndErrors() throws Exception {
        JinitRun layout = JinitRun.layout("api");
        layout.unit("ticker.service", TICKER);
        layout.unit("sleeper.service", SLEEPER);
        try (JinitRun j = layout.start("--api", "127.0.0.1:0")) {
            String base = baseUrl(j);
            assertEquals(200, get(base + "/healthz").status());

            // GET units: the objects of `jinit status --json`
            j.await("both units active over the API", () -> {
                Reply r = call(() -> get(base + "/api/v1/units"));
                return r.status() == 200 && r.body().contains("\"name\":\"ticker.service\"")
                        && r.json().getAsJsonArray("units").asList().stream()
                                .map(u -> u.getAsJsonObject())
                                .filter(u -> u.get("name").getAsString().endsWith(".service")) // built-in targets are listed too
                                .filter(u -> u.get("active").getAsString().equals("active")).count() == 2;
            });
            JsonObject cli = JsonParser.parseString(j.client("status", "--json").out()).getAsJsonObject();
            Reply units = get(base + "/api/v1/units");
            assertEquals(names(cli), names(units.json()), "the API lists what `jinit status --json` lists");

            // GET units/{name}: details, with CPU (the unit's cgroup or its processes)
            Reply ticker = get(base + "/api/v1/units/ticker");
            assertEquals(200, ticker.status(), ticker.body());
            JsonObject t = ticker.json();
            assertEquals("ticker.service", t.get("name").getAsString());
            assertEquals("running", t.get("sub").getAsString());
            assertTrue(t.get("pid").getAsInt() > 0);
            assertTrue(t.getAsJsonObject("details").getAsJsonArray("processes").size() >= 1);
            assertTrue(t.has("cpu_seconds") && t.get("cpu_seconds").getAsDouble() >= 0, ticker.body());
            assertTrue(t.has("memory_bytes") && t.get("memory_bytes").getAsLong() > 0, ticker.body());

            // GET logs?lines=N
            j.await("three ticks in the log", () -> call(() -> get(base + "/api/v1/units/ticker/logs?lines=3"))
                    .json().getAsJsonArray("lines").size() == 3);
            Reply logs = get(base + "/api/v1/units/ticker.service/logs?lines=3");
            for (JsonElement l : logs.json().getAsJsonArray("lines"))
                assertEquals("ticker.service", l.getAsJsonObject().get("unit").getAsString());

            // POST stop / start / restart change the state, as the control socket sees it too
            int oldPid = get(base + "/api/v1/units/sleeper").json().get("pid").getAsInt();
            Reply stop = post(base + "/api/v1/units/sleeper/stop");
            assertEquals(200, stop.status(), stop.body());
            assertEquals("inactive", stop.json().getAsJsonObject("status").get("active").getAsString());
            assertEquals("inactive", active(get(base + "/api/v1/units/sleeper")));
            assertTrue(j.client("status", "sleeper").out().contains("inactive (dead)"));
            assertFalse(JinitRun.alive(oldPid));
            assertEquals(200, post(base + "/api/v1/units/sleeper/start").status());
            assertEquals("active", active(get(base + "/api/v1/units/sleeper")));
            int started = get(base + "/api/v1/units/sleeper").json().get("pid").getAsInt();
            assertEquals(200, post(base + "/api/v1/units/sleeper/restart").status());
            assertNotEquals(started, get(base + "/api/v1/units/sleeper").json().get("pid").getAsInt());
            // reload without ExecReload=: the job fails, the request was fine -> 409 with the reason
            Reply reload = post(base + "/api/v1/units/sleeper/reload");
            assertEquals(409, reload.status(), reload.body());

            // daemon-reload picks up a new unit file
            j.unit("late.service", SLEEPER);
            assertEquals(404, get(base + "/api/v1/units/late").status());
            assertEquals(200, post(base + "/api/v1/daemon-reload").status());
            assertEquals(200, get(base + "/api/v1/units/late").status());

            // GET system
            JsonObject sys = get(base + "/api/v1/system").json();
            assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), sys.get("hostname").getAsString());
            assertEquals("run", sys.getAsJsonObject("jinit").get("mode").getAsString());
            assertEquals(j.pid(), sys.getAsJsonObject("jinit").get("pid").getAsInt());
            assertTrue(sys.get("uptime_seconds").getAsDouble() > 0);
            assertTrue(sys.getAsJsonObject("memory").get("total_bytes").getAsLong() > 0);

            // errors: JSON with the right code
            assertEquals(404, get(base + "/api/v1/units/nope").status());
            assertEquals("Unit nope.service not found.", post(base + "/api/v1/units/nope/start").error());
            assertEquals(404, get(base + "/api/v1/nothing").status());
            Reply wrongMethod = get(base + "/api/v1/units/sleeper/stop");
            assertEquals(405, wrongMethod.status());
            assertEquals("POST", wrongMethod.response().headers().firstValue("Allow").orElseThrow());
            assertEquals(405, post(base + "/api/v1/units").status());
            assertEquals(400, get(base + "/api/v1/units/ticker/logs?lines=-1").status());
            assertEquals(400, get(base + "/api/v1/units/ticker/logs?lines=lots").status());
            Reply power = post(base + "/api/v1/system/poweroff");
            assertEquals(409, power.status(), "not PID 1: no poweroff");
            assertTrue(power.error().contains("boot mode"), power.body());
            assertEquals(409, post(base + "/api/v1/system/reboot").status());
            assertTrue(j.client("status").code() == 0, "jinit still runs after a refused poweroff");
            Reply crossSite = post(base + "/api/v1/units/sleeper/stop", "Origin", "http://evil.example");
            assertEquals(403, crossSite.status());
            assertEquals("active", active(get(base + "/api/v1/units/sleeper")), "a refused cross-site stop stops nothing");
            assertEquals(200, post(base + "/api/v1/daemon-reload", "Origin", base).status(), "a same-origin POST is fine");

            // a 1 GB body is refused from its header, at once, without jinit reading it
            String huge = raw(base, "POST /api/v1/daemon-reload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
            assertTrue(huge.startsWith("HTTP/1.1 413 "), huge);
            assertTrue(huge.contains("\"status\":413"), huge);
            String malformed = raw(base, "THIS IS NOT HTTP\r\n\r\n");
            assertTrue(malformed.startsWith("HTTP/1.1 400 "), malformed);
            String bigHeader = raw(base, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertTrue(bigHeader.startsWith("HTTP/1.1 431 "), bigHeader);

            // metrics: per unit state, restarts, CPU; jinit's own figures
            Reply metrics = get(base + "/metrics");
            assertEquals(200, metrics.status());
            assertTrue(metrics.response().headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
            String m = metrics.body();
            assertTrue(m.contains("jinit_unit_active{unit=\"ticker.service\",state=\"active\",sub=\"running\"} 1"), m);
            assertTrue(m.contains("jinit_unit_restarts_total{unit=\"sleeper.service\"} 0"), m);
            assertTrue(m.matches("(?s).*\\njinit_unit_cpu_seconds_total\\{unit=\"ticker.service\"} [0-9.]+\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_unit_memory_bytes\\{unit=\"ticker.service\"} [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_heap_used_bytes [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_threads [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_open_fds [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_unit_log_lines_total\\{unit=\"ticker.service\"} [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_unit_log_bytes_total\\{unit=\"ticker.service\"} [1-9][0-9]*\\n.*"), m);
            // the sleeper was stopped and restarted above: its processes were reaped
            assertTrue(m.matches("(?s).*\\njinit_processes_reaped_total [1-9][0-9]*\\n.*"), m);
            assertTrue(m.matches("(?s).*\\njinit_orphans_reaped_total [0-9]+\\n.*"), m);

            // the status page and its files come from the jar
            Reply page = get(base + "/");
            assertEquals(200, page.status());
            assertTrue(page.body().contains("<script src=\"/app.js\""), page.body());
            assertEquals(200, get(base + "/app.js").status());
            assertEquals(200, get(base + "/style.css").status());
        }
    }

    @Test
    void tokenCookieLoginAndRateLimit() throws Exception {
        JinitRun layout = JinitRun.layout("api-auth");
        layout.unit("sleeper.service", SLEEPER);
        String token = "s3cret-token-for-the-test-0123456789";
        Path tokenFile = layout.root.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        try (JinitRun j = layout.start("--api", "127.0.0.1:0", "--api-token-file", tokenFile.toString())) {
            String base = baseUrl(j);
            assertEquals(200, get(base + "/healthz").status(), "the health check needs no token");
            assertEquals(200, get(base + "/").status(), "the page itself holds no data and shows a login form");

            Reply none = get(base + "/api/v1/units");
            assertEquals(401, none.status());
            assertTrue(none.response().headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
            assertEquals(401, get(base + "/metrics").status());
            assertEquals(401, post(base + "/api/v1/units/sleeper/stop").status());
            assertEquals(200, get(base + "/api/v1/units", "Authorization", "Bearer " + token).status());
            assertEquals(200, get(base + "/metrics", "Authorization", "Bearer " + token).status());

            // the login form sets an HttpOnly, SameSite=Strict cookie that then opens the API
            Reply login = send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
            assertEquals(200, login.status(), login.body());
            String cookie = login.response().headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            String cookieHeader = cookie.substring(0, cookie.indexOf(';'));
            assertEquals(200, get(base + "/api/v1/units", "Cookie", cookieHeader).status());
            // ... but not from another site, cookie or not
            assertEquals(403, post(base + "/api/v1/units/sleeper/stop", "Cookie", cookieHeader, "Origin", "http://evil.example").status());

            // WebSocket: no token refused; token as a query parameter accepted
            CompletableFuture<WebSocket> refused = http.newWebSocketBuilder()
                    .buildAsync(URI.create(ws(base) + "/api/v1/logs/follow"), new Collector());
            Throwable why = assertThrowsCause(refused);
            assertTrue(why instanceof java.net.http.WebSocketHandshakeException, why.toString());
            assertEquals(401, ((java.net.http.WebSocketHandshakeException) why).getResponse().statusCode());
            Collector c = new Collector();
            WebSocket ok = http.newWebSocketBuilder()
                    .buildAsync(URI.create(ws(base) + "/api/v1/events?access_token=" + token), c).get(30, TimeUnit.SECONDS);
            assertEquals(200, post(base + "/api/v1/units/sleeper/restart", "Authorization", "Bearer " + token).status());
            assertNotNull(c.awaitMatching("a transition of sleeper", s -> s.contains("\"unit\":\"sleeper.service\"")));
            ok.abort();

            // repeated wrong tokens from one address: 429 with Retry-After, even for the right token then
            int wrong = 0;
            Reply r;
            do {
                r = get(base + "/api/v1/units", "Authorization", "Bearer wrong-token-" + wrong++);
            } while (r.status() == 401 && wrong < 100);
            assertEquals(429, r.status(), "after " + wrong + " wrong tokens");
            assertTrue(wrong >= 5, "not limited before a few tries: " + wrong);
            assertTrue(Integer.parseInt(r.response().headers().firstValue("Retry-After").orElseThrow()) > 0);
            assertEquals(429, get(base + "/api/v1/units", "Authorization", "Bearer " + token).status());
            assertEquals(200, get(base + "/healthz").status(), "the health check is never limited");
        }
    }

    @Test
    void webSocketBacklogFollowEventsAndStalledReader() throws Exception {
        JinitRun layout = JinitRun.layout("api-ws");
        layout.unit("ticker.service", TICKER);
        layout.unit("sleeper.service", SLEEPER);
        // Started on demand below: fills a stalled reader's socket buffers with 1000-byte lines.
        layout.unit("flood.service", """
                [Service]
                ExecStart=/bin/sh -c 'line=$(head -c 1000 /dev/zero | tr "\\\\0" x); while true; do echo "$line"; done'
                """);
        try (JinitRun j = layout.start("--api", "127.0.0.1:0")) {
            String base = baseUrl(j);
            j.await("five ticks in the log", () -> call(() -> get(base + "/api/v1/units/ticker/logs?lines=5"))
                    .json().getAsJsonArray("lines").size() == 5);
            List<String> history = new ArrayList<>();
            for (JsonElement l : get(base + "/api/v1/units/ticker/logs?lines=3").json().getAsJsonArray("lines"))
                history.add(l.getAsJsonObject().get("text").getAsString());

            // backlog then live lines, in order, with no gap and no repeat
            Collector unit = new Collector();
            WebSocket unitSocket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(ws(base) + "/api/v1/units/ticker/logs/follow?lines=3"), unit).get(30, TimeUnit.SECONDS);
            List<Integer> ticks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                JsonObject line = JsonParser.parseString(unit.next()).getAsJsonObject();
                assertEquals("ticker.service", line.get("unit").getAsString());
                String text = line.get("text").getAsString();
                if (text.startsWith("tick ")) ticks.add(Integer.parseInt(text.substring(5)));
            }
            int firstBacklog = Integer.parseInt(history.getFirst().substring(5));
            assertTrue(ticks.getFirst() >= firstBacklog, "the backlog starts with the recent lines: " + ticks + " vs " + history);
            for (int i = 1; i < ticks.size(); i++) assertEquals(ticks.get(i - 1) + 1, ticks.get(i), "consecutive: " + ticks);

            // all units: lines of more than one unit, and the events stream sees a stop
            Collector all = new Collector();
            WebSocket allSocket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(ws(base) + "/api/v1/logs/follow?lines=10"), all).get(30, TimeUnit.SECONDS);
            // ... with no gap and no repeat between the merged backlog and the live lines either
            List<Integer> allTicks = new ArrayList<>();
            while (allTicks.size() < 12) {
                String text = JsonParser.parseString(all.next()).getAsJsonObject().get("text").getAsString();
                if (text.startsWith("tick ")) allTicks.add(Integer.parseInt(text.substring(5)));
            }
            for (int i = 1; i < allTicks.size(); i++) assertEquals(allTicks.get(i - 1) + 1, allTicks.get(i), "consecutive: " + allTicks);
            Collector events = new Collector();
            WebSocket eventSocket = http.newWebSocketBuilder()
                    .buildAsync(URI.create(ws(base) + "/api/v1/events"), events).get(30, TimeUnit.SECONDS);
            assertEquals(200, post(base + "/api/v1/units/sleeper/stop").status());
            String stopped = events.awaitMatching("sleeper inactive", s -> s.contains("\"unit\":\"sleeper.service\"")
                    && s.contains("\"active\":\"inactive\""));
            assertTrue(stopped.contains("\"type\":\"transition\""), stopped);
            all.awaitMatching("a line of sleeper (jinit's stop note) among all units", s -> s.contains("\"unit\":\"sleeper.service\""));
            all.awaitMatching("a line of ticker among all units", s -> s.contains("\"unit\":\"ticker.service\""));

            // A reader that never reads: cut off once its buffers are full, while the others go on.
            try (Socket stalled = new Socket()) {
                stalled.setReceiveBufferSize(4096);
                URI u = URI.create(base);
                stalled.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()), 10_000);
                String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
                stalled.getOutputStream().write(("GET /api/v1/logs/follow HTTP/1.1\r\nHost: " + u.getAuthority()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                        + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String status = readLine(stalled.getInputStream());
                assertTrue(status.startsWith("HTTP/1.1 101"), status);
                assertEquals(200, post(base + "/api/v1/units/flood/start").status());
                j.await("the stalled reader cut off", () -> call(() -> get(base + "/metrics")).body()
                        .contains("\njinit_api_websockets_dropped_total 1\n"));
                // the others still get new lines
                unit.clear();
                int before = Integer.parseInt(unit.awaitMatching("a tick after the cut", s -> s.contains("tick ")).replaceAll(".*tick (\\d+).*", "$1"));
                int after = Integer.parseInt(unit.awaitMatching("a later tick", s -> s.contains("\"tick " )
                        && !s.contains("\"tick " + before + "\"")).replaceAll(".*tick (\\d+).*", "$1"));
                assertTrue(after > before, before + " then " + after);
                assertEquals(200, post(base + "/api/v1/units/flood/stop").status());
                // the stalled socket ends: what was buffered, then end of stream (or a reset)
                stalled.setSoTimeout(30_000);
                assertTrue(drainsToEnd(stalled.getInputStream()), "the stalled connection was closed by jinit");
            }
            assertEquals(200, post(base + "/api/v1/units/sleeper/start").status());
            events.awaitMatching("sleeper active again", s -> s.contains("\"unit\":\"sleeper.service\"") && s.contains("\"active\":\"active\""));
            unitSocket.abort();
            allSocket.abort();
            eventSocket.abort();
            j.await("the sockets counted closed", () -> call(() -> get(base + "/metrics")).body().contains("\njinit_api_websockets 0\n"));
        }
    }

    // ---- helpers

    /** Collects a WebSocket's text messages. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String m = messages.poll(30, TimeUnit.SECONDS);
            if (m == null) throw new AssertionError("no WebSocket message within 30 s");
            return m;
        }

        void clear() {
            messages.clear();
        }

        String awaitMatching(String what, java.util.function.Predicate<String> p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String m = messages.poll(1, TimeUnit.SECONDS);
                if (m != null && p.test(m)) return m;
            }
            throw new AssertionError("no WebSocket message for " + what + " within 30 s");
        }
    }

    static String ws(String base) {
        return "ws" + base.substring(4);
    }

    static List<String> names(JsonObject doc) {
        List<String> n = new ArrayList<>();
        for (JsonElement u : doc.getAsJsonArray("units")) n.add(u.getAsJsonObject().get("name").getAsString());
        return n;
    }

    interface Call<T> {
        T run() throws Exception;
    }

    static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static Throwable assertThrowsCause(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the WebSocket handshake was accepted");
    }

    /** Sends raw bytes, returns what the server answers until it closes or 10 s pass. */
    static String raw(String base, String request) throws IOException {
        URI u = URI.create(base);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (b.indexOf("\r\n\r\n") >= 0 && b.indexOf("}\n") > 0) break; // a whole JSON error
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            return b.toString();
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.append((char) c);
        return b.toString().strip();
    }

    /** Reads until end of stream or a reset: true; a read that times out (still open, nothing sent): false. */
    static boolean drainsToEnd(InputStream in) throws IOException {
        byte[] buf = new byte[65536];
        AtomicInteger total = new AtomicInteger();
        try {
            int n;
            while ((n = in.read(buf)) >= 0) total.addAndGet(n);
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // connection reset: closed by jinit too
        }
    }
}
