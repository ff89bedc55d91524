package dev.jinit.log;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jinit.linux.Epoll;
import dev.jinit.linux.EventFd;
import dev.jinit.linux.Fcntl;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The log pipeline: one platform thread that reads every unit's stdout and stderr pipe with epoll and,
 * for each line, appends it to the unit's rotating file ({@link LogFormat} describes the format), keeps
 * it in the unit's bounded ring, and hands it to live readers ({@link Subscription}).
 *
 * <p>Why it cannot be stalled by one unit: pipes are non-blocking and each ready pipe gets one read of
 * at most 64 KiB per epoll round, so a unit writing gigabytes gets its share and no more; epoll hands
 * the remaining data back next round, after the other ready pipes. Every buffer is bounded (the partial
 * line per pipe by the maximum line length, rings by lines and bytes, readers' queues by a count, jinit's
 * own notes by a fixed queue), and a reader that falls behind loses lines, never the pump's time. A file
 * that cannot be written (full disk) is reported once and retried later while lines keep flowing.
 *
 * <p>State: the pump thread alone owns the pipes, the line splitters and the files; rings are read by
 * any thread under their lock; other threads talk to the pump through a bounded command queue and an
 * eventfd that wakes it.
 */
public final class LogPump implements AutoCloseable {
    private static final long WAKE_ID = 0;
    /** Bytes read from one pipe per epoll round: the fairness quantum (the default pipe capacity). */
    static final int READ_QUANTUM = 64 << 10;
    private static final int MAX_EVENTS = 256;
    private static final int COMMAND_QUEUE = 16384;
    /** At close, at most this much is still read from each pipe, so a writer that never stops cannot hold jinit. */
    private static final long CLOSE_DRAIN_BYTES = 1 << 20;
    /** Before a note, at most this much is read from each of the unit's pipes. */
    private static final long NOTE_DRAIN_BYTES = 4L * READ_QUANTUM;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private sealed interface Command {}
    private record Attach(String unit, Fd fd, Stream stream) implements Command {}
    private record Note(String unit, Instant time, String text) implements Command {}
    private record Stop() implements Command {}
    private record HandOver(java.util.concurrent.CompletableFuture<List<Kept>> answer) implements Command {}

    /**
     * A pipe read end kept open across execve for {@code jinit daemon-reexec}: its descriptor number
     * (no FD_CLOEXEC any more), the unit, and the stream.
     */
    public record Kept(String unit, int fd, Stream stream) {}

    /** A unit's share: its ring and readers (any thread), its file and open pipe count (pump thread). */
    private final class UnitLog {
        final String name;
        final Ring ring;
        final CopyOnWriteArrayList<Subscription> subscribers = new CopyOnWriteArrayList<>();
        LogFile file;
        int attached;
        /** Written by the pump thread only, read by anyone (metrics): lines logged, bytes read from the unit's pipes. */
        volatile long lines, bytes;

        UnitLog(String name) {
            this.name = name;
            this.ring = new Ring(name, config.ringLines(), config.ringBytes());
        }

        LogFile file() {
            if (file == null)
                file = new LogFile(config.logsDir().resolve(name + ".log"), config, staging,
                        message -> reports.add(new Note(name, Instant.now(), message)), System::nanoTime);
            return file;
        }
    }

    /** One attached pipe; its splitter holds the pipe's unfinished line. */
    private record Source(long id, UnitLog unit, Stream stream, Fd fd, LineSplitter splitter) {}

    private final LogConfig config;
    private final PrintStream err;
    private final ConcurrentHashMap<String, UnitLog> units = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Subscription> allUnitSubscribers = new CopyOnWriteArrayList<>();
    private final ArrayBlockingQueue<Command> commands = new ArrayBlockingQueue<>(COMMAND_QUEUE);
    private final AtomicLong droppedNotes = new AtomicLong();
    private final Object lifecycle = new Object();
    private final EventFd wake;
    private final Fd epoll;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean readersEnded;

    // Owned by the pump thread.
    private final Map<Long, Source> sources = new HashMap<>();
    private long nextSourceId = WAKE_ID + 1;
    private final List<LogLine> batch = new ArrayList<>();
    private final List<Note> reports = new ArrayList<>();
    private final LogFormat.Timestamps timestamps = new LogFormat.Timestamps();
    private final byte[] header = new byte[LogFormat.TIMESTAMP_LENGTH + 16];
    private final byte[] cutHeader = new byte[LogFormat.TIMESTAMP_LENGTH + 16];
    private int headerLength, cutHeaderLength;
    private UnitLog currentUnit;
    private Stream currentStream;
    private Instant currentTime;
    private LogFile.Staging staging;
    private MemorySegment readBuffer;
    private byte[] chunk;
    private final LineSplitter.Sink sink = this::line;

