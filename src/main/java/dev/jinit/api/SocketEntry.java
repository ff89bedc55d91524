package dev.jinit.api;

import dev.jinit.control.UnitStatus;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;

/**
 * The WebSocket handshakes: checks origin and token exactly as {@link HttpEntry} does for plain
 * requests (a browser sends cookies with a handshake from any site, so the Origin check is what stops
 * cross-site WebSocket hijacking), then hands the connection to a {@link LogSocket} or {@link EventSocket}.
 * A refused handshake gets the same JSON error as any other request.
 */
final class SocketEntry {
    static final String ALL_LOGS = "/api/v1/logs/follow";
    static final String EVENTS = "/api/v1/events";
    static final Pattern UNIT_LOGS = Pattern.compile("^/api/v1/units/([^/]+)/logs/follow$");
    /** A quiet log is normal: the connection stays up this long without any frame before Jetty closes it. */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** Frames queued in Jetty per connection at most; {@link SocketSender} keeps it at one in practice. */
    static final int MAX_OUTGOING_FRAMES = 64;

    private final Access access;
    private final Backend backend;
    private final Duration stallLimit;
    private final SocketCounters counters;

    SocketEntry(Access access, Backend backend, Duration stallLimit, SocketCounters counters) {
        this.counters = counters;
        this.access = access;
        this.backend = backend;
        this.stallLimit = stallLimit;
    }

    void configure(ServerWebSocketContainer container) {
        container.setIdleTimeout(IDLE_TIMEOUT);
        container.setMaxTextMessageSize(4096); // clients send nothing of use: a small limit bounds memory
        container.setMaxOutgoingFrames(MAX_OUTGOING_FRAMES);
        container.addMapping(ALL_LOGS, creator(Kind.ALL_LOGS));
        container.addMapping(EVENTS, creator(Kind.EVENTS));
        container.addMapping(UNIT_LOGS.pattern(), creator(Kind.UNIT_LOGS));
    }

    private enum Kind { ALL_LOGS, UNIT_LOGS, EVENTS }

    private WebSocketCreator creator(Kind kind) {
        return (ServerUpgradeRequest request, ServerUpgradeResponse response, org.eclipse.jetty.util.Callback callback) -> {
            try {
                if (!Access.sameOrigin(request.getHeaders().get(HttpHeader.ORIGIN), request.getHeaders().get(HttpHeader.HOST), request.isSecure()))
                    throw new ApiException(403, "cross-site WebSocket refused: Origin " + request.getHeaders().get(HttpHeader.ORIGIN)
                            + " is not this server");
                List<String> protocols = request.getSubProtocols();
                access.authorize(Request.getRemoteAddr(request), Credentials.presented(request, true, protocols));
                // A client that offered its token as a subprotocol must get one back, or browsers fail the handshake.
                for (String p : protocols) if (p.startsWith(Access.SUBPROTOCOL_PREFIX)) response.setAcceptedSubProtocol(p);
                return switch (kind) {
                    case EVENTS -> new EventSocket(backend.transitions(), stallLimit, counters);
                    case ALL_LOGS -> new LogSocket(backend.logs(), backend.control().list().stream().map(UnitStatus::name).toList(),
                            null, lines(request), stallLimit, counters);
                    case UNIT_LOGS -> {
                        Matcher m = UNIT_LOGS.matcher(Request.getPathInContext(request));
                        if (!m.matches()) throw ApiException.notFound("no such WebSocket path");
                        String unit = ApiRoutes.name(m.group(1));
                        if (backend.control().status(unit).isEmpty()) throw ApiException.notFound("Unit " + unit + " not found.");
                        yield new LogSocket(backend.logs(), List.of(), unit, lines(request), stallLimit, counters);
                    }
                };
            } catch (ApiException e) {
                if (e.headerName != null) response.getHeaders().put(e.headerName, e.headerValue);
                HttpEntry.json(response, callback, e.status, ApiRoutes.error(e.status, e.getMessage()));
                return null; // Jetty: the creator answered itself, no upgrade
            }
        };
    }

    /** {@code ?lines=N}: the backlog; 0 when absent (only new lines). */
    private static int lines(Request request) {
        String v = Request.extractQueryParameters(request).getValue("lines");
        return v == null ? 0 : ApiRoutes.lines(v);
    }

}
