package dev.jinit.log;

import static dev.jinit.log.Procs.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pump outlives an Error thrown inside one of its rounds: a dead pump would close every unit's
 * pipe, and each unit's next write would die of SIGPIPE.
 */
class LogPumpContainmentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final Procs procs = new Procs();
    private LogPump pump;

    @AfterEach
    void tearDown() {
        procs.close();
        if (pump != null) pump.close();
    }

    /** jinit's stderr where the first report throws an Error (standing in for an OutOfMemoryError). */
    private static final class FailingOnce extends PrintStream {
        final AtomicInteger calls = new AtomicInteger();

        FailingOnce() {
            super(OutputStream.nullOutputStream());
        }

        @Override
        public void println(String s) {
            if (calls.getAndIncrement() == 0) throw new StackOverflowError("injected failure while reporting: " + s);
        }
    }

    @Test
    void anErrorInARoundIsReportedAndThePumpGoesOn() throws IOException {
        // The logs directory cannot be made (its parent is a file), so the first line's file error
        // is reported on err, which throws.
        Path state = Files.writeString(tmp.resolve("not-a-directory"), "x");
        FailingOnce err = new FailingOnce();
        pump = LogPump.start(LogConfig.defaults(state), err);
        Procs.Proc first = procs.sh("echo first");
        pump.attach("a.service", first.out(), Stream.STDOUT);
        first.err().close();
        await(WAIT, () -> err.calls.get() > 0, () -> "no report yet");

        Procs.Proc second = procs.sh("echo second");
        pump.attach("a.service", second.out(), Stream.STDOUT);
        second.err().close();
        await(WAIT, () -> pump.tail("a.service", 100).stream().anyMatch(l -> l.text().equals("second")),
                () -> "the pump stopped: " + pump.tail("a.service", 100));
        assertTrue(err.calls.get() >= 2, "the failure itself was reported");
    }
}
