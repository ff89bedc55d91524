package dev.jinit.api;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Who may do what: the token check (with the bad-token limiter in front of it) and the same-origin
 * check that keeps another web site, open in the same browser, from using a logged-in page's cookie
 * (cross-site request forgery and cross-site WebSocket hijacking).
 */
final class Access {
    /** The cookie the login form sets: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
    static final String COOKIE = "jinit_token";
    /** For WebSocket clients that can set neither a header nor a cookie (a browser's WebSocket on another page). */
    static final String QUERY_PARAM = "access_token";
    /** A WebSocket client may also offer the subprotocol {@code bearer.TOKEN} (as Kubernetes does). */
    static final String SUBPROTOCOL_PREFIX = "bearer.";

    private final ApiToken token; // null: no token required (loopback without a token file)
    private final BadTokenLimiter limiter = new BadTokenLimiter();

    Access(ApiToken token) {
        this.token = token;
    }

    boolean tokenRequired() {
        return token != null;
    }

    /**
     * Checks a request's credentials; throws 429 for an address that guessed too often, 401 for a
     * missing or wrong token. {@code presented} is the first credential found (header, cookie, query
     * parameter, subprotocol), or null.
     */
    void authorize(String remoteAddress, String presented) {
        if (token == null) return;
        long retry = limiter.retryAfterSeconds(remoteAddress);
        if (retry > 0)
            throw new ApiException(429, "too many wrong tokens from " + remoteAddress + "; retry in " + retry + " s",
                    "Retry-After", Long.toString(retry));
        if (presented == null)
            throw new ApiException(401, "a token is required: 'Authorization: Bearer TOKEN', or log in on the status page",
                    "WWW-Authenticate", "Bearer realm=\"jinit\"");
        if (!token.matches(presented)) {
            limiter.failed(remoteAddress);
            throw new ApiException(401, "wrong token", "WWW-Authenticate", "Bearer realm=\"jinit\", error=\"invalid_token\"");
        }
    }

    /** The token from an {@code Authorization: Bearer} header, or null. */
    static String bearer(String authorization) {
        if (authorization == null) return null;
        String a = authorization.strip();
        if (a.length() > 7 && a.regionMatches(true, 0, "Bearer ", 0, 7)) return a.substring(7).strip();
        return null;
    }

    /**
     * Whether a request's Origin (sent by browsers on every cross-origin request and on every
     * WebSocket handshake) is this server itself. No Origin header: not a browser's cross-site
     * request (curl, scripts), allowed. An Origin of "null" (sandboxed frames, file: pages) is refused.
     */
    static boolean sameOrigin(String origin, String host, boolean secure) {
        if (origin == null) return true;
        if (host == null) return false;
        String scheme = secure ? "https" : "http";
        int defaultPort = secure ? 443 : 80;
        try {
            URI o = new URI(origin);
            if (!scheme.equals(o.getScheme()) || o.getHost() == null) return false;
            int port = o.getPort() != -1 ? o.getPort() : defaultPort;
            // URI keeps the brackets of an IPv6 host, as the Host header has them
            String h = host.strip();
            String hHost = h;
            int hPort = defaultPort;
            int colon = h.lastIndexOf(':');
            if (colon > 0 && colon > h.lastIndexOf(']')) {
                hHost = h.substring(0, colon);
                hPort = Integer.parseInt(h.substring(colon + 1));
            }
            return o.getHost().equalsIgnoreCase(hHost) && port == hPort;
        } catch (URISyntaxException | NumberFormatException e) {
            return false;
        }
    }
}
