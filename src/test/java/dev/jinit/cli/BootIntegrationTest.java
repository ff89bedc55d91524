package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Fcntl;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Pty;
import dev.jinit.linux.Signals;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code jinit boot} as PID 1 of a PID namespace: the boot steps, units, console output and the
 * shutdown, without a VM. In a child PID namespace reboot(2) ends the namespace's init as if by
 * SIGINT (poweroff, halt) or SIGHUP (reboot), which unshare reports as 130 or 129.
 */
class BootIntegrationTest {
    static final int POWEROFF_STATUS = 128 + Signals.SIGINT, REBOOT_STATUS = 128 + Signals.SIGHUP;

    private static String service(String description, String extra, String script) {
        return """
                [Unit]
                Description=%s
                %s
                [Service]
                ExecStart=/bin/sh -c '%s'
                TimeoutStopSec=3
                [Install]
                WantedBy=multi-user.target
                """.formatted(description, extra, script);
    }

    @Test
    void bootsRunsUnitsAndPowersOffInOrderOnSigusr2() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("poweroff")) {
            Path marks = boot.root;
            boot.unit("db.service", service("Database", "", "echo db ready; trap \"echo db-stopped >> " + marks
                    + "/order; exit 0\" TERM; while :; do sleep 0.1; done"));
            boot.unit("web.service", service("Web", "Requires=db.service\nAfter=db.service", "echo web listening; trap \"echo web-stopped >> "
                    + marks + "/order; exit 0\" TERM; while :; do sleep 0.1; done"));
            // A double fork leaves an orphan, which PID 1 inherits and must reap when it exits.
            boot.unit("orphans.service", service("Orphan maker", "", "( (sleep 0.3; touch " + marks
                    + "/orphan-done) & ); exec sleep 1000"));
            // A process that belongs to no unit: shutdown's SIGTERM to everyone must reach it.
            boot.start("setsid sh -c 'trap \"echo stray-terminated > " + marks + "/stray; exit 0\" TERM; while :; do sleep 0.1; done' &");
            boot.awaitConsole("web.service: web listening");
            boot.awaitConsole("db.service: db ready");

            // The steps, in order, each with its time since boot.
            String[] steps = {"jinit boot: PID 1", "stdio on", "proc already mounted on /proc", "mounted tmpfs on /dev/shm",
                    "kernel command line: console=ttyS0 quiet hostname=boot-test", "hostname set to boot-test",
                    "loopback interface up", "modules:", "supervising " + boot.units, "Started Database", "Started Web"};
            int last = -1;
            for (String step : steps) {
                int at = boot.indexOf(step);
                assertTrue(at > last, "'" + step + "' comes after the step before it\n" + boot.console());
                last = at;
            }
            assertTrue(boot.console().lines().filter(l -> l.contains("jinit:")).allMatch(l -> l.matches("\\[ *\\d+\\.\\d{6}\\] .*")),
                    "every jinit line carries the time since boot\n" + boot.console());

            JinitBoot.Client status = boot.client("status");
            assertEquals(0, status.code(), status.err());
            assertTrue(status.out().contains("web.service"), status.out());
            boot.await("the orphan's end", () -> Files.exists(marks.resolve("orphan-done")));
            boot.await("no unreaped child of PID 1", () -> {
                try {
                    return boot.zombieChildrenOfInit().isEmpty();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            boot.signalInit(Signals.SIGUSR2);
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
            String console = boot.console();
            assertTrue(console.contains("poweroff requested"), console);
            assertEquals("web-stopped\ndb-stopped\n", Files.readString(marks.resolve("order")),
                    "units stop in reverse dependency order\n" + console);
            assertTrue(boot.indexOf("all units stopped") < boot.indexOf("remaining process(es)"), console);
            assertEquals("stray-terminated\n", Files.readString(marks.resolve("stray")), console);
            assertTrue(console.contains("unmounted /dev/shm"), console);
            assertTrue(boot.indexOf("synced filesystems") < boot.indexOf("powering off"), console);
        }
    }

    /**
     * daemon-reexec of PID 1 (issue 12): the same process executes itself anew, its units keep their
     * processes (still its children), the boot steps are not done twice, and the shutdown after it still
     * unmounts what the first image mounted.
     */
    @Test
    void daemonReexecKeepsTheUnitsAndTheShutdownStaysWhole() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("reexec")) {
            boot.unit("steady.service", service("Steady", "", "echo steady up; while :; do sleep 0.1; done"));
            boot.start(null);
            boot.awaitConsole("steady.service: steady up");
            JinitBoot.Client first = boot.client("status", "steady");
            int before = RunIntegrationTest.mainPid(new JinitRun.Client(first.code(), first.out(), first.err()));
            JinitBoot.Client r = boot.client("daemon-reexec");
            assertEquals(0, r.code(), r.err() + "\n" + boot.console());
            boot.awaitConsole("Took over Steady (steady.service), main PID " + before);
            assertTrue(boot.console().contains("mounts, hostname, loopback and modules were done before"), boot.console());
            assertEquals(1, boot.console().split("mounted tmpfs on /dev/shm", -1).length - 1, "mounted once\n" + boot.console());
            JinitBoot.Client status = boot.client("status", "steady");
            assertTrue(status.out().contains("Main PID: " + before), status.out());

            boot.signalInit(Signals.SIGUSR2);
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
            assertTrue(boot.console().contains("Stopped Steady"), boot.console());
            assertTrue(boot.console().contains("unmounted /dev/shm"), boot.console());
        }
    }

    @Test
    void unitIgnoringSigtermDoesNotHoldShutdownPastItsTimeout() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("stubborn")) {
            boot.unit("stubborn.service", service("Stubborn", "", "trap \"\" TERM; echo ignoring TERM; while :; do sleep 0.1; done")
                    .replace("TimeoutStopSec=3", "TimeoutStopSec=1"));
            boot.start(null);
            boot.awaitConsole("stubborn.service: ignoring TERM");
            boot.signalInit(Signals.SIGTERM);
            assertEquals(REBOOT_STATUS, boot.awaitEnd(), boot.console());
            String console = boot.console();
            assertTrue(console.contains("reboot requested"), console);
            assertTrue(console.contains("rebooting"), console);
            assertTrue(boot.indexOf("all units stopped") < boot.indexOf("rebooting"), console);
        }
    }

    @Test
    void brokenUnitFileLeavesTheOthersRunningAndPid1Up() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("broken")) {
            boot.unit("good.service", service("Good", "", "echo good is up; exec sleep 1000"));
            boot.unit("broken.service", "[Service]\nExecStart=/bin/true\nRestart=sometimes\nType=nonsense\n"
                    + "[Install]\nWantedBy=multi-user.target\n");
            boot.unit("garbage.service", "this is not a unit file\n\u0000\u0001\n[Service\n");
            // A unit that sends its output to the console itself gets no copy (and no prefix) from jinit.
            boot.unit("direct.service", service("Direct", "", "echo straight to the console; exec sleep 1000")
                    .replace("[Service]", "[Service]\nStandardOutput=console"));
            boot.start(null);
            boot.awaitConsole("good.service: good is up");
            boot.awaitConsole("straight to the console");
            assertTrue(!boot.console().contains("direct.service: straight"), boot.console());
            boot.awaitConsole("broken.service");
            JinitBoot.Client status = boot.client("status", "good");
            assertEquals(0, status.code(), status.out() + status.err() + boot.console());
            assertTrue(status.out().contains("active (running)"), status.out());
            // Shutdown over the control socket, answered before jinit goes down.
            JinitBoot.Client off = boot.client("poweroff");
            assertEquals(0, off.code(), off.err());
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
            assertTrue(boot.console().contains("poweroff asked for over the control socket"), boot.console());
        }
    }

    @Test
    void missingUnitDirectorySaysSoAndWaitsForShutdown() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("nounits")) {
            boot.start(null, "--units", boot.root.resolve("does-not-exist").toString());
            boot.awaitConsole("no units running: " + boot.root.resolve("does-not-exist"));
            boot.awaitConsole("waiting for a shutdown request");
            // PID 1 is up and answers; it says why it has no units.
            JinitBoot.Client status = boot.client("status");
            assertTrue(status.err().contains("does-not-exist"), status + "\n" + boot.console());
            assertEquals(0, boot.client("halt").code());
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
            assertTrue(boot.console().contains("halting"), boot.console());
        }
    }

    @Test
    void consoleOutputCanBeTurnedOff() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("quiet")) {
            Files.writeString(boot.cmdline, "jinit.console_output=no\n");
            boot.unit("chatty.service", service("Chatty", "", "echo chatty line; echo done > " + boot.root + "/said; exec sleep 1000"));
            boot.start(null);
            boot.awaitConsole("Started Chatty");
            boot.await("the unit wrote its line", () -> Files.exists(boot.root.resolve("said")));
            JinitBoot.Client logs = boot.client("logs", "chatty");
            assertTrue(logs.out().contains("chatty line"), "the line is in the unit's log: " + logs.out());
            assertTrue(!boot.console().contains("chatty.service: chatty line"), boot.console());
            boot.signalInit(Signals.SIGPWR);
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
        }
    }

    @Test
    void consoleShellIsASessionLeaderOnItsTtyReachesTheControlSocketAndComesBack() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("shell"); Pty pty = Pty.open()) {
            Fcntl.setNonBlocking(pty.master().get());
            String tty = pty.slave().toString().substring("/dev/".length());
            Files.writeString(boot.cmdline, "jinit.shell=" + tty + "\n");
            boot.unit("hello.service", service("Hello", "", "echo hello from the unit; exec sleep 1000"));
            Path client = boot.clientScript();
            boot.start(null);
            boot.awaitConsole("started console shell on " + pty.slave());
            boot.awaitConsole("hello.service: hello from the unit");
            StringBuilder screen = new StringBuilder();
            // pgrp, session and the terminal's foreground group, read by the shell itself (builtins only).
            type(pty, "read -r p c s pp g sid tty tpg rest < /proc/$$/stat; echo \"ids $$ $g $sid $tpg\"\n");
            String ids = awaitScreen(boot, pty, screen, "ids (\\d+) (\\d+) (\\d+) (\\d+)");
            String[] f = ids.split(" ");
            assertEquals(f[1], f[2], "the shell leads its own process group: " + ids);
            assertEquals(f[1], f[3], "and its own session: " + ids);
            assertEquals(f[1], f[4], "its group is the terminal's foreground group: " + ids);
            type(pty, client + " logs --state " + boot.state + " hello\n");
            awaitScreen(boot, pty, screen, "hello from the unit");
            // daemon-reexec keeps the shell (still PID 1's child): followed by the new image, not doubled.
            assertEquals(0, boot.client("daemon-reexec").code(), boot.console());
            boot.awaitConsole("kept console shell on " + pty.slave() + " (pid " + f[1] + ") across the re-exec");
            type(pty, "echo \"still $$\"\n");
            awaitScreen(boot, pty, screen, "still " + f[1]);
            type(pty, "exit\n");
            boot.await("the shell started again", () -> boot.console().split("started console shell", -1).length == 3);
            assertTrue(boot.console().contains("), starting it again"), boot.console());
            assertEquals(0, boot.client("poweroff").code());
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
        }
    }

    private static void type(Pty pty, String text) {
        Posix.writeFully(pty.master().get(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the terminal until a line matches {@code regex}; returns the match. */
    private static String awaitScreen(JinitBoot boot, Pty pty, StringBuilder screen, String regex) throws Exception {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + JinitBoot.DEADLINE_NANOS;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            while (true) {
                Matcher m = p.matcher(screen);
                // The shell echoes what was typed: only its output counts, on a line of its own.
                while (m.find()) {
                    int lineStart = screen.lastIndexOf("\n", m.start()) + 1;
                    if (!screen.substring(lineStart, m.start()).contains("echo") && !screen.substring(lineStart, m.start()).contains("logs"))
                        return m.group();
                }
                long n;
                try {
                    n = Posix.read(pty.master().get(), buf, 4096);
                } catch (LinuxException e) {
                    n = -1; // EIO while no shell has the slave open (between two shells)
                }
                if (n > 0) screen.append(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                else Thread.sleep(20);
                if (System.nanoTime() > deadline)
                    throw new AssertionError("the terminal never showed /" + regex + "/:\n" + screen + "\n--- console\n" + boot.console());
            }
        }
    }

    @Test
    void httpApiFromTheCommandLinePowersOff() throws Exception {
        try (JinitBoot boot = JinitBoot.layout("api")) {
            Files.writeString(boot.cmdline, "jinit.api=127.0.0.1:0\n");
            boot.unit("idle.service", service("Idle", "", "exec sleep 1000"));
            boot.start(null);
            Path address = boot.state.resolve("api.address");
            boot.await("the API's address", () -> Files.exists(address));
            String url = Files.readString(address).strip();
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url + (url.endsWith("/") ? "" : "/") + "api/v1/system/poweroff"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.body());
            assertEquals(POWEROFF_STATUS, boot.awaitEnd(), boot.console());
        }
    }

    @Test
    void jinitRunRefusesToPowerOffTheMachine() throws Exception {
        JinitRun run = JinitRun.layout("nopoweroff");
        run.unit("idle.service", service("Idle", "", "exec sleep 1000"));
        try (JinitRun running = run.start()) {
            JinitRun.Client off = running.client("poweroff");
            assertEquals(1, off.code(), off.toString());
            assertTrue(off.err().contains("poweroff is for jinit as PID 1"), off.toString());
            assertEquals(0, running.client("status").code(), "jinit run is still there");
            assertEquals(0, running.terminate());
        }
    }
}
