package dev.jinit.log;

import static dev.jinit.log.Procs.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogPumpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern FILE_LINE =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z (stdout|stderr|jinit)\\+? .*", Pattern.DOTALL);

    @TempDir
    Path state;

    private final Procs procs = new Procs();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        procs.close();
        for (AutoCloseable c : cleanup.reversed()) c.close();
    }

    private LogPump pump(LogConfig config) {
        LogPump pump = LogPump.start(config);
        cleanup.add(pump);
        return pump;
    }

    private void attach(LogPump pump, String unit, Procs.Proc p) {
        pump.attach(unit, p.out(), Stream.STDOUT);
        pump.attach(unit, p.err(), Stream.STDERR);
    }

    private static List<String> texts(List<LogLine> lines, Stream stream) {
        return lines.stream().filter(l -> l.stream() == stream).map(LogLine::text).toList();
    }

    @Test
    void linesReachTheRingTheFileAndLiveReadersWithStreamAndTime() throws IOException {
        LogPump pump = pump(LogConfig.defaults(state));
        List<LogLine> live = Collections.synchronizedList(new ArrayList<>());
        cleanup.add(pump.subscribe("a.service", live::add));
        List<LogLine> everything = Collections.synchronizedList(new ArrayList<>());
        cleanup.add(pump.subscribe(null, everything::add));

        Instant before = Instant.now();
        pump.note("a.service", "started");
        attach(pump, "a.service", procs.sh("echo out1; echo err1 >&2; echo 'out2 with  spaces'; printf 'tab\\there\\r\\n'"));
        await(WAIT, () -> pump.tail("a.service", 100).size() == 5, () -> pump.tail("a.service", 100).toString());

        List<LogLine> ring = pump.tail("a.service", 100);
        assertEquals(List.of("started"), texts(ring, Stream.JINIT));
        assertEquals(List.of("out1", "out2 with  spaces", "tab\there"), texts(ring, Stream.STDOUT));
        assertEquals(List.of("err1"), texts(ring, Stream.STDERR));
        for (LogLine l : ring) {
            assertEquals("a.service", l.unit());
            assertFalse(l.time().isBefore(before.minusSeconds(1)), l.toString());
            assertFalse(l.cut());
        }
        assertEquals(2, pump.tail("a.service", 2).size());
        assertEquals(List.of(), pump.tail("unknown.service", 5));

        await(WAIT, () -> live.size() == 5 && everything.size() == 5, () -> live + " / " + everything);
        assertEquals(ring, List.copyOf(live));

        // The file has the same lines, in the documented format, with the raw bytes (the CR kept).
        await(WAIT, () -> lines(pump.logFile("a.service")).size() == 5, () -> "file lines");
        List<String> file = lines(pump.logFile("a.service"));
        for (String l : file) assertTrue(FILE_LINE.matcher(l).matches(), l);
        assertTrue(file.stream().anyMatch(l -> l.endsWith(" stdout tab\there\r")), file.toString());
        assertEquals(ring, LogFiles.tail(state.resolve("logs"), "a.service", 10));
        assertEquals(state.resolve("logs/a.service.log"), pump.logFile("a.service"));
    }

    private static List<String> lines(Path file) {
        try {
            if (!Files.exists(file)) return List.of();
            String s = Files.readString(file, StandardCharsets.ISO_8859_1);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anUnfinishedLineIsKeptAtEndOfFileAndLongLinesAreCutWithAMarker() {
        LogPump pump = pump(LogConfig.defaults(state).withMaxLineBytes(64));
        attach(pump, "p.service", procs.sh("printf 'a\\nb\\nno newline at the end'"));
        attach(pump, "long.service", procs.sh("head -c 200 /dev/zero | tr '\\0' x; echo; echo short"));
        await(WAIT, () -> pump.tail("p.service", 10).size() == 3, () -> pump.tail("p.service", 10).toString());
        assertEquals(List.of("a", "b", "no newline at the end"), texts(pump.tail("p.service", 10), Stream.STDOUT));

        await(WAIT, () -> pump.tail("long.service", 10).size() == 5, () -> pump.tail("long.service", 10).toString());
        List<LogLine> ring = pump.tail("long.service", 10);
        assertEquals(List.of(true, true, true, false, false), ring.stream().map(LogLine::cut).toList());
        assertEquals("x".repeat(64), ring.get(0).text());
        assertEquals("x".repeat(8), ring.get(3).text());
        assertEquals("short", ring.get(4).text());
        assertTrue(ring.get(0).format().contains(" stdout+ xxx"), ring.get(0).format());
        await(WAIT, () -> lines(pump.logFile("long.service")).size() == 5, () -> "file");
        assertTrue(lines(pump.logFile("long.service")).get(0).contains(" stdout+ " + "x".repeat(64)));

        // the metrics' counters: every line logged (pieces of a cut one each), every byte read
        assertEquals(new LogPump.Counts(3, "a\nb\nno newline at the end".length()), pump.counts().get("p.service"));
        assertEquals(new LogPump.Counts(5, 200 + 1 + "short\n".length()), pump.counts().get("long.service"));
        pump.note("p.service", "a note\nof two lines");
        await(WAIT, () -> pump.counts().get("p.service").lines() == 5, () -> pump.counts().toString());
        assertEquals(25, pump.counts().get("p.service").bytes(), "jinit's notes are lines, not bytes from the unit");
    }

    @Test
    void binaryOutputIsKeptByteForByteInTheFileAndShownEscaped() throws IOException {
        byte[] data = new byte[200_000];
        new Random(42).nextBytes(data);
        Path input = state.resolve("input.bin");
        Files.write(input, data);
        LogPump pump = pump(LogConfig.defaults(state).withMaxFileBytes(64L << 20));
        Procs.Proc p = procs.sh("cat " + input);
        attach(pump, "bin.service", p);
        Procs.reap(p.pid(), WAIT);
        // Wait until the file holds every byte: the reconstruction below must equal the input.
        Path file = pump.logFile("bin.service");
        await(WAIT, () -> Files.exists(file) && reconstruct(file).length >= data.length, () -> "file incomplete");
        assertArrayEquals(data, reconstruct(file));
        for (LogLine l : pump.tail("bin.service", 1000))
            l.text().chars().forEach(c -> assertTrue(c == '\t' || c >= 0x20 && (c < 0x7f || c >= 0xa0), l.text()));
    }

    /** The program's bytes back from a log file: strip each header, rejoin with newlines unless cut. */
    private static byte[] reconstruct(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int start = 0;
            boolean lastComplete = false;
            for (int i = 0; i < all.length; i++) {
                if (all[i] != '\n') continue;
                int tagStart = start + LogFormat.TIMESTAMP_LENGTH + 1;
                int space = tagStart;
                while (all[space] != ' ') space++;
                boolean cut = all[space - 1] == '+';
                out.write(all, space + 1, i - space - 1);
                if (!cut) out.write('\n');
                lastComplete = !cut;
                start = i + 1;
            }
            byte[] bytes = out.toByteArray();
            // The input did not end with a newline: the last line was completed at end of file.
            return lastComplete && bytes.length > 0 ? java.util.Arrays.copyOf(bytes, bytes.length - 1) : bytes;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void filesRotateBySizeKeepingTheConfiguredCount() {
        LogPump pump = pump(LogConfig.defaults(state).withMaxFileBytes(4096).withRotatedFiles(2));
        Procs.Proc p = procs.sh("seq -f 'line %04g' 1 2000");
        attach(pump, "rot.service", p);
        await(WAIT, () -> "line 2000".equals(last(pump, "rot.service")), () -> "last: " + last(pump, "rot.service"));
        Path logs = state.resolve("logs");
        await(WAIT, () -> lines(logs.resolve("rot.service.log")).stream().anyMatch(l -> l.endsWith("line 2000")), () -> "file");
        assertTrue(Files.exists(logs.resolve("rot.service.log.1")));
        assertTrue(Files.exists(logs.resolve("rot.service.log.2")));
        assertFalse(Files.exists(logs.resolve("rot.service.log.3")), "only 2 rotated files are kept");
        List<String> inOrder = new ArrayList<>();
        for (String name : List.of("rot.service.log.2", "rot.service.log.1", "rot.service.log")) {
            Path f = logs.resolve(name);
            assertTrue(sizeOf(f) <= 4096, name + " is " + sizeOf(f) + " bytes");
            if (!name.endsWith(".log")) assertTrue(sizeOf(f) > 4096 - 64, name + " was rotated early: " + sizeOf(f));
            inOrder.addAll(lines(f));
        }
        // Contiguous, in order, ending at the last line: rotation lost nothing it kept.
        int first = Integer.parseInt(inOrder.get(0).substring(inOrder.get(0).length() - 4));
        for (int i = 0; i < inOrder.size(); i++)
            assertTrue(inOrder.get(i).endsWith(String.format(" stdout line %04d", first + i)), inOrder.get(i));
        assertEquals(2000, first + inOrder.size() - 1);

        List<LogLine> tail = LogFiles.tail(logs, "rot.service", 150);
        assertEquals(150, tail.size());
        for (int i = 0; i < 150; i++) assertEquals(String.format("line %04d", 1851 + i), tail.get(i).text());
        assertEquals(inOrder.size(), LogFiles.tail(logs, "rot.service", 100_000).size(), "everything kept, no more");
    }

    private static String last(LogPump pump, String unit) {
        List<LogLine> t = pump.tail(unit, 1);
        return t.isEmpty() ? null : t.getFirst().text();
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFloodingUnitDoesNotDelayAQuietOneAndMemoryStaysBounded() {
        LogConfig config = LogConfig.defaults(state).withMaxFileBytes(1 << 20).withRotatedFiles(1).withRing(500, 256 << 10);
        LogPump pump = pump(config);
        attach(pump, "flood.service", procs.sh("exec yes 'flooding the log pipeline as fast as it can'"));
        attach(pump, "zeros.service", procs.sh("exec cat /dev/zero")); // no newline ever: cut pieces
        await(WAIT, () -> pump.tail("flood.service", 1).size() == 1 && pump.tail("zeros.service", 1).size() == 1, () -> "floods started");
        attach(pump, "quiet.service", procs.sh("for i in $(seq 1 20); do echo \"$i $(date +%s%N)\"; sleep 0.05; done"));
        await(WAIT, () -> texts(pump.tail("quiet.service", 100), Stream.STDOUT).size() == 20,
                () -> "quiet lines: " + pump.tail("quiet.service", 100));
        long worstMillis = 0;
        List<LogLine> quiet = pump.tail("quiet.service", 100);
        for (int i = 0; i < 20; i++) {
            String[] parts = quiet.get(i).text().split(" ");
            assertEquals(String.valueOf(i + 1), parts[0], "every line of the quiet unit, in order");
            long written = Long.parseLong(parts[1]);
            Instant read = quiet.get(i).time();
            long delay = (read.getEpochSecond() * 1_000_000_000L + read.getNano() - written) / 1_000_000;
            worstMillis = Math.max(worstMillis, delay);
        }
        // Prompt while two floods saturate the pump: well under a second, even on a loaded 2-core box.
        assertTrue(worstMillis < 2000, "quiet unit's worst delay " + worstMillis + " ms");
        for (String unit : List.of("flood.service", "zeros.service")) {
            List<LogLine> ring = pump.tail(unit, Integer.MAX_VALUE);
            assertTrue(ring.size() <= 500, unit + " ring holds " + ring.size());
            assertTrue(ring.stream().mapToLong(Ring::cost).sum() <= 256 << 10, unit + " ring over its byte bound");
        }
        assertTrue(pump.tail("zeros.service", 1).getFirst().cut());
        assertEquals(config.maxLineBytes() * 4, pump.tail("zeros.service", 1).getFirst().text().length(), "NULs shown as \\x00");
    }

    @Test
    void aGigabyteGoesThroughWhileAQuietUnitKeepsFlowing() {
        LogPump pump = pump(LogConfig.defaults(state));
        // 1 GiB in 101-byte lines, as fast as yes and head can write it, then a last line to wait for.
        String line = "0".repeat(100);
        Procs.Proc flood = procs.sh("yes " + line + " | head -c 1073741824; echo; echo flood done");
        attach(pump, "giga.service", flood);
        attach(pump, "quiet.service", procs.sh("i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo $i; sleep 0.02; done"));
        await(Duration.ofSeconds(60), () -> pump.tail("quiet.service", 200).size() == 100,
                () -> "quiet unit starved: " + pump.tail("quiet.service", 200).size() + " lines");
        await(Duration.ofMinutes(3), () -> "flood done".equals(last(pump, "giga.service")), () -> "flood not through");
        List<LogLine> end = pump.tail("giga.service", 3);
        // 1 GiB is not a multiple of 101 bytes: the cut-short last line, the empty echo's newline ends it.
        assertEquals(line, end.get(0).text());
        assertEquals(line.substring(0, (int) (1073741824L % 101)), end.get(1).text());
        Path logs = state.resolve("logs");
        assertFalse(Files.exists(logs.resolve("giga.service.log.5")), "rotation kept disk use bounded");
        for (int i = 1; i <= 4; i++) assertTrue(sizeOf(logs.resolve("giga.service.log." + i)) <= 8 << 20);
    }

    @Test
    void aSlowReaderLosesLinesWithACountButNeverHoldsThePump() throws InterruptedException {
        LogPump pump = pump(LogConfig.defaults(state).withSubscriberQueue(16));
        CountDownLatch release = new CountDownLatch(1);
        List<LogLine> got = Collections.synchronizedList(new ArrayList<>());
        Subscription sub = pump.subscribe("busy.service", line -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            got.add(line);
        });
        cleanup.add(sub);
        attach(pump, "busy.service", procs.sh("seq 1 1000"));
        // The reader is stuck, yet every line reaches the ring.
        await(WAIT, () -> "1000".equals(last(pump, "busy.service")), () -> "last: " + last(pump, "busy.service"));
        // The ring is filled just before readers are offered the same lines: wait for the offers too.
        await(WAIT, () -> sub.dropped() >= 1000 - 16 - 2, () -> "dropped " + sub.dropped());
        release.countDown();
        // Once the reader catches up, it learns of the gap without waiting for another line.
        await(WAIT, () -> !got.isEmpty() && got.getLast().stream() == Stream.JINIT, () -> "no marker after " + got.size());
        pump.note("busy.service", "after the flood");
        await(WAIT, () -> !got.isEmpty() && got.getLast().text().equals("after the flood"), () -> "got " + got.size());
        long markerCount = 0;
        int markers = 0;
        for (LogLine l : got) {
            if (l.stream() == Stream.JINIT && l.text().endsWith("lines dropped here: this reader fell behind")) {
                markers++;
                markerCount += Long.parseLong(l.text().substring(0, l.text().indexOf(' ')));
            }
        }
        assertTrue(markers >= 1, "a marker line tells of the gap");
        assertEquals(1000, texts(got, Stream.STDOUT).size() + markerCount, "delivered + counted = written");
        assertEquals(sub.dropped(), markerCount);
        // In order around the gap.
        List<Integer> numbers = texts(got, Stream.STDOUT).stream().map(Integer::parseInt).toList();
        for (int i = 1; i < numbers.size(); i++) assertTrue(numbers.get(i) > numbers.get(i - 1));
        sub.close();
        assertTrue(sub.awaitEnd(WAIT));
        assertTrue(sub.isClosed());
    }

    @Test
    void followGivesTheBacklogThenLiveLinesWithoutGapOrRepeat() throws InterruptedException {
        LogPump pump = pump(LogConfig.defaults(state));
        for (int i = 1; i <= 5; i++) pump.note("f.service", "note " + i);
        await(WAIT, () -> pump.tail("f.service", 10).size() == 5, () -> "notes");
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        Subscription s = pump.follow("f.service", 3, l -> got.add(l.text()));
        cleanup.add(s);
        attach(pump, "f.service", procs.sh("seq 1 100"));
        await(WAIT, () -> got.size() == 103, () -> got.size() + " lines");
        assertEquals(List.of("note 3", "note 4", "note 5", "1"), got.subList(0, 4));
        assertEquals("100", got.getLast());
        assertThrows(IllegalArgumentException.class, () -> pump.follow(null, 3, l -> {}));
    }

    @Test
    void twoHundredUnitsAtOnce() {
        LogPump pump = pump(LogConfig.defaults(state));
        for (int u = 0; u < 200; u++)
            attach(pump, "u" + u + ".service", procs.sh("for i in 1 2 3 4 5; do echo u" + u + "-$i; done; echo err" + u + " >&2"));
        for (int u = 0; u < 200; u++) {
            String unit = "u" + u + ".service";
            int n = u;
            await(WAIT, () -> pump.tail(unit, 10).size() == 6, () -> unit + ": " + pump.tail(unit, 10));
            assertEquals(List.of("u" + n + "-1", "u" + n + "-2", "u" + n + "-3", "u" + n + "-4", "u" + n + "-5"),
                    texts(pump.tail(unit, 10), Stream.STDOUT));
            assertEquals(List.of("err" + n), texts(pump.tail(unit, 10), Stream.STDERR));
        }
        await(WAIT, () -> lines(pump.logFile("u199.service")).size() == 6, () -> "file of the last unit");
    }

    @Test
    void aWriterThatExitsWithLinesStillInThePipeLosesNone() {
        LogPump pump = pump(LogConfig.defaults(state));
        // 48,904 bytes: fits the 64 KiB pipe, so the writer can finish before anyone reads.
        Procs.Proc p = procs.sh("seq 1 10000; printf 'last words'");
        assertTrue(Procs.reap(p.pid(), WAIT), "writer exited");
        attach(pump, "exit.service", p);
        await(WAIT, () -> "last words".equals(last(pump, "exit.service")), () -> "last: " + last(pump, "exit.service"));
        await(WAIT, () -> lines(pump.logFile("exit.service")).size() == 10001, () -> "file");
        List<LogLine> all = LogFiles.tail(state.resolve("logs"), "exit.service", 30000);
        assertEquals(10001, all.size());
        for (int i = 0; i < 10000; i++) assertEquals(String.valueOf(i + 1), all.get(i).text());
        assertEquals("last words", all.getLast().text());
    }

    @Test
    void aNoteAboutAnExitFollowsTheUnitsLastOutput() {
        LogPump pump = pump(LogConfig.defaults(state).withRing(10_000, 4 << 20));
        Procs.Proc p = procs.sh("seq 1 5000; echo bye >&2"); // 23,898 bytes: fits the pipe
        assertTrue(Procs.reap(p.pid(), WAIT), "writer exited");
        // Attach and note back to back, as the supervisor does when the exit is reaped first.
        attach(pump, "bye.service", p);
        pump.note("bye.service", "exited with status 0");
        await(WAIT, () -> "exited with status 0".equals(last(pump, "bye.service")), () -> "last: " + last(pump, "bye.service"));
        List<LogLine> all = pump.tail("bye.service", 10_000);
        assertEquals(5002, all.size(), "every line before the note");
        assertEquals("bye", texts(all, Stream.STDERR).getFirst());
    }

    @Test
    void closeReadsWhatIsLeftEndsReadersAndRefusesNewPipes() throws InterruptedException {
        LogPump pump = LogPump.start(LogConfig.defaults(state));
        List<LogLine> got = Collections.synchronizedList(new ArrayList<>());
        Subscription s = pump.subscribe("c.service", got::add);
        Procs.Proc p = procs.sh("seq 1 3; exec sleep 60");
        attach(pump, "c.service", p);
        await(WAIT, () -> pump.tail("c.service", 10).size() == 3, () -> "lines");
        pump.close();
        assertTrue(s.awaitEnd(WAIT), "the reader ends after its queued lines");
        assertEquals(3, got.size());
        assertTrue(s.isClosed());
        Fd[] pipe = Posix.pipe(Posix.O_CLOEXEC);
        pipe[1].close();
        assertThrows(IllegalStateException.class, () -> pump.attach("c.service", pipe[0], Stream.STDOUT));
        assertFalse(pipe[0].isOpen(), "attach owns the descriptor even when it refuses it");
        assertEquals(3, pump.tail("c.service", 10).size(), "memory stays readable after close");
        pump.close(); // twice is fine
    }

    @Test
    void historyReadsTheFilesWhenMemoryDoesNotReachBack() throws IOException {
        LogConfig config = LogConfig.defaults(state).withRing(10, 64 << 10);
        try (LogPump first = LogPump.start(config)) {
            for (int i = 1; i <= 30; i++) first.note("h.service", "line " + i);
            await(WAIT, () -> "line 30".equals(last(first, "h.service")), () -> "notes");
            assertEquals(10, first.history("h.service", 10).size());
            assertEquals("line 1", first.history("h.service", 30).getFirst().text(), "older lines from the file");
        }
        // A new jinit: memory is empty, the files are not.
        LogPump second = pump(config);
        List<LogLine> h = second.history("h.service", 5);
        assertEquals(List.of("line 26", "line 27", "line 28", "line 29", "line 30"), h.stream().map(LogLine::text).toList());
        assertEquals(List.of(), second.history("../etc", 5), "a name that is no file name has no history");
        // An unreadable file does not fail the caller; it is named instead.
        Files.delete(config.logsDir().resolve("h.service.log"));
        Files.createDirectory(config.logsDir().resolve("h.service.log"));
        h = second.history("h.service", 5);
        assertEquals(1, h.size());
        assertTrue(h.getFirst().text().startsWith("older lines unavailable: reading log file "), h.getFirst().text());
    }

    @Test
    void badArgumentsAreRefusedAndTheDescriptorClosed() {
        LogPump pump = pump(LogConfig.defaults(state));
        Fd[] pipe = Posix.pipe(Posix.O_CLOEXEC);
        pipe[1].close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pump.attach("../evil", pipe[0], Stream.STDOUT));
        assertTrue(e.getMessage().contains("'../evil'"), e.getMessage());
        assertFalse(pipe[0].isOpen());
        assertThrows(IllegalArgumentException.class, () -> pump.note("a/b", "x"));
        LogConfig ok = LogConfig.defaults(state);
        for (Runnable bad : List.<Runnable>of(
                () -> ok.withMaxFileBytes(100),
                () -> ok.withRotatedFiles(-1),
                () -> ok.withRotatedFiles(100),
                () -> ok.withRing(0, 1 << 20),
                () -> ok.withRing(10, 10),
                () -> ok.withMaxLineBytes(10),
                () -> ok.withMaxLineBytes(LogConfig.MAX_LINE_LIMIT + 1),
                () -> ok.withSubscriberQueue(1),
                () -> ok.withRetryAfter(Duration.ofSeconds(-1)))) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(x.getMessage().matches(".*: -?\\d+|.*: PT-1S"), "names the value: " + x.getMessage());
        }
    }

    @Test
    void aFullDiskIsReportedOnceAndSurvived() throws Exception {
        Assumptions.assumeTrue(Posix.geteuid() == 0, "mounting a small tmpfs needs root (CI runs as root)");
        Path mount = state.resolve("small");
        Files.createDirectories(mount);
        Procs.mountTmpfs(mount, "1m");
        try {
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
            // A reader queue that holds every line: this test wants each jinit line, not drop markers.
            LogConfig config = LogConfig.defaults(mount).withMaxFileBytes(64L << 20).withRetryAfter(Duration.ofMillis(200))
                    .withSubscriberQueue(100_000);
            LogPump pump = LogPump.start(config, err);
            try {
                List<LogLine> jinitLines = Collections.synchronizedList(new ArrayList<>());
                Subscription s = pump.subscribe(null, l -> {
                    if (l.stream() == Stream.JINIT && l.unit().equals("full.service")) jinitLines.add(l);
                });
                Procs.Proc p = procs.sh("seq -f 'a line of output that fills the small disk quickly %06g' 1 40000");
                attach(pump, "full.service", p);
                // Lines keep flowing to memory although the disk is full after ~12,000 of them.
                await(WAIT, () -> "a line of output that fills the small disk quickly 040000".equals(last(pump, "full.service")),
                        () -> "last: " + last(pump, "full.service"));
                await(WAIT, () -> jinitLines.size() >= 1, () -> "no report");
                Path file = pump.logFile("full.service");
                String report = jinitLines.getFirst().text();
                assertTrue(report.contains("ENOSPC") && report.contains(file.toString()), report);
                assertEquals(1, jinitLines.size(), "reported once: " + jinitLines);
                String errText = errBytes.toString(StandardCharsets.UTF_8);
                assertEquals(1, errText.lines().filter(l -> l.contains("ENOSPC")).count(), errText);
                assertTrue(errText.contains("full.service"), errText);

                // Free the disk: after the retry delay the next line is written to a fresh file.
                Files.delete(file);
                Instant freed = Instant.now();
                await(WAIT, () -> Duration.between(freed, Instant.now()).toMillis() > 300, () -> "retry delay");
                attach(pump, "full.service", procs.sh("echo after the disk was freed"));
                await(WAIT, () -> lines(file).stream().anyMatch(l -> l.endsWith("stdout after the disk was freed")),
                        () -> "file now: " + lines(file));
                await(WAIT, () -> jinitLines.size() == 2, () -> jinitLines.toString());
                assertTrue(jinitLines.get(1).text().matches("log file .* is written again; \\d+ lines are missing from it"),
                        jinitLines.get(1).text());
                s.close();
            } finally {
                pump.close();
            }
        } finally {
            Procs.unmount(mount);
        }
    }

    /**
     * A write cut by ENOSPC in the middle of a record: when space returns (another file is removed, the
     * log file stays), the cut record is removed, every line in the file is whole, and the "N lines are
     * missing" report stays.
     */
    @Test
    void aRecordCutByAFullDiskIsRemovedWhenSpaceReturns() throws Exception {
        Assumptions.assumeTrue(Posix.geteuid() == 0, "mounting a small tmpfs needs root (CI runs as root)");
        Path mount = state.resolve("cut");
        Files.createDirectories(mount);
        Procs.mountTmpfs(mount, "1m");
        try {
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[700 * 1024]);
            LogConfig config = LogConfig.defaults(mount).withMaxFileBytes(64L << 20).withRetryAfter(Duration.ofMillis(200))
                    .withSubscriberQueue(100_000);
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            LogPump pump = LogPump.start(config, new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            try {
                List<LogLine> jinitLines = Collections.synchronizedList(new ArrayList<>());
                Subscription s = pump.subscribe(null, l -> {
                    if (l.stream() == Stream.JINIT && l.unit().equals("cut.service")) jinitLines.add(l);
                });
                attach(pump, "cut.service", procs.sh("seq -f 'a record that will be cut by the full disk %06g' 1 20000"));
                await(WAIT, () -> "a record that will be cut by the full disk 020000".equals(last(pump, "cut.service")),
                        () -> "last: " + last(pump, "cut.service"));
                await(WAIT, () -> jinitLines.size() >= 1, () -> "no ENOSPC report");
                Path file = pump.logFile("cut.service");
                byte[] before = Files.readAllBytes(file);
                Files.delete(filler); // space returns; the log file itself stays
                Instant freed = Instant.now();
                await(WAIT, () -> Duration.between(freed, Instant.now()).toMillis() > 300, () -> "retry delay");
                attach(pump, "cut.service", procs.sh("echo after space returned"));
                await(WAIT, () -> lines(file).stream().anyMatch(l -> l.endsWith("stdout after space returned")),
                        () -> "file now: " + lines(file).size() + " lines");
                await(WAIT, () -> jinitLines.size() == 2, () -> jinitLines.toString());
                assertTrue(jinitLines.get(1).text().matches("log file .* is written again; \\d+ lines are missing from it"),
                        jinitLines.get(1).text());
                List<String> all = lines(file);
                for (String l : all)
                    assertTrue(l.matches(".*stdout a record that will be cut by the full disk \\d{6}")
                            || l.endsWith("stdout after space returned") || l.matches("\\S+ jinit .*"), "a whole record: '" + l + "'");
                assertTrue(before.length > 0 && before[before.length - 1] != '\n',
                        "the disk filled inside a record (else this test shows nothing): ends with '"
                                + new String(before, Math.max(0, before.length - 40), Math.min(40, before.length), StandardCharsets.UTF_8) + "'");
                s.close();
            } finally {
                pump.close();
            }
        } finally {
            Procs.unmount(mount);
        }
    }
}
