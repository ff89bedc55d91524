package dev.jinit.control;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.jinit.exec.ExitStatus;
import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON forms of the control protocol, one object per line. Written by hand over Gson's tree
 * model rather than by reflection, so the wire names are spelled out here and stay stable when a
 * record gains a component. Decoders ignore fields they do not know (an older client can talk to a
 * newer jinit) and reject missing or mistyped ones with {@link IllegalArgumentException}.
 */
public final class Protocol {
    private Protocol() {}

    /** Longest request line the server reads: far above any real request, small enough to bound memory. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    public static String encode(Request r) {
        JsonObject o = new JsonObject();
        o.addProperty("cmd", r.cmd().word());
        o.add("units", strings(r.units()));
        o.addProperty("lines", r.lines());
        o.addProperty("follow", r.follow());
        return o.toString();
    }

    public static Request decodeRequest(String line) {
        JsonObject o = object(line, "request");
        return new Request(Command.of(string(o, "cmd")), stringList(o, "units"), (int) optionalLong(o, "lines", 0),
                optionalBoolean(o, "follow"));
    }

    public static String encode(Response r) {
        JsonObject o = new JsonObject();
        o.add("units", array(r.units(), Protocol::unit));
        o.add("lines", array(r.lines(), Protocol::line));
        o.add("failures", array(r.failures(), Protocol::failure));
        o.add("error", r.error() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.error()));
        return o.toString();
    }

    public static Response decodeResponse(String line) {
        JsonObject o = object(line, "response");
        return new Response(list(o, "units", Protocol::unit), list(o, "lines", Protocol::line),
                list(o, "failures", Protocol::failure), optionalString(o, "error"));
    }

    public static String encode(LogLine l) {
        return line(l).toString();
    }

    public static LogLine decodeLogLine(String text) {
        return line(object(text, "log line"));
    }

    /** The {@code status --json} document: {@code {"units":[...]}}. */
    public static String statusDocument(List<UnitStatus> units) {
        JsonObject o = new JsonObject();
        o.add("units", array(units, Protocol::unit));
        return o.toString();
    }

    // ---- encoders of the parts

    public static JsonObject unit(UnitStatus u) {
        JsonObject o = new JsonObject();
        o.addProperty("name", u.name());
        o.addProperty("load", u.load().word());
        o.addProperty("active", u.active().word());
        o.addProperty("sub", u.sub());
        o.addProperty("pid", u.pid());
        o.addProperty("restarts", u.restarts());
        o.add("since", instant(u.since()));
        o.addProperty("description", u.description());
        if (u.details() != null) o.add("details", details(u.details()));
        return o;
    }

    static JsonObject details(UnitDetails d) {
        JsonObject o = new JsonObject();
        o.add("fragment_path", nullable(d.fragmentPath()));
        o.add("load_error", nullable(d.loadError()));
        o.add("result", nullable(d.result()));
        o.add("exec_start", nullable(d.execStart()));
        o.addProperty("last_exit_pid", d.lastExitPid());
        if (d.lastExit() == null) {
            o.add("last_exit", JsonNull.INSTANCE);
        } else {
            JsonObject e = new JsonObject();
            e.addProperty("code", d.lastExit().code());
            e.addProperty("signal", d.lastExit().signal());
            e.addProperty("core_dumped", d.lastExit().coreDumped());
            o.add("last_exit", e);
        }
        o.add("status_text", nullable(d.statusText()));
        o.add("active_enter", instant(d.activeEnter()));
        o.add("inactive_enter", instant(d.inactiveEnter()));
        JsonArray procs = new JsonArray();
        d.processes().forEach(procs::add);
        o.add("processes", procs);
        o.add("warnings", strings(d.warnings()));
        o.add("recent_logs", array(d.recentLogs(), Protocol::line));
        // Timers only: absent for every other unit, so the status of a service stays as short as before.
        if (d.triggers() != null) {
            o.addProperty("triggers", d.triggers());
            o.add("next_elapse", instant(d.nextElapse()));
            o.add("last_trigger", instant(d.lastTrigger()));
        }
        return o;
    }

    /**
     * The log pipeline's own {@link LogLine} goes on the wire; this codec, not a second record, is what keeps the
     * wire form fixed when the pipeline's type grows: only these fields are written and read.
     */
    public static JsonObject line(LogLine l) {
        JsonObject o = new JsonObject();
        o.addProperty("time", l.time().toString());
        o.addProperty("unit", l.unit());
        o.addProperty("stream", l.stream().tag());
        o.addProperty("text", l.text());
        // Only a piece of a too-long line says so; whole lines (nearly all) stay as short as before.
        if (l.cut()) o.addProperty("cut", true);
        return o;
    }

    public static JsonObject failure(Failure f) {
        JsonObject o = new JsonObject();
        o.addProperty("unit", f.unit());
        o.addProperty("reason", f.reason().word());
        o.addProperty("message", f.message());
        return o;
    }

    // ---- decoders of the parts

