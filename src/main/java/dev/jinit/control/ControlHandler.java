package dev.jinit.control;

import dev.jinit.log.LogLine;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the control socket asks of the supervisor. The server calls these from its connection
 * threads (virtual threads, several at once), so an implementation posts to the manager's queue
 * and waits for the answer rather than touching unit state itself. Unit names arrive in full form
 * ({@code web.service}): the client adds a missing {@code .service}.
 */
public interface ControlHandler {
    /**
     * Why no command can be answered yet (the unit files are still being read, or reading them
     * failed), or empty when the supervisor is ready. An answer given before the units are known
     * would be a lie ("0 units listed" with success), so the server answers every command with this
     * error instead.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Every known unit, sorted by name, without details. */
    List<UnitStatus> list();

    /**
     * Every known unit with its details, as {@link #status} gives them one by one (the HTTP API's
     * metrics and resource figures). An implementation may take all the states in one question.
     */
    default List<UnitStatus> listDetailed() {
        return list().stream().map(u -> status(u.name()).orElse(u)).toList();
    }

    /**
     * One unit with its details, or empty when no unit has that name. The details' recent log
     * lines may be left empty: the server fills them from {@link #logs} with the count asked for.
     */
    Optional<UnitStatus> status(String unit);

    /**
     * Starts the units (and what they need) and returns when each start job has finished: the unit
     * is active, or failed (reported with the reason). A unit already active is a success.
     */
    Result start(List<String> units);

    /** Stops the units; never triggers a restart. Returns when they are inactive or failed. */
    Result stop(List<String> units);

    /** Stops, then starts each unit (starts it when it was not running). */
    Result restart(List<String> units);

    /** Runs ExecReload= of each unit (a unit without one fails with a reason). */
    Result reload(List<String> units);

    /** Clears the failed state and restart counters of the units, or of every unit when the list is empty. */
    Result resetFailed(List<String> units);

    /** Re-reads the unit files as SIGHUP does; nothing running is killed. */
    Result daemonReload();

    /**
     * Starts a poweroff, reboot or halt ({@code cmd} is one of those) and answers at once, as systemctl
     * does: the answer must reach the client before the orderly stop ends it. Only jinit as PID 1 does
     * this; the default refuses with a reason.
     */
    default Result shutdown(Command cmd) {
        return new Result(List.of(new Failure("", Failure.Reason.FAILED, cmd.word()
                + " is for jinit as PID 1 (boot mode); this jinit supervises units only: stop it with SIGTERM")));
    }

    /** The last {@code lines} lines of a unit's output, oldest first; empty when no such unit. */
    Optional<List<LogLine>> logs(String unit, int lines);

    /**
     * Subscribes to the units' output: delivers up to {@code backlog} recent lines per unit, then
     * every new line, with no gap and no repeat between the two. {@code sink} must not block: the
     * server's sink only queues. Closing the returned handle ends the subscription. The server
     * checks unit names with {@link #status} first.
     */
    AutoCloseable follow(List<String> units, int backlog, Consumer<LogLine> sink);

    /**
     * daemon-reexec: checks that jinit can execute itself anew now; the default refuses. When this
     * answers OK, {@link #reexecAnswered} follows once the answer is written.
     */
    default Result daemonReexec() {
        return new Result(List.of(new Failure("", Failure.Reason.FAILED, "daemon-reexec is not available in this jinit")));
    }

    /** The OK answer to daemon-reexec went out: execute jinit anew (returns only when that failed). */
    default void reexecAnswered() {}
}
