package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The status page in Debian's headless Chromium (installed by .ci/run), driven over the DevTools
 * protocol with the JDK's WebSocket client: log in, see the units, press stop and see the state
 * change, see a new log line arrive. Screenshots (laptop and phone widths) are left in target/.
 */
class StatusPageBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void loginUnitsStopAndLiveLogsInChromium() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: .ci/run installs Debian's chromium");
        JinitRun layout = JinitRun.layout("api-page");
        layout.unit("ticker.service", HttpApiTest.TICKER);
        layout.unit("sleeper.service", HttpApiTest.SLEEPER);
        String token = "browser-test-token-0123456789abcdef";
        Path tokenFile = layout.root.resolve("token");
        Files.writeString(tokenFile, token + "\n");
        try (JinitRun j = layout.start("--api", "127.0.0.1:0", "--api-token-file", tokenFile.toString());
             Browser b = Browser.start(layout.root.resolve("chromium"))) {
            String base = HttpApiTest.baseUrl(j);
            b.call("Page.enable", new JsonObject());
            b.call("Emulation.setDeviceMetricsOverride", metrics(1280, 900, false));
            JsonObject nav = new JsonObject();
            nav.addProperty("url", base + "/");
            b.call("Page.navigate", nav);

            // until the navigation is done the old page (about:blank) answers: no such element yet
            j.await("the login form", () -> b.evalBoolean("location.href.startsWith(" + quote(base) + ")"
                    + " && document.getElementById('login') !== null && !document.getElementById('login').hidden"));
            b.eval("document.getElementById('token').value = " + quote(token)
                    + "; document.getElementById('login-form').requestSubmit(); true");
            // the two units (jinit's built-in targets are listed too, as systemctl lists them)
            j.await("both units in the table", () -> b.evalBoolean(
                    "document.querySelector('tr[data-unit=\"ticker.service\"]') !== null"
                    + " && document.querySelector('tr[data-unit=\"sleeper.service\"]') !== null"));
            j.await("sleeper shown running", () -> b.evalString(stateOf("sleeper.service")).equals("active (running)"));
            j.await("the live badge", () -> b.evalString("document.getElementById('live').textContent").equals("live"));
            j.await("ticks in the log viewer", () -> b.evalBoolean("document.getElementById('log').textContent.includes('tick ')"));
            assertTrue(b.evalString("document.getElementById('system-facts').textContent").contains("run mode"));

            // press stop: the row changes from the events stream, and jinit agrees
            b.eval("document.querySelector('tr[data-unit=\"sleeper.service\"] button[data-action=stop]').click(); true");
            j.await("sleeper shown stopped", () -> b.evalString(stateOf("sleeper.service")).equals("inactive (dead)"));
            assertTrue(j.client("status", "sleeper").out().contains("inactive (dead)"));

            // a new log line arrives live
            int last = b.evalNumber(lastTick());
            j.await("a newer tick in the viewer", () -> b.evalNumber(lastTick()) > last);

            Files.write(Path.of("target", "status-page.png"), b.screenshot());
            b.call("Emulation.setDeviceMetricsOverride", metrics(390, 844, true));
            j.await("the phone layout (no table header)", () ->
                    b.evalString("getComputedStyle(document.querySelector('#units thead')).display").equals("none"));
            Files.write(Path.of("target", "status-page-phone.png"), b.screenshot());
        }
    }

    static String stateOf(String unit) {
        return "(document.querySelector('tr[data-unit=\"" + unit + "\"] td.state') || {textContent: ''}).textContent";
    }

    static String lastTick() {
        return "Math.max(0, ...Array.from(document.querySelectorAll('#log div')).map(d => { const m = d.textContent.match(/tick (\\d+)/);"
                + " return m ? Number(m[1]) : 0; }))";
    }

    static JsonObject metrics(int w, int h, boolean mobile) {
        JsonObject m = new JsonObject();
        m.addProperty("width", w);
        m.addProperty("height", h);
        m.addProperty("deviceScaleFactor", 1);
        m.addProperty("mobile", mobile);
        return m;
    }

    static String quote(String s) {
        return new com.google.gson.JsonPrimitive(s).toString();
    }

    /** One headless Chromium, spawned with jinit's Spawner (the test JVM's reapers must not race it), one page. */
    static final class Browser implements AutoCloseable {
        final int pid;
        final WebSocket socket;
        final AtomicInteger ids = new AtomicInteger();
        final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

        private Browser(int pid, WebSocket socket) {
            this.pid = pid;
            this.socket = socket;
        }

        static Browser start(Path dir) throws Exception {
            Files.createDirectories(dir);
            Path log = dir.resolve("chromium.log");
            List<String> argv = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + dir.resolve("profile"), "--remote-debugging-port=0", "--remote-allow-origins=*",
                    "about:blank");
            int pid = new Spawner().spawn(ProcessSpec.builder(argv)
                    .env(Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString()))
                    .stdin(FdSource.NULL)
                    .stdout(new FdSource.WriteFile(log, FdSource.WriteFile.Mode.TRUNCATE))
                    .stderr(new FdSource.WriteFile(log, FdSource.WriteFile.Mode.TRUNCATE))
                    .build()).pid();
            try {
                Pattern listening = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
                int port = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (port < 0) {
                    Matcher m = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
                    if (m.find()) port = Integer.parseInt(m.group(1));
                    else if (System.nanoTime() > deadline) throw new AssertionError("Chromium did not start:\n" + Files.readString(log));
                    else Thread.sleep(50);
                }
                HttpClient http = HttpClient.newHttpClient();
                String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                String pageUrl = null;
                for (JsonElement t : JsonParser.parseString(targets).getAsJsonArray())
                    if (t.getAsJsonObject().get("type").getAsString().equals("page"))
                        pageUrl = t.getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
                if (pageUrl == null) throw new AssertionError("no page target in " + targets);
                Browser[] self = new Browser[1];
                StringBuilder partial = new StringBuilder();
                WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            JsonObject msg = JsonParser.parseString(partial.toString()).getAsJsonObject();
                            partial.setLength(0);
                            if (msg.has("id")) {
                                CompletableFuture<JsonObject> f = self[0].pending.remove(msg.get("id").getAsInt());
                                if (f != null) f.complete(msg);
                            }
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
                self[0] = new Browser(pid, ws);
                return self[0];
            } catch (Exception | Error e) {
                kill(pid);
                throw e;
            }
        }

        JsonObject call(String method, JsonObject params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonObject> f = new CompletableFuture<>();
            pending.put(id, f);
            JsonObject m = new JsonObject();
            m.addProperty("id", id);
            m.addProperty("method", method);
            m.add("params", params);
            socket.sendText(m.toString(), true).get(30, TimeUnit.SECONDS);
            JsonObject answer = f.get(60, TimeUnit.SECONDS);
            if (answer.has("error")) throw new AssertionError(method + ": " + answer.get("error"));
            return answer.getAsJsonObject("result");
        }

        JsonObject eval(String expression) {
            JsonObject p = new JsonObject();
            p.addProperty("expression", expression);
            p.addProperty("returnByValue", true);
            try {
                JsonObject r = call("Runtime.evaluate", p);
                if (r.has("exceptionDetails")) throw new AssertionError(expression + ": " + r.get("exceptionDetails"));
                return r.getAsJsonObject("result");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }

        boolean evalBoolean(String expression) {
            JsonObject r = eval(expression);
            return r.has("value") && r.get("value").isJsonPrimitive() && r.get("value").getAsJsonPrimitive().isBoolean()
                    && r.get("value").getAsBoolean();
        }

        int evalNumber(String expression) {
            JsonObject r = eval(expression);
            return r.has("value") ? r.get("value").getAsInt() : -1;
        }

        String evalString(String expression) {
            JsonObject r = eval(expression);
            return r.has("value") ? r.get("value").getAsString() : "";
        }

        byte[] screenshot() throws Exception {
            JsonObject p = new JsonObject();
            p.addProperty("format", "png");
            return Base64.getDecoder().decode(call("Page.captureScreenshot", p).get("data").getAsString());
        }

        @Override
        public void close() {
            socket.abort();
            kill(pid);
        }

        /** SIGTERM first: Chromium then ends its own helper processes (zygote, renderers); SIGKILL after 10 s. */
        private static void kill(int pid) {
            Posix.kill(pid, Signals.SIGTERM);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG) != null) return;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            Posix.kill(pid, Signals.SIGKILL);
            Wait.waitid(Wait.P_PID, pid, Wait.WEXITED);
        }
    }

}
