import org.eclipse.jetty.server.*;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.*;
import java.nio.charset.StandardCharsets;
public class Hello {
  public static class Echo implements Session.Listener.AutoDemanding {
    Session s; public void onWebSocketOpen(Session s) { this.s = s; }
    public void onWebSocketText(String m) { s.sendText(m, org.eclipse.jetty.websocket.api.Callback.NOOP); } }
  public static void main(String[] a) throws Exception {
    long t0 = System.nanoTime();
    Server server = new Server();
    ServerConnector c = new ServerConnector(server, 1, 1); c.setHost("127.0.0.1"); c.setPort(Integer.parseInt(a[0]));
    server.addConnector(c);
    Handler hello = new Handler.Abstract() {
      public boolean handle(Request rq, Response rs, Callback cb) {
        rs.write(true, java.nio.ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)), cb); return true; } };
    WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container ->
      container.addMapping("/ws", (rq, rs, cb) -> new Echo()));
    ws.setHandler(hello);
    server.setHandler(ws);
    server.start();
    System.out.println("ready " + (System.nanoTime() - t0) / 1_000_000);
    server.join();
  }
}