    private LogPump(LogConfig config, PrintStream err) {
        this.config = config;
        this.err = err;
        this.wake = EventFd.create();
        Fd ep = null;
        try {
            ep = Epoll.create();
            Epoll.add(ep.get(), wake.fd(), Epoll.EPOLLIN, WAKE_ID);
        } catch (RuntimeException e) {
            if (ep != null) ep.close();
            wake.close();
            throw e;
        }
        this.epoll = ep;
        this.thread = Thread.ofPlatform().name("jinit-log-pump").daemon(true).unstarted(this::run);
    }

    /** Starts the pump thread. Nothing touches the disk until a unit has a line to write. */
    public static LogPump start(LogConfig config) {
        return start(config, System.err);
    }

    /** As {@link #start(LogConfig)}, reporting file trouble to {@code err} instead of jinit's stderr. */
    public static LogPump start(LogConfig config, PrintStream err) {
        LogPump pump = new LogPump(config, err);
        pump.thread.start();
        return pump;
    }

    public LogConfig config() {
        return config;
    }

    /** The current log file of a unit (it exists once the unit logged something). */
    public Path logFile(String unit) {
        return config.logsDir().resolve(LogFormat.checkUnitName(unit) + ".log");
    }

    /**
     * Reads {@code readEnd} (jinit's end of a unit's stdout or stderr pipe) until end of file, then closes
     * it. Takes ownership of the descriptor at once, also when this throws.
     */
    public void attach(String unit, Fd readEnd, Stream stream) {
        try {
            LogFormat.checkUnitName(unit);
            if (stream == Stream.JINIT) throw new IllegalArgumentException("the jinit stream is for notes, not pipes");
            Fcntl.setNonBlocking(readEnd.get());
            synchronized (lifecycle) {
                if (closed) throw new IllegalStateException("log pump is closed: cannot read " + stream.tag() + " of " + unit);
                commands.put(new Attach(unit, readEnd, stream));
                wake.signal();
            }
        } catch (RuntimeException e) {
            readEnd.close();
            throw e;
        } catch (InterruptedException e) {
            readEnd.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while attaching " + stream.tag() + " of " + unit, e);
        }
    }

    /**
     * Records jinit's own line about a unit ("started", "exited with status 1"), stream {@code jinit}.
     * Never blocks: if the pump is so far behind that its note queue is full, the note is counted and
     * the count reported on jinit's stderr. After close, notes go to jinit's stderr.
     */
    public void note(String unit, String text) {
        LogFormat.checkUnitName(unit);
        // Under the lifecycle lock so that no signal reaches the eventfd after close() released it.
        synchronized (lifecycle) {
            if (closed || !thread.isAlive()) {
                err.println("jinit: " + unit + ": " + text);
                return;
            }
            if (commands.offer(new Note(unit, Instant.now(), text))) wake.signal();
            else droppedNotes.incrementAndGet();
        }
    }

    /** The last {@code n} lines of a unit from memory, oldest first. */
    /**
     * What one unit's log has taken in since jinit started: lines logged (its stdout and stderr lines,
     * pieces of over-long lines, and jinit's notes about it) and bytes read from its pipes.
     */
    public record Counts(long lines, long bytes) {}

    /** {@link Counts} of every unit that has logged anything, by unit name (sorted). */
    public java.util.SortedMap<String, Counts> counts() {
        java.util.SortedMap<String, Counts> out = new java.util.TreeMap<>();
        for (UnitLog u : units.values()) out.put(u.name, new Counts(u.lines, u.bytes));
        return out;
    }

    public List<LogLine> tail(String unit, int n) {
        UnitLog u = units.get(unit);
        return u == null ? List.of() : u.ring.tail(n);
    }

    /**
     * The last {@code n} lines of a unit from memory, or from its files when they hold more (after a
     * restart of jinit memory is empty but the files are not).
     */
    public List<LogLine> history(String unit, int n) {
        List<LogLine> ring = tail(unit, n);
        if (ring.size() >= n || !LogFormat.isUnitName(unit)) return ring;
        try {
            List<LogLine> files = LogFiles.tail(config.logsDir(), unit, n);
            return files.size() > ring.size() ? files : ring;
        } catch (UncheckedIOException e) {
            // Status must not fail over an unreadable file: say so where the older lines would be.
            List<LogLine> out = new ArrayList<>();
            out.add(new LogLine(Instant.now().truncatedTo(ChronoUnit.MICROS), unit, Stream.JINIT,
                    "older lines unavailable: " + e.getMessage()));
            out.addAll(ring);
            return out;
        }
    }

