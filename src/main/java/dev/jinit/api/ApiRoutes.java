package dev.jinit.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.jinit.cli.ClientCommand;
import dev.jinit.control.Failure;
import dev.jinit.control.Protocol;
import dev.jinit.control.Request;
import dev.jinit.control.Result;
import dev.jinit.control.UnitStatus;
import dev.jinit.log.LogLine;
import dev.jinit.log.LogFormat;
import dev.jinit.system.StopRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON API under {@code /api/v1}, free of any HTTP library: a method, a path and the query in,
 * a status and a JSON document out (errors as {@link ApiException}). Every route here is what
 * {@code jinit status|start|stop|...} does over the control socket, with the same objects.
 */
final class ApiRoutes {
    static final String PREFIX = "/api/v1/";
    static final int DEFAULT_LOG_LINES = 100;

    /** A JSON answer. */
    record Reply(int status, JsonObject body) {}

    private final Backend backend;
    private final SystemInfo system;

    ApiRoutes(Backend backend, SystemInfo system) {
        this.backend = backend;
        this.system = system;
    }

    /** {@code path} starts with {@link #PREFIX}; {@code query} holds each parameter's first value. */
    Reply handle(String method, String path, Map<String, String> query) {
        String[] p = path.substring(PREFIX.length()).split("/", -1);
        switch (p.length) {
            case 1 -> {
                switch (p[0]) {
                    case "units" -> {
                        allow(method, "GET", path);
                        return new Reply(200, units("1".equals(query.get("resources"))));
                    }
                    case "daemon-reload" -> {
                        allow(method, "POST", path);
                        return outcome("daemon-reload", "", backend.control().daemonReload());
                    }
                    case "system" -> {
                        allow(method, "GET", path);
                        return new Reply(200, system.toJson());
                    }
                    case "logs", "events" -> throw ApiException.badRequest(path + " is a WebSocket: connect with an Upgrade: websocket request");
                    default -> { }
                }
            }
            case 2 -> {
                if (p[0].equals("units")) {
                    allow(method, "GET", path);
                    return new Reply(200, unit(name(p[1])));
                }
                if (p[0].equals("system") && (p[1].equals("poweroff") || p[1].equals("reboot"))) {
                    allow(method, "POST", path);
                    return power(p[1].equals("poweroff") ? StopRequest.POWEROFF : StopRequest.REBOOT);
                }
            }
            case 3 -> {
                if (p[0].equals("units")) {
                    String unit = name(p[1]);
                    switch (p[2]) {
                        case "start", "stop", "restart", "reload" -> {
                            allow(method, "POST", path);
                            return job(p[2], unit);
                        }
                        case "logs" -> {
                            allow(method, "GET", path);
                            return new Reply(200, logs(unit, lines(query.get("lines"))));
                        }
                        default -> { }
                    }
                }
            }
            default -> { }
        }
        throw ApiException.notFound("no such API path: " + path);
    }

    /**
     * The same document as {@code jinit status --json}; with {@code ?resources=1} each unit also has
     * cpu_seconds and memory_bytes (processes listed and measured on this thread, not the manager's).
     */
    private JsonObject units(boolean resources) {
        JsonObject o = new JsonObject();
        JsonArray a = new JsonArray();
        for (UnitStatus u : resources ? backend.control().listDetailed() : backend.control().list()) {
            // the list's own objects: details (the processes asked for the figures) stay out of it
            JsonObject j = Protocol.unit(resources ? u.withoutDetails() : u);
            if (resources) addResources(j, u);
            a.add(j);
        }
        o.add("units", a);
        return o;
    }

    /** {@code status UNIT}'s object, with CPU and memory beside it. */
    private JsonObject unit(String name) {
        UnitStatus u = backend.control().status(name).orElseThrow(() -> ApiException.notFound("Unit " + name + " not found."));
        JsonObject o = Protocol.unit(u);
        addResources(o, u);
        return o;
    }

