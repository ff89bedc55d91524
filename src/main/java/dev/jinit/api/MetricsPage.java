package dev.jinit.api;

import dev.jinit.control.UnitStatus;
import dev.jinit.log.LogPump;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code GET /metrics} in Prometheus' text exposition format (version 0.0.4), written by hand: the
 * format is a few lines of text, and a client library would cost PID 1 more classes than this file.
 * Per unit: state, restarts, CPU seconds, memory, log lines and bytes; for jinit itself: heap,
 * threads, fds, uptime, processes reaped.
 */
final class MetricsPage {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final long startedNanos = System.nanoTime();
    /** When this process started (from /proc/self/stat through ProcessHandle), or null when unknown. */
    private final Instant processStart = ProcessHandle.current().info().startInstant().orElse(null);
    private final SocketCounters sockets;

    MetricsPage(SocketCounters sockets) {
        this.sockets = sockets;
    }

    /**
     * jinit's own counters besides the units' states.
     *
     * @param reaped        children reaped since the start, or -1 when unknown
     * @param reapedUnowned of them, the exits no unit owned (orphans), or -1
     * @param logs          per unit: lines and bytes its log took in
     */
    record Counters(long reaped, long reapedUnowned, SortedMap<String, LogPump.Counts> logs) {
        static final Counters NONE = new Counters(-1, -1, new TreeMap<>());
    }

    String render(List<UnitStatus> units, Function<UnitStatus, UnitResources> resources) {
        return render(units, resources, Counters.NONE);
    }

    String render(List<UnitStatus> units, Function<UnitStatus, UnitResources> resources, Counters counters) {
        StringBuilder b = new StringBuilder(4096);
        header(b, "jinit_unit_active", "gauge", "1 when the unit's ACTIVE state is the one in the state label");
        for (UnitStatus u : units)
            b.append("jinit_unit_active{unit=\"").append(label(u.name())).append("\",state=\"").append(u.active().word())
                    .append("\",sub=\"").append(label(u.sub())).append("\"} 1\n");
        header(b, "jinit_unit_restarts_total", "counter", "automatic restarts since the unit was loaded or reset");
        for (UnitStatus u : units) sample(b, "jinit_unit_restarts_total", u.name(), u.restarts());
        header(b, "jinit_unit_main_pid", "gauge", "main process id, 0 when none");
        for (UnitStatus u : units) sample(b, "jinit_unit_main_pid", u.name(), u.pid());
        StringBuilder cpu = new StringBuilder(), mem = new StringBuilder();
        for (UnitStatus u : units) {
            UnitResources r = resources.apply(u);
            if (r.cpuSeconds() >= 0) sample(cpu, "jinit_unit_cpu_seconds_total", u.name(), r.cpuSeconds());
            if (r.memoryBytes() >= 0) sample(mem, "jinit_unit_memory_bytes", u.name(), r.memoryBytes());
        }
        header(b, "jinit_unit_cpu_seconds_total", "counter", "user+system CPU of the unit's processes (cgroup, or live processes)");
        b.append(cpu);
        header(b, "jinit_unit_memory_bytes", "gauge", "memory of the unit (cgroup memory.current, or resident set sum)");
        b.append(mem);

        Runtime rt = Runtime.getRuntime();
        header(b, "jinit_heap_used_bytes", "gauge", "Java heap in use by jinit");
        value(b, "jinit_heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        header(b, "jinit_heap_committed_bytes", "gauge", "Java heap committed by jinit");
        value(b, "jinit_heap_committed_bytes", rt.totalMemory());
        header(b, "jinit_threads", "gauge", "threads of the jinit process (platform threads, as the kernel counts them)");
        value(b, "jinit_threads", countEntries("/proc/self/task"));
        header(b, "jinit_open_fds", "gauge", "open file descriptors of jinit");
        value(b, "jinit_open_fds", countEntries("/proc/self/fd"));
        header(b, "jinit_uptime_seconds", "gauge", "seconds since jinit started");
        value(b, "jinit_uptime_seconds", uptimeSeconds());
        if (counters.reaped() >= 0) {
            header(b, "jinit_processes_reaped_total", "counter", "child processes jinit reaped (waitid), of units and orphans alike");
            value(b, "jinit_processes_reaped_total", counters.reaped());
        }
        if (counters.reapedUnowned() >= 0) {
            header(b, "jinit_orphans_reaped_total", "counter", "reaped processes no unit owned (re-parented orphans, daemons' forked parents)");
            value(b, "jinit_orphans_reaped_total", counters.reapedUnowned());
        }
        header(b, "jinit_unit_log_lines_total", "counter", "lines logged for the unit (stdout, stderr, pieces of over-long lines, jinit's notes)");
        counters.logs().forEach((unit, c) -> sample(b, "jinit_unit_log_lines_total", unit, c.lines()));
        header(b, "jinit_unit_log_bytes_total", "counter", "bytes read from the unit's stdout and stderr pipes");
        counters.logs().forEach((unit, c) -> sample(b, "jinit_unit_log_bytes_total", unit, c.bytes()));
        header(b, "jinit_api_websockets", "gauge", "WebSockets open (log follows and event streams)");
        value(b, "jinit_api_websockets", sockets.open.get());
        header(b, "jinit_api_websockets_dropped_total", "counter", "WebSockets cut off because the client stopped reading");
        value(b, "jinit_api_websockets_dropped_total", sockets.dropped.get());
        header(b, "jinit_units", "gauge", "units known to jinit");
        value(b, "jinit_units", units.size());
        return b.toString();
    }

    /** Since the process started; since this page was made when that cannot be read. */
    private double uptimeSeconds() {
        if (processStart != null) return Math.max(0, Duration.between(processStart, Instant.now()).toMillis() / 1e3);
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, String unit, double v) {
        b.append(name).append("{unit=\"").append(label(unit)).append("\"} ").append(number(v)).append('\n');
    }

    private static void value(StringBuilder b, String name, double v) {
        b.append(name).append(' ').append(number(v)).append('\n');
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6f", v);
    }

    /** Label values escape backslash, quote and newline (the format's only escapes). */
    static String label(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static long countEntries(String dir) {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
