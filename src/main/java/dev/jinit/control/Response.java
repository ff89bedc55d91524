package dev.jinit.control;

import dev.jinit.log.LogLine;
import java.util.List;

/**
 * The answer to one request (one JSON line). For {@code logs} with follow, more lines follow it,
 * each one {@link LogLine}, until either side closes.
 *
 * @param units    status rows (with details for status UNIT)
 * @param lines    log lines, oldest first
 * @param failures per-unit failures
 * @param error    a failure of the whole request (refused, bad request, internal error), or null
 */
public record Response(List<UnitStatus> units, List<LogLine> lines, List<Failure> failures, String error) {
    public Response {
        units = List.copyOf(units);
        lines = List.copyOf(lines);
        failures = List.copyOf(failures);
    }

    public static Response error(String message) {
        return new Response(List.of(), List.of(), List.of(), message);
    }

    public static Response of(Result result) {
        return new Response(List.of(), List.of(), result.failures(), null);
    }
}