    private void addResources(JsonObject o, UnitStatus u) {
        UnitResources r = UnitResources.of(u.name(), u.details() == null ? List.of() : u.details().processes(), backend.cgroups());
        if (r.cpuSeconds() >= 0) o.addProperty("cpu_seconds", r.cpuSeconds());
        if (r.memoryBytes() >= 0) o.addProperty("memory_bytes", r.memoryBytes());
        o.addProperty("resources_source", r.source());
    }

    private Reply job(String action, String unit) {
        Result result = switch (action) {
            case "start" -> backend.control().start(List.of(unit));
            case "stop" -> backend.control().stop(List.of(unit));
            case "restart" -> backend.control().restart(List.of(unit));
            default -> backend.control().reload(List.of(unit));
        };
        return outcome(action, unit, result);
    }

    /**
     * A job's end: 200 with the unit's state after it; 404 for an unknown unit; 409 when the job ran and
     * the unit did not reach the state asked for (the request was fine, the unit's state says no).
     */
    private Reply outcome(String action, String unit, Result result) {
        for (Failure f : result.failures()) {
            if (f.reason() == Failure.Reason.NOT_FOUND) throw ApiException.notFound(f.message());
        }
        JsonObject o = new JsonObject();
        o.addProperty("action", action);
        if (!unit.isEmpty()) o.addProperty("unit", unit);
        o.addProperty("ok", result.ok());
        JsonArray failures = new JsonArray();
        result.failures().forEach(f -> failures.add(Protocol.failure(f)));
        o.add("failures", failures);
        if (!unit.isEmpty()) backend.control().status(unit).ifPresent(u -> o.add("status", Protocol.unit(u.summary())));
        if (!result.ok()) {
            JsonObject e = error(409, result.failures().getFirst().message());
            e.add("failures", failures);
            if (o.has("status")) e.add("status", o.get("status"));
            return new Reply(409, e);
        }
        return new Reply(200, o);
    }

    private JsonObject logs(String unit, int lines) {
        Optional<List<LogLine>> l = backend.control().logs(unit, lines);
        if (l.isEmpty()) throw ApiException.notFound("Unit " + unit + " not found.");
        JsonObject o = new JsonObject();
        o.addProperty("unit", unit);
        JsonArray a = new JsonArray();
        l.get().forEach(x -> a.add(Protocol.line(x)));
        o.add("lines", a);
        return o;
    }

    private Reply power(StopRequest request) {
        if (!backend.bootMode())
            throw new ApiException(409, request.word() + " is only possible when jinit is PID 1 (boot mode); this jinit runs as 'jinit run'");
        backend.power().accept(request);
        JsonObject o = new JsonObject();
        o.addProperty("action", request.word());
        o.addProperty("ok", true);
        return new Reply(202, o);
    }

    /** A unit name from the path as the CLI takes it: {@code web} means {@code web.service}. */
    static String name(String raw) {
        if (raw.isEmpty()) throw ApiException.badRequest("empty unit name");
        String n;
        try {
            n = ClientCommand.unitName(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (!LogFormat.isUnitName(n)) throw ApiException.badRequest("invalid unit name '" + raw + "'");
        return n;
    }

    /** {@code ?lines=N}: 0..{@link Request#MAX_LINES}, default {@link #DEFAULT_LOG_LINES}. */
    static int lines(String value) {
        if (value == null) return DEFAULT_LOG_LINES;
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= Request.MAX_LINES) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("lines must be a number 0.." + Request.MAX_LINES + ", not '" + value + "'");
    }

    private static void allow(String method, String allowed, String path) {
        if (!method.equals(allowed)) throw ApiException.methodNotAllowed(method, path, allowed);
    }

    static JsonObject error(int status, String message) {
        JsonObject e = new JsonObject();
        e.addProperty("status", status);
        e.addProperty("message", message);
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }
}