    static UnitStatus unit(JsonObject o) {
        JsonElement details = o.get("details");
        return new UnitStatus(string(o, "name"), LoadState.of(string(o, "load")), ActiveState.of(string(o, "active")),
                string(o, "sub"), (int) optionalLong(o, "pid", 0), (int) optionalLong(o, "restarts", 0),
                optionalInstant(o, "since"), optionalString(o, "description"),
                details == null || details.isJsonNull() ? null : details(asObject(details, "details")));
    }

    static UnitDetails details(JsonObject o) {
        ExitStatus exit = null;
        JsonElement e = o.get("last_exit");
        if (e != null && !e.isJsonNull()) {
            JsonObject x = asObject(e, "last_exit");
            exit = new ExitStatus((int) optionalLong(x, "code", 0), (int) optionalLong(x, "signal", 0),
                    optionalBoolean(x, "core_dumped"));
        }
        List<Integer> procs = new ArrayList<>();
        for (JsonElement p : optionalArray(o, "processes")) procs.add(asInt(p, "processes"));
        return new UnitDetails(optionalString(o, "fragment_path"), optionalString(o, "load_error"),
                optionalString(o, "result"), optionalString(o, "exec_start"), (int) optionalLong(o, "last_exit_pid", 0),
                exit, optionalString(o, "status_text"), optionalInstant(o, "active_enter"),
                optionalInstant(o, "inactive_enter"), procs, stringList(o, "warnings"),
                list(o, "recent_logs", Protocol::line), optionalString(o, "triggers"), optionalInstant(o, "next_elapse"),
                optionalInstant(o, "last_trigger"));
    }

    static LogLine line(JsonObject o) {
        String tag = string(o, "stream");
        Stream stream = Stream.ofTag(tag);
        if (stream == null) throw new IllegalArgumentException("unknown stream '" + tag + "' (expected stdout, stderr or jinit)");
        return new LogLine(instant(string(o, "time"), "time"), string(o, "unit"), stream, string(o, "text"),
                optionalBoolean(o, "cut"));
    }

    static Failure failure(JsonObject o) {
        return new Failure(optionalString(o, "unit"), Failure.Reason.of(string(o, "reason")), string(o, "message"));
    }

    // ---- helpers

    private static JsonObject object(String text, String what) {
        try {
            JsonElement e = JsonParser.parseString(text);
            return asObject(e, what);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed " + what + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject asObject(JsonElement e, String what) {
        if (!e.isJsonObject()) throw new IllegalArgumentException(what + " is not a JSON object");
        return e.getAsJsonObject();
    }

    private static JsonElement nullable(String s) {
        return s == null ? JsonNull.INSTANCE : new JsonPrimitive(s);
    }

    private static JsonElement instant(Instant t) {
        return t == null ? JsonNull.INSTANCE : new JsonPrimitive(t.toString());
    }

    private static JsonArray strings(List<String> list) {
        JsonArray a = new JsonArray();
        list.forEach(a::add);
        return a;
    }

    private static <T> JsonArray array(List<T> list, Function<T, JsonObject> encoder) {
        JsonArray a = new JsonArray();
        for (T t : list) a.add(encoder.apply(t));
        return a;
    }

    private static <T> List<T> list(JsonObject o, String key, Function<JsonObject, T> decoder) {
        List<T> out = new ArrayList<>();
        for (JsonElement e : optionalArray(o, key)) out.add(decoder.apply(asObject(e, key + " entry")));
        return out;
    }

    private static JsonArray optionalArray(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return new JsonArray();
        if (!e.isJsonArray()) throw new IllegalArgumentException("'" + key + "' is not an array");
        return e.getAsJsonArray();
    }

    private static List<String> stringList(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : optionalArray(o, key)) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
                throw new IllegalArgumentException("'" + key + "' must hold strings, not " + e);
            out.add(e.getAsString());
        }
        return out;
    }

    private static String string(JsonObject o, String key) {
        String s = optionalString(o, key);
        if (s == null) throw new IllegalArgumentException("missing '" + key + "'");
        return s;
    }

    private static String optionalString(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
            throw new IllegalArgumentException("'" + key + "' is not a string: " + e);
        return e.getAsString();
    }

    private static long optionalLong(JsonObject o, String key, long absent) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return absent;
        return asInt(e, key);
    }

    private static int asInt(JsonElement e, String key) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber())
            throw new IllegalArgumentException("'" + key + "' is not a number: " + e);
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
        } catch (ArithmeticException x) {
            throw new IllegalArgumentException("'" + key + "' is not a 32-bit integer: " + e);
        }
    }

    private static boolean optionalBoolean(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return false;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())
            throw new IllegalArgumentException("'" + key + "' is not true or false: " + e);
        return e.getAsBoolean();
    }

    private static Instant optionalInstant(JsonObject o, String key) {
        String s = optionalString(o, key);
        return s == null ? null : instant(s, key);
    }

    private static Instant instant(String s, String key) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + key + "' is not an ISO-8601 instant: " + s);
        }
    }
}
