package dev.jinit.boot;

import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.log.Subscription;
import dev.jinit.system.Part;
import dev.jinit.system.Supervisor;
import java.io.PrintStream;

/**
 * In boot mode, every line a unit writes to its stdout or stderr also appears on the console, prefixed
 * with the unit's name, as a serial console user expects of an init ({@code demo-web.service: listening
 * on :8080}); the log file and ring keep it as well.
 *
 * <p>It is one all-units reader of the log pump, not a thread per unit: the reader's queue is bounded,
 * so a slow serial line (115200 baud is about 11 KB/s) loses lines here, with a note saying how many,
 * instead of slowing the pump and the units behind it. Units whose StandardOutput= sends their output
 * elsewhere (tty, console, file:, null) never reach the pump, so they are not copied.
 */
public final class ConsoleEcho implements Part {
    private final PrintStream console;

    public ConsoleEcho(PrintStream console) {
        this.console = console;
    }

    @Override
    public String name() {
        return "console output";
    }

    @Override
    public AutoCloseable start(Supervisor supervisor) {
        Subscription s = supervisor.logs().subscribe(null, this::show);
        return s;
    }

    private void show(LogLine line) {
        // jinit's own notes about units ("started", "exited") are already on the console from the manager.
        boolean dropMarker = line.stream() == Stream.JINIT && line.unit().equals(Subscription.ALL_UNITS_NAME);
        if (line.stream() == Stream.JINIT && !dropMarker) return;
        console.println(line.unit() + ": " + line.text());
    }
}
