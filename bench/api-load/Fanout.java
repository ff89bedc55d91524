import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 9 benchmark: N WebSocket subscribers to /api/v1/logs/follow while flood.service prints
 * numbered lines for SECONDS. Prints per subscriber: flood lines received, drop markers, and the
 * flood's own count (the pump's input) from its last line number.
 * Usage: java Fanout.java BASE_URL SUBSCRIBERS SECONDS
 */
public class Fanout {
    static final class Counter implements WebSocket.Listener {
        final AtomicLong lines = new AtomicLong(), markers = new AtomicLong(), maxNumber = new AtomicLong(-1);
        final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String m = partial.toString();
                partial.setLength(0);
                // an all-units reader's drop markers carry the unit name "jinit"
                if (m.contains("lines dropped here")) markers.incrementAndGet();
                else if (m.contains("\"unit\":\"flood.service\"")) {
                    {
                        int i = m.indexOf("\"text\":\"n");
                        if (i >= 0) {
                            lines.incrementAndGet();
                            int end = m.indexOf(' ', i + 9);
                            maxNumber.accumulateAndGet(Long.parseLong(m.substring(i + 9, end)), Math::max);
                        }
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    public static void main(String[] a) throws Exception {
        String base = a[0];
        int n = Integer.parseInt(a[1]);
        int seconds = Integer.parseInt(a[2]);
        HttpClient http = HttpClient.newHttpClient();
        List<Counter> counters = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Counter c = new Counter();
            counters.add(c);
            sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws" + base.substring(4) + "/api/v1/logs/follow"), c).join());
        }
        long t0 = System.nanoTime();
        // a fresh client per POST: a pooled connection from before the flood may be gone by then
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/units/flood/start")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(seconds * 1000L);
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/units/flood/stop")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(2000); // the queued lines drain
        double s = (System.nanoTime() - t0) / 1e9 - 2;
        long produced = counters.stream().mapToLong(c -> c.maxNumber.get() + 1).max().orElse(0);
        long total = 0;
        for (int i = 0; i < n; i++) {
            Counter c = counters.get(i);
            total += c.lines.get();
            System.out.printf("subscriber %2d: %8d lines (%6.0f/s), %5d drop markers%n", i, c.lines.get(), c.lines.get() / s, c.markers.get());
        }
        System.out.printf("flood produced >= %d lines in %.1f s (%.0f lines/s through the pump); delivered %d in all (%.0f lines/s to %d subscribers)%n",
                produced, s, produced / s, total, total / s, n);
        for (WebSocket w : sockets) w.abort();
        System.exit(0);
    }
}
