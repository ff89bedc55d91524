package dev.jinit.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The HTTP server: Jetty 12's core server (no servlets) on one connector at the address asked for
 * (HTTPS when a certificate and key are given), every request on a virtual thread. Holds no state of jinit's: everything goes through {@link Backend}.
 */
public final class ApiServer implements AutoCloseable {
    /** The file in the state directory naming the URL actually bound (port 0 picks one). */
    public static final String ADDRESS_FILE = "api.address";
    /** Request line plus headers at most; Jetty answers 431 beyond. */
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** A connection that sends nothing for this long is closed (slowloris and forgotten clients). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Server server;
    private final Path addressFile;
    private final String url;

    private ApiServer(Server server, Path addressFile, String url) {
        this.server = server;
        this.addressFile = addressFile;
        this.url = url;
    }

    /** The base URL bound, e.g. {@code http://127.0.0.1:8080}. */
    public String url() {
        return url;
    }

    /**
     * Binds and starts. A token is required unless the address is loopback and no token file was
     * given; without a token file, a non-loopback address gets the state directory's api.token.
     */
    static ApiServer start(ApiOptions options, Backend backend, Path stateDir, PrintStream out) throws Exception {
        ApiToken token;
        if (options.tokenFile() != null) token = ApiToken.read(options.tokenFile());
        else if (options.token() != null) {
            token = ApiToken.of(options.token(), "jinit.api=...,token=");
            out.println("jinit: http-api: the token is on the kernel command line, which every process here can read"
                    + " (/proc/cmdline); a token_file= in the image keeps it private");
        } else if (options.address().isLoopback()) token = null;
        else {
            token = ApiToken.readOrCreate(stateDir);
            out.println("jinit: http-api: " + options.address() + " is not loopback: a token is required, see "
                    + stateDir.resolve(ApiToken.FILE_NAME));
        }
        Access access = new Access(token);

        VirtualThreadPool threads = new VirtualThreadPool();
        threads.setName("jinit-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // One acceptor and one selector: a handful of clients, and every platform thread costs PID 1 memory.
        ServerConnector connector;
        if (options.tls() == null) {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        } else {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(TlsFiles.load(options.tls()));
            tls.setKeyStorePassword(TlsFiles.STORE_PASSWORD);
            // Jetty's defaults: TLS 1.2 and 1.3 only, no weak suites. A client may reach the machine by an
            // address the certificate does not name (a VM through hostfwd): it decides, not the server.
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
        }
        connector.setHost(options.address().host());
        connector.setPort(options.address().port());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);

        SocketCounters counters = new SocketCounters();
        SocketEntry sockets = new SocketEntry(access, backend, SocketSender.STALL_LIMIT, counters);
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, sockets::configure);
        upgrades.setHandler(new HttpEntry(access, new ApiRoutes(backend, new SystemInfo(backend.bootMode())), backend,
                counters));
        server.setHandler(upgrades);
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        String host = options.address().host();
        String url = options.scheme() + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + connector.getLocalPort();
        Path addressFile = stateDir.resolve(ADDRESS_FILE);
        try {
            // Written aside and renamed: a reader (a test, a script) never sees a half-written file.
            Path tmp = stateDir.resolve(ADDRESS_FILE + ".tmp");
            Files.writeString(tmp, url + "\n");
            Files.move(tmp, addressFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            out.println("jinit: http-api: cannot write " + addressFile + ": " + e.getMessage());
        }
        out.println("jinit: http-api listening on " + url + (token == null ? " (loopback, no token)" : " (token required)"));
        return new ApiServer(server, addressFile, url);
    }

    @Override
    public void close() throws Exception {
        try {
            Files.deleteIfExists(addressFile);
        } catch (IOException e) {
            // a stale file names a closed port: harmless
        }
        server.stop();
    }
}
