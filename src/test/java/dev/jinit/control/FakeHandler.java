package dev.jinit.control;

import dev.jinit.log.LogLine;
import dev.jinit.unit.LoadState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A ControlHandler over fixed data that records the calls, for tests of the server and the client. */
public final class FakeHandler implements ControlHandler {
    public final Map<String, UnitStatus> units = new LinkedHashMap<>();
    public final Map<String, List<LogLine>> logs = new LinkedHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    public volatile RuntimeException failWith;

    /** One {@code follow}: its sink, to push lines from the test, and whether it was closed. */
    public static final class Subscription implements AutoCloseable {
        public final List<String> units;
        public final Consumer<LogLine> sink;
        public volatile boolean closed;

        Subscription(List<String> units, Consumer<LogLine> sink) {
            this.units = units;
            this.sink = sink;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    public FakeHandler unit(UnitStatus u) {
        units.put(u.name(), u);
        return this;
    }

    @Override
    public synchronized List<UnitStatus> list() {
        calls.add("list");
        return units.values().stream().sorted(Comparator.comparing(UnitStatus::name)).map(UnitStatus::summary).toList();
    }

    @Override
    public synchronized Optional<UnitStatus> status(String unit) {
        calls.add("status " + unit);
        return Optional.ofNullable(units.get(unit));
    }

    private Result job(String verb, List<String> names) {
        calls.add(verb + " " + String.join(" ", names));
        if (failWith != null) throw failWith;
        List<Failure> failures = new ArrayList<>();
        for (String n : names) {
            if (!units.containsKey(n)) failures.add(Failure.notFound(n));
            else if (units.get(n).load() != LoadState.LOADED)
                failures.add(new Failure(n, Failure.Reason.FAILED, "Unit " + n + " has a bad setting."));
        }
        return new Result(failures);
    }

    @Override public Result start(List<String> u) { return job("start", u); }
    @Override public Result stop(List<String> u) { return job("stop", u); }
    @Override public Result restart(List<String> u) { return job("restart", u); }
    @Override public Result reload(List<String> u) { return job("reload", u); }
    @Override public Result resetFailed(List<String> u) { return job("reset-failed", u); }

    @Override
    public Result daemonReload() {
        return job("daemon-reload", List.of());
    }

    @Override
    public synchronized Optional<List<LogLine>> logs(String unit, int lines) {
        calls.add("logs " + unit + " " + lines);
        if (!units.containsKey(unit)) return Optional.empty();
        List<LogLine> all = logs.getOrDefault(unit, List.of());
        return Optional.of(List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size())));
    }

    @Override
    public synchronized AutoCloseable follow(List<String> names, int backlog, Consumer<LogLine> sink) {
        calls.add("follow " + String.join(" ", names) + " " + backlog);
        for (String n : names) logs(n, backlog).orElseThrow().forEach(sink);
        Subscription s = new Subscription(List.copyOf(names), sink);
        subscriptions.add(s);
        return s;
    }
}
