package dev.jinit.control;

import java.util.List;

/** The outcome of a job command (start, stop, ...): empty failures means every unit succeeded. */
public record Result(List<Failure> failures) {
    public static final Result OK = new Result(List.of());

    public Result {
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return failures.isEmpty();
    }
}
