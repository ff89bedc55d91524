import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
public class Hello {
  public static void main(String[] a) throws Exception {
    long t0 = System.nanoTime();
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[0])), 0);
    s.createContext("/", x -> { byte[] b = "hello\n".getBytes(); x.sendResponseHeaders(200, b.length); x.getResponseBody().write(b); x.close(); });
    s.start();
    System.out.println("ready " + (System.nanoTime() - t0) / 1_000_000);
  }
}