    /** Live lines of one unit, or of every unit when {@code unit} is null, from now on. */
    public Subscription subscribe(String unit, Consumer<LogLine> consumer) {
        return follow(unit, 0, consumer);
    }

    /**
     * The last {@code backlog} lines of a unit from memory, then its live lines, with no line lost or
     * repeated in between ({@code jinit logs -f -n N}). A backlog beyond the reader's queue drops lines
     * like a slow reader. For all units ({@code unit} null) only a backlog of 0 is supported.
     */
    public Subscription follow(String unit, int backlog, Consumer<LogLine> consumer) {
        if (backlog < 0) throw new IllegalArgumentException("negative backlog: " + backlog);
        if (closed) throw new IllegalStateException("log pump is closed");
        Subscription s;
        if (unit == null) {
            if (backlog != 0) throw new IllegalArgumentException("a backlog needs a unit name");
            s = new Subscription(null, config.subscriberQueue(), consumer, allUnitSubscribers::remove);
            allUnitSubscribers.add(s);
        } else {
            UnitLog u = unitLog(LogFormat.checkUnitName(unit));
            s = new Subscription(unit, config.subscriberQueue(), consumer, u.subscribers::remove);
            // The pump appends and dispatches under the same lock: nothing slips between backlog and live.
            synchronized (u) {
                for (LogLine line : u.ring.tail(backlog)) s.offer(line);
                u.subscribers.add(s);
            }
        }
        s.start();
        // Closing ends readers after setting this flag: a reader added meanwhile ends here instead.
        if (readersEnded) s.end();
        return s;
    }

    private UnitLog unitLog(String name) {
        return units.computeIfAbsent(name, UnitLog::new);
    }

    /**
     * Reads what the pipes still hold (a bounded amount each), writes everything out, closes the pipes
     * and files, and ends the subscriptions after their queued lines.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) return;
            closed = true;
        }
        try {
            commands.put(new Stop());
            wake.signal();
            if (!thread.join(CLOSE_TIMEOUT)) {
                err.println("jinit: log pump did not stop within " + CLOSE_TIMEOUT.toSeconds() + " s; leaving it");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Command c; (c = commands.poll()) != null; )
            if (c instanceof Attach a) a.fd().close();
        epoll.close();
        wake.close();
    }

    // ---- pump thread ----

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = Epoll.events(arena, MAX_EVENTS);
            readBuffer = arena.allocate(READ_QUANTUM);
            chunk = new byte[READ_QUANTUM];
            staging = new LogFile.Staging(arena, Math.max(256 << 10, config.maxLineBytes() + header.length + 1));
            boolean stop = false;
            long failures = 0;
            while (!stop) {
                int n;
                try {
                    n = Epoll.await(epoll.get(), events, -1);
                } catch (LinuxException e) {
                    // Nothing sensible is left to do without epoll; closing the pipes makes writers
                    // see EPIPE instead of blocking forever on a full pipe.
                    err.println("jinit: log pump stopped: " + e.getMessage());
                    break;
                }
                try {
                    for (int i = 0; i < n; i++) {
                        long id = Epoll.eventData(events, i);
                        if (id == WAKE_ID) {
                            wake.drain();
                            continue;
                        }
                        Source s = sources.get(id);
                        if (s != null) service(s);
                    }
                    stop = runCommands();
                    finishRound();
                } catch (RuntimeException | Error e) {
                    // Neither a bug nor an Error (memory exhausted, stack overflow) may end logging: a
                    // dead pump closes every unit's pipe and each unit's next write dies of SIGPIPE.
                    // Report it (a repeating one only now and then) and carry on with the next round.
                    if (failures++ % 1000 == 0) report(e, failures);
                    staging.length = 0;
                    staging.lines = 0;
                    batch.clear();
                    reports.clear();
                }
            }
            drainAll();
        } catch (RuntimeException | Error e) {
            err.println("jinit: log pump failed: " + e);
            e.printStackTrace(err);
        } finally {
            for (Source s : List.copyOf(sources.values())) closeSource(s);
            readersEnded = true;
            for (UnitLog u : units.values()) {
                for (Subscription s : u.subscribers) s.end();
            }
            for (Subscription s : allUnitSubscribers) s.end();
        }
    }

    /** Reports a failed round; reporting itself must not fail the pump either. */
    private void report(Throwable e, long failures) {
        try {
            err.println("jinit: log pump error (" + failures + " so far): " + e);
            e.printStackTrace(err);
        } catch (RuntimeException | Error ignored) {
            // jinit's stderr is failing too: the lines still matter more than the report
        }
    }

