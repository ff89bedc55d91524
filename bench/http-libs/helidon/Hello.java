import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.*;
public class Hello {
  public static void main(String[] a) throws Exception {
    long t0 = System.nanoTime();
    WebServer server = WebServer.builder().host("127.0.0.1").port(Integer.parseInt(a[0]))
      .routing(r -> r.get("/", (rq, rs) -> rs.send("hello\n")))
      .addRouting(WsRouting.builder().endpoint("/ws", new WsListener() {
        public void onMessage(WsSession s, String text, boolean last) { s.send(text, last); } }))
      .build().start();
    System.out.println("ready " + (System.nanoTime() - t0) / 1_000_000);
    Thread.currentThread().join();
  }
}
