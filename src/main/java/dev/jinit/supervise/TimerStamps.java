package dev.jinit.supervise;

import dev.jinit.unit.UnitName;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The stamps of Persistent= timers, as systemd keeps them in {@code /var/lib/systemd/timers/stamp-NAME}: an empty
 * file whose modification time is the last trigger. Here they live in {@code STATE_BASE/jinit/timers} (the base of
 * StateDirectory=, /var/lib by default), so they outlive a reboot. Every file operation runs on a thread of its
 * own, never on the manager's; answers are posted back to the loop. A stamp that cannot be read is no stamp (the
 * timer counts from its start) and a stamp that cannot be written is reported on the console.
 */
final class TimerStamps implements TimerMachine.Stamps {
    private final Path dir;
    private final EventLoop loop;
    private final PrintStream console;
    /** One writer at a time, in order: a later trigger never loses to an earlier one. */
    private final ExecutorService io = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("jinit-timer-stamps").factory());

    TimerStamps(Path dir, EventLoop loop, PrintStream console) {
        this.dir = dir;
        this.loop = loop;
        this.console = console;
    }

    Path path(String timer) {
        UnitName.parse(timer); // a unit name never climbs out of the directory
        return dir.resolve("stamp-" + timer);
    }

    @Override
    public void load(String timer, Consumer<Instant> answer) {
        io.execute(() -> {
            Instant at = null;
            try {
                BasicFileAttributes a = Files.readAttributes(path(timer), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) at = a.lastModifiedTime().toInstant();
            } catch (IOException | RuntimeException e) {
                // no stamp yet
            }
            Instant found = at;
            loop.post(() -> answer.accept(found));
        });
    }

    @Override
    public void save(String timer, Instant at) {
        io.execute(() -> {
            try {
                Files.createDirectories(dir);
                Path p = path(timer);
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    Files.createFile(p);
                }
                Files.setLastModifiedTime(p, FileTime.from(at));
            } catch (IOException | RuntimeException e) {
                console.println("jinit: " + timer + ": cannot write its Persistent= stamp in " + dir + ": " + e);
            }
        });
    }
}
