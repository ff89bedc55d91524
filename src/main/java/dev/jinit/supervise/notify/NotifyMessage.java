package dev.jinit.supervise.notify;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One sd_notify datagram with the sender the kernel vouched for (SCM_CREDENTIALS), as
 * newline-separated {@code KEY=VALUE} fields in the order sent. Every field is kept, including
 * keys jinit does not act on (BARRIER=1, FDSTORE=1, ...); the keys jinit does act on are validated
 * on construction, so a message that exists is one the supervisor can apply without further checks.
 *
 * @param pid    sender's pid (0 when the sender is in a pid namespace jinit cannot see into)
 * @param uid    sender's uid
 * @param gid    sender's gid
 * @param fields every field; when a key repeats, the last value wins (as with environment blocks)
 */
public record NotifyMessage(int pid, int uid, int gid, Map<String, String> fields) {
    /** systemd's limit (PIPE_BUF): larger datagrams are dropped, not truncated into a half message. */
    public static final int MAX_BYTES = 4096;

    /** The keys with a meaning for jinit; all others are kept but not interpreted. */
    public static final Set<String> KNOWN = Set.of("READY", "RELOADING", "STOPPING", "STATUS", "MAINPID",
            "WATCHDOG", "WATCHDOG_USEC", "EXTEND_TIMEOUT_USEC", "ERRNO");

    /** What a WATCHDOG= field asks for. */
    public enum Watchdog { NONE, PING, TRIGGER }

    public NotifyMessage {
        if (fields.isEmpty()) throw new IllegalArgumentException("empty notification");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        for (var e : fields.entrySet()) validate(e.getKey(), e.getValue());
    }

    private static void validate(String key, String value) {
        if (key.isEmpty() || !key.chars().allMatch(c -> c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')))
            throw new IllegalArgumentException("invalid field name '" + key + "'");
        switch (key) {
            case "READY", "RELOADING", "STOPPING" -> {
                if (!value.equals("1")) throw bad(key, value, "only 1 is meaningful");
            }
            case "WATCHDOG" -> {
                if (!value.equals("1") && !value.equals("trigger")) throw bad(key, value, "expected 1 or trigger");
            }
            case "MAINPID" -> {
                if (number(key, value, Integer.MAX_VALUE) < 1) throw bad(key, value, "a pid is positive");
            }
            case "WATCHDOG_USEC", "EXTEND_TIMEOUT_USEC" -> number(key, value, Long.MAX_VALUE);
            case "ERRNO" -> number(key, value, Integer.MAX_VALUE);
            default -> { }
        }
    }

    /** A non-negative decimal of at most {@code max}. */
    private static long number(String key, String value, long max) {
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9'))
            throw bad(key, value, "not a non-negative decimal number");
        try {
            long v = Long.parseLong(value);
            if (v > max) throw bad(key, value, "out of range");
            return v;
        } catch (NumberFormatException e) {
            throw bad(key, value, "out of range");
        }
    }

    private static IllegalArgumentException bad(String key, String value, String why) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return new IllegalArgumentException("invalid " + key + "=" + shown + ": " + why);
    }

    /**
     * Parses a datagram's bytes.
     *
     * @throws IllegalArgumentException naming the problem: too large, not UTF-8, a NUL byte, a line
     *         without '=', a bad field name, or a bad value for a field jinit interprets
     */
    public static NotifyMessage parse(int pid, int uid, int gid, byte[] data) {
        if (data.length > MAX_BYTES)
            throw new IllegalArgumentException("notification too large (" + data.length + " bytes, limit " + MAX_BYTES + ")");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("notification is not UTF-8 text");
        }
        if (text.indexOf('\0') >= 0) throw new IllegalArgumentException("notification contains a NUL byte");
        Map<String, String> fields = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            // Empty lines (a trailing newline, or blank separators) carry nothing, as for systemd.
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            if (eq < 0) {
                String shown = line.length() > 64 ? line.substring(0, 64) + "..." : line;
                throw new IllegalArgumentException("notification line " + lineNo + " has no '=': " + shown);
            }
            fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new NotifyMessage(pid, uid, gid, fields);
    }

    public boolean ready() { return fields.containsKey("READY"); }

    public boolean reloading() { return fields.containsKey("RELOADING"); }

    public boolean stopping() { return fields.containsKey("STOPPING"); }

    /** STATUS=: free text for {@code jinit status}. */
    public Optional<String> status() { return Optional.ofNullable(fields.get("STATUS")); }

    public OptionalInt mainPid() { return optionalInt("MAINPID"); }

    public Watchdog watchdog() {
        String v = fields.get("WATCHDOG");
        return v == null ? Watchdog.NONE : v.equals("trigger") ? Watchdog.TRIGGER : Watchdog.PING;
    }

    /** WATCHDOG_USEC=: the service asks for a new watchdog interval (0 disables it). */
    public OptionalLong watchdogUsec() { return optionalLong("WATCHDOG_USEC"); }

    /** EXTEND_TIMEOUT_USEC=: the current start/stop timeout is extended to now plus this. */
    public OptionalLong extendTimeoutUsec() { return optionalLong("EXTEND_TIMEOUT_USEC"); }

    /** ERRNO=: the service reports why it is failing. */
    public OptionalInt errno() { return optionalInt("ERRNO"); }

    /** The fields jinit does not interpret, in the order sent. */
    public Map<String, String> unknown() {
        Map<String, String> rest = new LinkedHashMap<>(fields);
        rest.keySet().removeAll(KNOWN);
        return Collections.unmodifiableMap(rest);
    }

    private OptionalInt optionalInt(String key) {
        String v = fields.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v));
    }

    private OptionalLong optionalLong(String key) {
        String v = fields.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }
}
