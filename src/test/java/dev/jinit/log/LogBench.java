package dev.jinit.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Throughput of one unit writing as fast as it can: through the LogPump (pipe → epoll → rotating file
 * + ring) versus the same writer with {@code append:} straight to a file (FdSource.WriteFile). Not a
 * test; run after {@code mvn test-compile}:
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes dev.jinit.log.LogBench [LINES [LINE-TEXT]]
 * </pre>
 */
public final class LogBench {
    private LogBench() {}

    private static final String LAST = "benchmark done";

    public static void main(String[] args) throws Exception {
        long lines = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        // 80-byte lines from yes (GB/s, so the writer is not the bottleneck), then a last line to wait for.
        String line = args.length > 1 ? args[1] : "benchmark line of a typical length, padded to look like a real log message....";
        String writer = "{ yes '" + line + "' | head -n %d; echo '" + LAST + "'; }";
        long bytes = lines * (line.length() + 1);
        Path dir = Files.createTempDirectory("jinit-logbench");
        try (Procs procs = new Procs()) {
            // Warm-up so the JIT has compiled the pump's hot loop before the measured runs.
            runPump(procs, dir.resolve("warm"), String.format(writer, 200_000));
            System.out.printf("%,d lines, %,d bytes per run; runs alternate so page-cache writeback hits both alike%n", lines, bytes);
            for (int run = 1; run <= 2; run++) {
                long directNanos = runDirect(procs, dir.resolve("direct" + run + ".log"), String.format(writer, lines));
                report("run " + run + ": append: file (no pump)", bytes, lines, directNanos);
                long pumpNanos = runPump(procs, dir.resolve("pump" + run), String.format(writer, lines));
                report("run " + run + ": LogPump (pipe, epoll, file + ring)", bytes, lines, pumpNanos);
            }
        } finally {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static long runPump(Procs procs, Path state, String writer) {
        try (LogPump pump = LogPump.start(LogConfig.defaults(state))) {
            long start = System.nanoTime();
            Procs.Proc p = procs.sh(writer);
            pump.attach("bench.service", p.out(), Stream.STDOUT);
            pump.attach("bench.service", p.err(), Stream.STDERR);
            Procs.await(Duration.ofMinutes(10), () -> {
                List<LogLine> t = pump.tail("bench.service", 1);
                return !t.isEmpty() && t.getFirst().text().equals(LAST);
            }, () -> "pump did not see the last line");
            long nanos = System.nanoTime() - start;
            Procs.reap(p.pid(), Duration.ofSeconds(30));
            return nanos;
        }
    }

    private static long runDirect(Procs procs, Path file, String writer) {
        long start = System.nanoTime();
        int pid = procs.shToFile(writer, file);
        if (!Procs.reap(pid, Duration.ofMinutes(10))) throw new IllegalStateException("direct writer did not finish");
        return System.nanoTime() - start;
    }

    private static void report(String what, long bytes, long lines, long nanos) {
        double s = nanos / 1e9;
        System.out.printf("%-44s %8.1f MB/s %12.0f lines/s  (%.2f s)%n", what, bytes / 1e6 / s, lines / s, s);
    }
}
