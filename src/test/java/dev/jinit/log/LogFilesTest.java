package dev.jinit.log;

import static dev.jinit.log.Procs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path state;

    @Test
    void tailOfMissingFilesIsEmptyAndAnUnfinishedLastLineIsLeftOut() throws IOException {
        Path logs = state.resolve("logs");
        assertEquals(List.of(), LogFiles.tail(logs, "none.service", 10));
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("x.service.log"),
                "2026-11-27T10:00:00.000001Z stdout one\n2026-11-27T10:00:00.000002Z stderr two\n2026-11-27T10:00:00.0000", StandardCharsets.UTF_8);
        List<LogLine> lines = LogFiles.tail(logs, "x.service", 10);
        assertEquals(List.of("one", "two"), lines.stream().map(LogLine::text).toList());
        assertEquals(Instant.parse("2026-11-27T10:00:00.000002Z"), lines.get(1).time());
        assertEquals(Stream.STDERR, lines.get(1).stream());
        assertEquals(List.of("two"), LogFiles.tail(logs, "x.service", 1).stream().map(LogLine::text).toList());
        assertEquals(List.of(), LogFiles.tail(logs, "x.service", 0));
    }

    @Test
    void tailReadsBackwardsThroughLargeFilesAndRotatedOnes() throws IOException {
        Path logs = Files.createDirectories(state.resolve("logs"));
        // unit.log.2 (oldest), unit.log.1, unit.log: 3 × 20,000 lines, larger than the first read block.
        int n = 0;
        for (String suffix : List.of(".2", ".1", "")) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 20_000; i++) sb.append("2026-11-27T10:00:00.000000Z stdout ").append(n++).append('\n');
            Files.writeString(logs.resolve("big.service.log" + suffix), sb);
        }
        List<LogLine> tail = LogFiles.tail(logs, "big.service", 25_000);
        assertEquals(25_000, tail.size());
        for (int i = 0; i < tail.size(); i++) assertEquals(String.valueOf(35_000 + i), tail.get(i).text());
        assertEquals(60_000, LogFiles.tail(logs, "big.service", 1_000_000).size());
    }

    @Test
    void aFileThatCannotBeReadIsNamed() throws IOException {
        Path logs = Files.createDirectories(state.resolve("logs"));
        Files.createDirectories(logs.resolve("dir.service.log")); // a directory where a file should be
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> LogFiles.tail(logs, "dir.service", 5));
        assertTrue(e.getMessage().contains("dir.service.log"), e.getMessage());
    }

    @Test
    void followSeesEveryLineThroughRotationsBetweenPolls() throws Exception {
        LogConfig config = LogConfig.defaults(state).withMaxFileBytes(4096).withRotatedFiles(20);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        try (Procs procs = new Procs(); LogPump pump = LogPump.start(config)) {
            pump.note("w.service", "before following");
            await(WAIT, () -> Files.exists(pump.logFile("w.service")) && sizeOf(pump.logFile("w.service")) > 0, () -> "first line");
            // From the end: the line written before is not repeated. A slow poll makes several
            // rotations happen between two looks at the file.
            try (LogFiles.Follower f = LogFiles.follow(config.logsDir(), "w.service", false, Duration.ofMillis(700), l -> got.add(l.text()))) {
                await(WAIT, f::isOpen, () -> "follower started");
                Procs.Proc p = procs.sh("seq 1 1500");
                pump.attach("w.service", p.out(), Stream.STDOUT);
                pump.attach("w.service", p.err(), Stream.STDERR);
                await(WAIT, () -> got.size() >= 1500, () -> got.size() + " lines");
                List<String> expected = new ArrayList<>();
                for (int i = 1; i <= 1500; i++) expected.add(String.valueOf(i));
                assertEquals(expected, List.copyOf(got));
                assertTrue(Files.exists(config.logsDir().resolve("w.service.log.10")), "rotated many times");
                assertNull(f.failure());
            }
        }
    }

    @Test
    void followWaitsForAFileThatDoesNotExistYet() throws Exception {
        LogConfig config = LogConfig.defaults(state);
        List<LogLine> got = Collections.synchronizedList(new ArrayList<>());
        try (LogFiles.Follower f = LogFiles.follow(config.logsDir(), "late.service", false, Duration.ofMillis(50), got::add);
             LogPump pump = LogPump.start(config)) {
            pump.note("late.service", "first\nsecond");
            await(WAIT, () -> got.size() == 2, () -> got.toString());
            assertEquals(List.of("first", "second"), got.stream().map(LogLine::text).toList());
            assertEquals(Stream.JINIT, got.getFirst().stream());
        }
    }

    @Test
    void followFromTheStartOfAFileLargerThanOneReadChunkSplitsNoLine() throws Exception {
        Path logs = Files.createDirectories(state.resolve("logs"));
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        // Lines of odd lengths, so that chunk boundaries fall inside lines and inside characters.
        for (int i = 0; text.length() < 3 * LogFiles.READ_CHUNK; i++) {
            String line = i + " " + "é".repeat(i % 997);
            expected.add(line);
            text.append("2026-11-27T10:00:00.000001Z stdout ").append(line).append('\n');
        }
        Files.writeString(logs.resolve("big.service.log"), text, StandardCharsets.UTF_8);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        try (LogFiles.Follower f = LogFiles.follow(logs, "big.service", true, Duration.ofMillis(50), l -> got.add(l.text()))) {
            await(WAIT, () -> got.size() >= expected.size(), () -> got.size() + " of " + expected.size());
        }
        assertEquals(expected, got);
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }
}