    /** One read of at most the quantum from a ready pipe. A pipe that fails is detached, never the pump. */
    private void service(Source s) {
        try {
            long n = Posix.read(s.fd().get(), readBuffer, READ_QUANTUM);
            if (n < 0) return; // EAGAIN: nothing after all
            if (n == 0) {
                detach(s);
                return;
            }
            MemorySegment.copy(readBuffer, JAVA_BYTE, 0, chunk, 0, (int) n);
            consume(s, chunk, (int) n);
        } catch (RuntimeException e) {
            reports.add(new Note(s.unit().name, Instant.now(), "reading its " + s.stream().tag() + " failed: " + e.getMessage()));
            detach(s);
        }
    }

    private void consume(Source s, byte[] chunk, int n) {
        s.unit().bytes += n; // the pump thread is the only writer
        begin(s.unit(), s.stream(), Instant.now());
        s.splitter().feed(chunk, 0, n, sink);
        publish(s.unit());
    }

    /** Sets the unit, stream and time of the lines that follow, formatting their file headers once. */
    private void begin(UnitLog unit, Stream stream, Instant time) {
        currentUnit = unit;
        currentStream = stream;
        // Files keep microseconds; memory keeps the same, so a line reads the same from either.
        currentTime = time.truncatedTo(ChronoUnit.MICROS);
        timestamps.write(time.getEpochSecond(), time.getNano(), header, 0);
        int pos = LogFormat.TIMESTAMP_LENGTH;
        header[pos++] = ' ';
        byte[] tag = stream.tag().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, header, pos, tag.length);
        pos += tag.length;
        System.arraycopy(header, 0, cutHeader, 0, pos);
        cutHeader[pos] = '+';
        cutHeader[pos + 1] = ' ';
        cutHeaderLength = pos + 2;
        header[pos] = ' ';
        headerLength = pos + 1;
    }

    /** The splitter's sink: one line of the current pipe (or note). */
    private void line(byte[] b, int off, int len, boolean cut) {
        UnitLog u = currentUnit;
        u.lines++; // the pump thread is the only writer
        if (cut) u.file().append(cutHeader, cutHeaderLength, b, off, len);
        else u.file().append(header, headerLength, b, off, len);
        batch.add(new LogLine(currentTime, u.name, currentStream, LogFormat.text(b, off, len), cut));
    }

    /** Lines of the batch into the ring and to the readers, in order. */
    private void publish(UnitLog u) {
        if (batch.isEmpty()) return;
        synchronized (u) {
            u.ring.addAll(batch);
            for (Subscription s : u.subscribers)
                for (LogLine line : batch) s.offer(line);
        }
        for (Subscription s : allUnitSubscribers)
            for (LogLine line : batch) s.offer(line);
        batch.clear();
    }

    /** Runs queued commands; returns true when asked to stop. */
    private boolean runCommands() {
        boolean stop = false;
        for (Command c; (c = commands.poll()) != null; ) {
            switch (c) {
                case Attach a -> attachNow(a);
                case Note n -> noteNow(n);
                case Stop ignored -> stop = true;
                case HandOver h -> handOverNow(h);
            }
        }
        long dropped = droppedNotes.getAndSet(0);
        if (dropped > 0) err.println("jinit: " + dropped + " log notes were dropped: the log pump fell behind");
        return stop;
    }

    private void handOverNow(HandOver h) {
        List<Kept> kept = new ArrayList<>();
        try {
            for (Source s : List.copyOf(sources.values())) {
                // What was read is written; the unfinished line of each pipe is written as it is.
                begin(s.unit(), s.stream(), Instant.now());
                s.splitter().finish(sink);
                publish(s.unit());
                try {
                    Epoll.remove(epoll.get(), s.fd().get());
                } catch (RuntimeException e) {
                    // kept either way: the new jinit reads it
                }
                sources.remove(s.id());
                dev.jinit.linux.Fcntl.setCloexec(s.fd().get(), false);
                kept.add(new Kept(s.unit().name, s.fd().get(), s.stream()));
            }
            finishRound();
            h.answer().complete(kept);
        } catch (RuntimeException | Error e) {
            h.answer().completeExceptionally(e);
        }
    }

    /**
     * For {@code jinit daemon-reexec}: writes what was read, stops reading every unit's pipe, and clears
     * FD_CLOEXEC on their read ends so that they survive the execve that must follow (the new jinit reads
     * them on; no write of a unit meets a pipe without a reader meanwhile). The pump reads nothing more
     * from them: a reexec that then fails leaves the units' output unread (call it only right before execve).
     */
    public List<Kept> handOver(Duration within) {
        java.util.concurrent.CompletableFuture<List<Kept>> answer = new java.util.concurrent.CompletableFuture<>();
        try {
            synchronized (lifecycle) {
                if (closed) throw new IllegalStateException("log pump is closed");
                commands.put(new HandOver(answer));
                wake.signal();
            }
            return answer.get(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing over the log pipes", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("handing over the log pipes: " + e, e);
        }
    }

    private void attachNow(Attach a) {
        UnitLog u = unitLog(a.unit());
        long id = nextSourceId++;
        try {
            Epoll.add(epoll.get(), a.fd().get(), Epoll.EPOLLIN, id);
        } catch (LinuxException e) {
            a.fd().close();
            reports.add(new Note(u.name, Instant.now(), "cannot read its " + a.stream().tag() + ": " + e.getMessage()));
            return;
        }
        sources.put(id, new Source(id, u, a.stream(), a.fd(), new LineSplitter(config.maxLineBytes())));
        u.attached++;
    }

    private void noteNow(Note n) {
        UnitLog u = unitLog(n.unit());
        // What the unit wrote before jinit noted something about it ("exited with status 1") is read
        // first, so the note follows the unit's last words instead of racing them.
        if (u.attached > 0) {
            for (Source s : List.copyOf(sources.values()))
                if (s.unit() == u && drain(s, NOTE_DRAIN_BYTES)) detach(s);
        }
        begin(u, Stream.JINIT, n.time());
        for (String text : n.text().split("\n", -1)) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            line(bytes, 0, bytes.length, false);
        }
        publish(u);
    }

    /** End of a pipe: its unfinished line is kept, the pipe closed; the file closes with the unit's last pipe. */
    private void detach(Source s) {
        begin(s.unit(), s.stream(), Instant.now());
        s.splitter().finish(sink);
        publish(s.unit());
        closeSource(s);
        if (--s.unit().attached == 0 && s.unit().file != null) s.unit().file.close();
    }

    private void closeSource(Source s) {
        if (sources.remove(s.id()) == null) return;
        try {
            Epoll.remove(epoll.get(), s.fd().get());
        } catch (RuntimeException e) {
            // the descriptor is closed below either way, which also removes it from the epoll set
        }
        s.fd().close();
    }

    /** Writes the staged lines, then turns file trouble reported meanwhile into notes (and stderr lines). */
    private void finishRound() {
        staging.flush();
        // A note about a file is itself written to that file, which may report again (at most a
        // failure and a recovery per round); the bound only guards against a loop.
        for (int round = 0; round < 4 && !reports.isEmpty(); round++) {
            List<Note> pending = List.copyOf(reports);
            reports.clear();
            for (Note n : pending) {
                err.println("jinit: " + n.unit() + ": " + n.text());
                noteNow(n);
            }
            staging.flush();
        }
        reports.clear();
    }

    /** At close: what the pipes still hold, bounded per pipe, then their unfinished lines. */
    private void drainAll() {
        runCommands();
        for (Source s : List.copyOf(sources.values())) {
            if (drain(s, CLOSE_DRAIN_BYTES)) detach(s);
        }
        finishRound();
        for (UnitLog u : units.values()) if (u.file != null) u.file.close();
    }

    /**
     * Reads a pipe until it is empty (or {@code budget} bytes were read). Returns true when the pipe is
     * finished (end of file or a read error, reported): the caller detaches it.
     */
    private boolean drain(Source s, long budget) {
        try {
            while (budget > 0) {
                long n = Posix.read(s.fd().get(), readBuffer, READ_QUANTUM);
                if (n < 0) return false;
                if (n == 0) return true;
                MemorySegment.copy(readBuffer, JAVA_BYTE, 0, chunk, 0, (int) n);
                consume(s, chunk, (int) n);
                budget -= n;
            }
            return false;
        } catch (RuntimeException e) {
            reports.add(new Note(s.unit().name, Instant.now(), "reading its " + s.stream().tag() + " failed: " + e.getMessage()));
            return true;
        }
    }
}
