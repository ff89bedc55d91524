package dev.jinit.supervise;

import dev.jinit.control.Command;
import dev.jinit.control.ControlHandler;
import dev.jinit.control.Failure;
import dev.jinit.control.Result;
import dev.jinit.control.UnitDetails;
import dev.jinit.control.UnitStatus;
import dev.jinit.log.LogLine;
import dev.jinit.log.LogPump;
import dev.jinit.log.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The control socket's view of the manager: each command is posted to the manager thread and the
 * connection thread waits for the answer. Log requests go to the log pump directly (it has its own
 * locking), after the unit name was checked with the manager.
 */
public final class ManagerControl implements ControlHandler {
    /** A job longer than this is reported as still running rather than keeping a client forever. */
    static final long JOB_WAIT_SECONDS = 600;
    /** Log lines shown by {@code status UNIT}. */
    static final int STATUS_LOG_LINES = 10;

    private final Manager manager;
    private final LogPump logs;
    private final Supplier<List<String>> reloadUnits;
    /** Set while the unit files are read at start-up, or when that read failed; null once they are loaded. */
    private volatile String unavailable;
    private final Function<Command, Result> shutdown;

    /**
     * @param reloadUnits re-reads the unit directory and applies it (daemon-reload); returns what changed
     */
    public ManagerControl(Manager manager, LogPump logs, Supplier<List<String>> reloadUnits) {
        this(manager, logs, reloadUnits, null);
    }

    /** @param shutdown carries out poweroff/reboot/halt (boot mode), or null to refuse them */
    public ManagerControl(Manager manager, LogPump logs, Supplier<List<String>> reloadUnits,
                          Function<Command, Result> shutdown) {
        this.manager = manager;
        this.logs = logs;
        this.reloadUnits = reloadUnits;
        this.shutdown = shutdown;
    }

    /** How jinit executes itself anew (daemon-reexec): first the check, answered; then, after the answer, the deed. */
    public interface Reexec {
        /** Whether it can be done now; a failure names why not. */
        Result check();

        /** Does it; returns only when it failed (reported by the implementation). */
        void go();
    }

    private volatile Reexec reexec;

    /** Enables daemon-reexec (jinit run and boot mode). */
    public void reexec(Reexec r) {
        reexec = r;
    }

    @Override
    public Result daemonReexec() {
        Reexec r = reexec;
        return r == null ? ControlHandler.super.daemonReexec() : r.check();
    }

    @Override
    public void reexecAnswered() {
        Reexec r = reexec;
        if (r != null) r.go();
    }

    @Override
    public Result shutdown(Command cmd) {
        return shutdown == null ? ControlHandler.super.shutdown(cmd) : shutdown.apply(cmd);
    }

    /** From now until {@link #loaded()}, every command is answered with {@code why} (an error, exit 1). */
    public void unavailable(String why) {
        unavailable = why;
    }

    /** The unit files are loaded: commands are answered. */
    public void loaded() {
        unavailable = null;
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public List<UnitStatus> list() {
        return await(manager.snapshot()).stream().map(s -> status(s, false)).toList();
    }

    /** One question to the manager for every state; processes and recent logs read on this thread. */
    @Override
    public List<UnitStatus> listDetailed() {
        return await(manager.snapshot()).stream().map(s -> status(s, true)).toList();
    }

    @Override
    public Optional<UnitStatus> status(String unit) {
        UnitSnapshot s = await(manager.snapshot(unit));
        return s == null ? Optional.empty() : Optional.of(status(s, true));
    }

    @Override
    public Result start(List<String> units) {
        return jobs(units, manager::start);
    }

    @Override
    public Result stop(List<String> units) {
        return jobs(units, manager::stop);
    }

    @Override
    public Result restart(List<String> units) {
        return jobs(units, manager::restart);
    }

    @Override
    public Result reload(List<String> units) {
        return jobs(units, manager::reload);
    }

    @Override
    public Result resetFailed(List<String> units) {
        if (units.isEmpty()) return jobs(List.of(""), u -> manager.resetFailed(null));
        return jobs(units, manager::resetFailed);
    }

    @Override
    public Result daemonReload() {
        try {
            reloadUnits.get();
            loaded();
            return Result.OK;
        } catch (RuntimeException e) {
            return new Result(List.of(new Failure("", Failure.Reason.FAILED, "daemon-reload failed: " + e.getMessage())));
        }
    }

    @Override
    public Optional<List<LogLine>> logs(String unit, int lines) {
        if (await(manager.snapshot(unit)) == null) return Optional.empty();
        return Optional.of(logs.history(unit, lines));
    }

    @Override
    public AutoCloseable follow(List<String> units, int backlog, Consumer<LogLine> sink) {
        List<Subscription> subs = new ArrayList<>();
        for (String u : units) subs.add(logs.follow(u, backlog, sink));
        return () -> {
            for (Subscription s : subs) s.close();
        };
    }

    private Result jobs(List<String> units, Function<String, CompletableFuture<JobOutcome>> job) {
        // All jobs are queued first, then awaited: "start a b" starts both together, as systemctl does.
        List<CompletableFuture<JobOutcome>> futures = units.stream().map(job).toList();
        List<Failure> failures = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            JobOutcome o;
            try {
                o = futures.get(i).get(JOB_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                failures.add(new Failure(units.get(i), Failure.Reason.FAILED, "Job for " + units.get(i)
                        + " is still running after " + JOB_WAIT_SECONDS + " s; see jinit status " + units.get(i)));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(new Failure(units.get(i), Failure.Reason.FAILED, "interrupted"));
                continue;
            } catch (ExecutionException e) {
                failures.add(new Failure(units.get(i), Failure.Reason.FAILED, String.valueOf(e.getCause())));
                continue;
            }
            switch (o.kind()) {
                case DONE -> { }
                case NOT_FOUND -> failures.add(Failure.notFound(o.unit()));
                case FAILED, CANCELED -> failures.add(new Failure(o.unit(), Failure.Reason.FAILED, o.message()));
            }
        }
        return new Result(failures);
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the manager", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the manager did not answer: " + e, e);
        }
    }

    private UnitStatus status(UnitSnapshot s, boolean details) {
        UnitDetails d = null;
        if (details) {
            List<LogLine> recent = logs.history(s.name(), STATUS_LOG_LINES);
            d = new UnitDetails(s.fragmentPath(), s.loadError(), s.result(), s.execStart(), s.lastExitPid(), s.lastExit(),
                    s.statusText(), s.activeEnter(), s.inactiveEnter(), s.listProcesses().get(), s.warnings(), recent,
                    s.timer() == null ? null : s.timer().activates(), s.timer() == null ? null : s.timer().next(),
                    s.timer() == null ? null : s.timer().last());
        }
        return new UnitStatus(s.name(), s.load(), s.active(), s.sub(), s.mainPid(),
                s.restarts(), s.since(), s.description(), d);
    }
}
