package dev.jinit.api;

import java.util.List;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** Finds the token a request presents, wherever the kind of client can put it. */
final class Credentials {
    private Credentials() {}

    /**
     * The token from, in this order: {@code Authorization: Bearer}, the login cookie, and for a
     * WebSocket handshake also the {@code access_token} query parameter or a {@code bearer.TOKEN}
     * subprotocol. Null when there is none.
     */
    static String presented(Request request, boolean webSocket, List<String> subprotocols) {
        String t = Access.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (t != null) return t;
        List<HttpCookie> cookies = Request.getCookies(request);
        if (cookies != null)
            for (HttpCookie c : cookies) if (c.getName().equals(Access.COOKIE)) return c.getValue();
        if (!webSocket) return null;
        String q = Request.extractQueryParameters(request).getValue(Access.QUERY_PARAM);
        if (q != null) return q;
        for (String p : subprotocols) if (p.startsWith(Access.SUBPROTOCOL_PREFIX)) return p.substring(Access.SUBPROTOCOL_PREFIX.length());
        return null;
    }
}
