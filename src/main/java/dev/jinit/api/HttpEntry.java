package dev.jinit.api;

import com.google.gson.JsonObject;
import dev.jinit.control.UnitStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Every plain HTTP request enters here (WebSocket handshakes are taken earlier by
 * {@link LogSocket}'s and {@link EventSocket}'s mappings): the health check, the status page, login,
 * metrics and the JSON API, with the checks every request goes through first: body size, origin of
 * mutations, token. Runs on a virtual thread per request (Jetty's VirtualThreadPool), so waiting for
 * the manager's answer costs no platform thread and never touches the manager thread.
 */
final class HttpEntry extends Handler.Abstract {
    /** Largest request body read (only /login reads one): enough for a form with a token. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final Access access;
    private final ApiRoutes routes;
    private final Backend backend;
    private final MetricsPage metrics;
    private final StaticFiles files = new StaticFiles();

    HttpEntry(Access access, ApiRoutes routes, Backend backend, SocketCounters counters) {
        this.metrics = new MetricsPage(counters);
        super(InvocationType.BLOCKING);
        this.access = access;
        this.routes = routes;
        this.backend = backend;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        securityHeaders(response);
        try {
            route(request, response, callback);
        } catch (ApiException e) {
            if (e.headerName != null) response.getHeaders().put(e.headerName, e.headerValue);
            json(response, callback, e.status, ApiRoutes.error(e.status, e.getMessage()));
        } catch (RuntimeException e) {
            // A bug or the manager not answering: say so instead of dropping the connection.
            json(response, callback, 500, ApiRoutes.error(500, "internal error: " + e));
        }
        return true;
    }

    private void route(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        long length = request.getLength();
        // Refused from the header alone: a 1 GB Content-Length is answered at once, nothing read.
        if (length > MAX_BODY_BYTES)
            throw new ApiException(413, "request body of " + length + " bytes; at most " + MAX_BODY_BYTES + " accepted");
        if (path.equals("/healthz")) {
            allow(method, path, "GET", "HEAD");
            text(response, callback, 200, "text/plain; charset=utf-8", "ok\n");
            return;
        }
        StaticFiles.File file = files.get(path);
        if (file != null) {
            // The page holds no data of its own (it asks the API), so it loads without a token and shows
            // the login form when the API answers 401.
            allow(method, path, "GET", "HEAD");
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
            response.write(true, ByteBuffer.wrap(file.bytes()), callback);
            return;
        }
        boolean mutation = !method.equals("GET") && !method.equals("HEAD");
        if (mutation && !Access.sameOrigin(request.getHeaders().get(HttpHeader.ORIGIN), request.getHeaders().get(HttpHeader.HOST), request.isSecure()))
            throw new ApiException(403, "cross-site request refused: Origin " + request.getHeaders().get(HttpHeader.ORIGIN)
                    + " is not this server");
        if (path.equals("/login")) {
            allow(method, path, "POST");
            login(request, response, callback);
            return;
        }
        if (path.equals("/logout")) {
            allow(method, path, "POST");
            response.getHeaders().add(HttpHeader.SET_COOKIE, Access.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
            json(response, callback, 200, ok());
            return;
        }
        access.authorize(Request.getRemoteAddr(request), Credentials.presented(request, false, List.of()));
        if (path.equals("/metrics")) {
            allow(method, path, "GET");
            List<UnitStatus> units = backend.control().listDetailed();
            text(response, callback, 200, MetricsPage.CONTENT_TYPE, metrics.render(units, u -> UnitResources.of(u.name(),
                    u.details() == null ? List.of() : u.details().processes(), backend.cgroups()), backend.counters()));
            return;
        }
        if (path.startsWith(ApiRoutes.PREFIX)) {
            Map<String, String> query = new HashMap<>();
            Fields fields = Request.extractQueryParameters(request);
            for (Fields.Field f : fields) query.put(f.getName(), f.getValue());
            ApiRoutes.Reply reply = routes.handle(method, path, query);
            json(response, callback, reply.status(), reply.body());
            return;
        }
        throw ApiException.notFound("nothing at " + path);
    }

    /**
     * {@code POST /login} with a form field {@code token}: a right token sets the HttpOnly,
     * SameSite=Strict cookie the page then uses (no script ever holds the token after this).
     */
    private void login(Request request, Response response, Callback callback) {
        String body = readBody(request);
        String token = null;
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("token"))
                token = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
        if (token == null) throw ApiException.badRequest("login needs a form field 'token'");
        access.authorize(Request.getRemoteAddr(request), token);
        boolean secure = request.isSecure();
        response.getHeaders().add(HttpHeader.SET_COOKIE, Access.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : ""));
        json(response, callback, 200, ok());
    }

    /** Reads at most {@link #MAX_BODY_BYTES}; a chunked body (no Content-Length) beyond that is 413. */
    private static String readBody(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
            if (b.length > MAX_BODY_BYTES) throw new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes");
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    private static JsonObject ok() {
        JsonObject o = new JsonObject();
        o.addProperty("ok", true);
        return o;
    }

    private static void allow(String method, String path, String... allowed) {
        for (String a : allowed) if (a.equals(method)) return;
        throw ApiException.methodNotAllowed(method, path, String.join(", ", allowed));
    }

    /**
     * No sniffing, no framing (the buttons must not be clickjacked), scripts and connections only to
     * this server, and nothing cached: unit states and logs are stale a second later.
     */
    private static void securityHeaders(Response response) {
        var h = response.getHeaders();
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
    }

    static void json(Response response, Callback callback, int status, JsonObject body) {
        text(response, callback, status, "application/json", body.toString() + "\n");
    }

    private static void text(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        Content.Sink.write(response, true, body, callback);
    }
}
