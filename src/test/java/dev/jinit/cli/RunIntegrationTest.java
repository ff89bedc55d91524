package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jinit run} as a real JVM supervising real processes, driven by the real client commands.
 * Every wait is a poll with a deadline (see {@link JinitRun#await}).
 */
class RunIntegrationTest {
    static final String PYTHON = "/usr/bin/python3";

    /**
     * A notify-protocol service in Python: {@code ready SECONDS} touches {@code MARKER} and says READY=1
     * after that long, then idles; {@code silent} says READY=1 and never pings the watchdog.
     */
    static final String NOTIFY_PY = """
            import os, socket, sys, time
            def send(msg):
                addr = os.environ["NOTIFY_SOCKET"]
                if addr.startswith("@"):
                    addr = "\\0" + addr[1:]
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.connect(addr)
                s.send(msg.encode())
                s.close()
            mode = sys.argv[1]
            if mode == "ready":
                time.sleep(float(sys.argv[2]))
                open(sys.argv[3], "w").close()
                send("READY=1\\nSTATUS=serving")
            elif mode == "silent":
                send("READY=1")
            elif mode == "send":
                send(sys.argv[2])
                # Stay a moment, like systemd-notify's users must: jinit checks that the sender belongs
                # to the unit when the message is handled, and a sender that is gone belongs to nobody.
                time.sleep(1)
                sys.exit(0)
            print("notify service up", flush=True)
            while True:
                time.sleep(1)
            """;

    static Path script(JinitRun j, String name, String text) throws Exception {
        Path p = j.root.resolve(name);
        Files.writeString(p, text);
        p.toFile().setExecutable(true);
        return p;
    }

    static int mainPid(JinitRun.Client status) {
        Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(status.out());
        assertTrue(m.find(), status.toString());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void readinessOrderingOneshotDirectoriesStatusAndLogs() throws Exception {
        JinitRun layout = JinitRun.layout("ready");
        Path py = script(layout, "notify.py", NOTIFY_PY);
        Path marker = layout.root.resolve("db-ready");
        layout.unit("db.service", """
                [Unit]
                Description=Database (notify)
                [Service]
                Type=notify
                ExecStart=%s %s ready 1.0 %s
                [Install]
                WantedBy=multi-user.target
                """.formatted(PYTHON, py, marker));
        // web's ExecStartPre fails unless db said READY=1 first: After= must wait for readiness.
        layout.unit("web.service", """
                [Unit]
                Description=Web front
                Requires=db.service
                After=db.service
                [Service]
                Environment=GREETING=hello "WHO=the world"
                ExecStartPre=/bin/test -e %s
                ExecStart=/bin/sh -c 'echo "$GREETING $WHO"; echo to-stderr >&2; exec sleep 1000'
                [Install]
                WantedBy=multi-user.target
                """.formatted(marker));
        layout.unit("setup.service", """
                [Unit]
                Description=One-time setup
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                StateDirectory=demo
                ExecStart=/bin/sh -c 'echo done > "$STATE_DIRECTORY/setup"'
                ExecStart=/bin/echo second step
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("idle.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                """);
        try (JinitRun j = layout.start()) {
            JinitRun.Client web = j.awaitStatus("web", "active (running)");
            JinitRun.Client db = j.client("status", "db");
            assertTrue(db.out().contains("active (running)"), db.toString());
            assertTrue(db.out().contains("Status: \"serving\""), db.toString());
            assertTrue(j.awaitStatus("setup", "active (exited)").out().contains("active (exited)"));
            assertEquals("done\n", Files.readString(j.stateBase.resolve("demo/setup")));

            JinitRun.Client list = j.client("status");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().matches("(?s).*idle\\.service\\s+loaded\\s+inactive\\s+dead.*"), list.toString());
            assertEquals(3, j.client("status", "idle").code(), "an inactive unit's status exits 3");
            assertEquals(4, j.client("status", "nope").code(), "an unknown unit's status exits 4");
            JinitRun.Client json = j.client("status", "--json");
            assertTrue(json.out().contains("\"units\"") && json.out().contains("\"name\":\"web.service\""), json.toString());

            j.await("web's output in its log", () -> {
                JinitRun.Client logs = j.client("logs", "-n", "20", "web");
                return logs.out().contains("hello the world") && logs.out().contains("to-stderr");
            });
            assertTrue(Files.readString(j.state.resolve("logs/web.service.log")).contains("stderr to-stderr"));

            // stop and start on request; a stop never restarts
            int webPid = mainPid(web);
            assertEquals(0, j.client("stop", "web").code());
            assertFalse(JinitRun.alive(webPid));
            assertTrue(j.client("status", "web").out().contains("inactive (dead)"));
            assertTrue(j.client("status", "db").out().contains("active (running)"), "stopping web leaves db alone");
            JinitRun.Client start = j.client("start", "web");
            assertEquals(0, start.code(), start.toString());

            int dbPid = mainPid(j.client("status", "db"));
            assertEquals(0, j.terminate(), j.output());
            assertFalse(JinitRun.alive(dbPid), "SIGTERM stops every unit before jinit exits");
        }
    }

    @Test
    void crashLoopBacksOffThenHitsTheStartLimit() throws Exception {
        JinitRun layout = JinitRun.layout("crash");
        layout.unit("crashy.service", """
                [Unit]
                Description=Crashes at once
                StartLimitIntervalSec=60
                StartLimitBurst=3
                [Service]
                ExecStart=/bin/sh -c 'echo crashing; exit 3'
                Restart=on-failure
                RestartSec=200ms
                RestartSteps=2
                RestartMaxDelaySec=600ms
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("steady.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            JinitRun.Client s = j.awaitStatus("crashy", "failed (Result: start-limit-hit)");
            // as systemd counts: the third restart is counted, then refused by the start limit
            assertTrue(s.out().contains("Restarts: 3"), s.toString());
            assertEquals(3, s.code());
            assertTrue(j.client("status", "steady").out().contains("active (running)"), "other units are not affected");
            JinitRun.Client logs = j.client("logs", "-n", "100", "crashy");
            assertEquals(3, logs.out().split("crashing", -1).length - 1, logs.toString());
            // reset-failed clears the limit: the unit can start (and crash) again
            assertEquals(0, j.client("reset-failed", "crashy").code());
            assertTrue(j.client("status", "crashy").out().contains("inactive (dead)"));
            // Type=simple counts as started once spawned (as in systemd), so the start itself succeeds...
            assertEquals(0, j.client("start", "crashy").code());
            // ...and the crash loop runs into the limit again.
            j.await("a second round of crashes", () -> j.client("logs", "-n", "200", "crashy").out().split("crashing", -1).length - 1 == 6);
            j.awaitStatus("crashy", "failed (Result: start-limit-hit)");
        }
    }

    /** With the unit's cgroup, and with the fallback (process groups plus descendants from /proc). */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stopKillsEveryProcessOfTheUnitAndNeverRestarts(boolean cgroup) throws Exception {
        JinitRun layout = JinitRun.layout("kill");
        Path childPid = layout.root.resolve("child.pid");
        Path child = script(layout, "stubborn.sh", """
                #!/bin/sh
                trap '' TERM
                echo $$ > %s
                while :; do sleep 0.2; done
                """.formatted(childPid));
        layout.unit("stubborn.service", """
                [Service]
                ExecStart=/bin/sh -c '%s & exec sleep 1000'
                Restart=always
                RestartSec=100ms
                TimeoutStopSec=2
                [Install]
                WantedBy=multi-user.target
                """.formatted(child));
        try (JinitRun j = cgroup ? layout.start() : layout.start("--no-cgroup")) {
            JinitRun.Client s = j.awaitStatus("stubborn", "active (running)");
            j.await("the child's pid file", () -> Files.exists(childPid) && !readOrEmpty(childPid).isBlank());
            int main = mainPid(s);
            int pid = Integer.parseInt(readOrEmpty(childPid).trim());
            JinitRun.Client stop = j.client("stop", "stubborn");
            assertEquals(0, stop.code(), stop.toString());
            assertFalse(JinitRun.alive(main));
            assertFalse(JinitRun.alive(pid), "a child ignoring SIGTERM is SIGKILLed after TimeoutStopSec");
            // Restart=always must not restart a unit that was stopped on request.
            j.holds("stubborn stays down", 1500, () -> {
                String now = j.client("status", "stubborn").out();
                return now.contains("inactive (dead)") || now.contains("failed");
            });
        }
    }

    static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void forkingServiceIsTrackedThroughItsPidFile() throws Exception {
        JinitRun layout = JinitRun.layout("forking");
        Path pidFile = layout.root.resolve("run/forky/daemon.pid");
        layout.unit("forky.service", """
                [Service]
                Type=forking
                RuntimeDirectory=forky
                PIDFile=%s
                ExecStart=/bin/sh -c 'sleep 1000 & echo $! > "$RUNTIME_DIRECTORY/daemon.pid"'
                [Install]
                WantedBy=multi-user.target
                """.formatted(pidFile));
        try (JinitRun j = layout.start()) {
            JinitRun.Client s = j.awaitStatus("forky", "active (running)");
            int main = mainPid(s);
            assertEquals(Integer.parseInt(Files.readString(pidFile).trim()), main);
            assertTrue(JinitRun.alive(main));
            assertEquals(0, j.client("stop", "forky").code());
            assertFalse(JinitRun.alive(main));
            assertFalse(Files.exists(pidFile.getParent()), "RuntimeDirectory= is removed when the unit stops");
        }
    }

    @Test
    void sigtermStopsUnitsInReverseOrderAndSighupReloads() throws Exception {
        JinitRun layout = JinitRun.layout("order");
        Path order = layout.root.resolve("order");
        layout.unit("first.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                ExecStop=/bin/sh -c 'echo first >> %s'
                [Install]
                WantedBy=multi-user.target
                """.formatted(order));
        layout.unit("second.service", """
                [Unit]
                Requires=first.service
                After=first.service
                [Service]
                ExecStart=/bin/sleep 1000
                ExecStop=/bin/sh -c 'echo second >> %s'
                [Install]
                WantedBy=multi-user.target
                """.formatted(order));
        try (JinitRun j = layout.start()) {
            j.awaitStatus("second", "active (running)");
            // SIGHUP: a changed unit is marked, a new one appears, nothing running is touched
            int firstPid = mainPid(j.client("status", "first"));
            layout.unit("first.service", """
                    [Service]
                    ExecStart=/bin/sleep 2000
                    ExecStop=/bin/sh -c 'echo first >> %s'
                    [Install]
                    WantedBy=multi-user.target
                    """.formatted(order));
            layout.unit("third.service", "[Service]\nExecStart=/bin/sleep 1000\n");
            Posix.kill(j.pid(), Signals.SIGHUP);
            j.await("third.service loaded", () -> j.client("status", "third").out().contains("loaded"));
            JinitRun.Client first = j.client("status", "first");
            assertTrue(first.out().contains("changed on disk"), first.toString());
            assertEquals(firstPid, mainPid(first));
            // the same through the control socket
            layout.unit("fourth.service", "[Service]\nExecStart=/bin/sleep 1000\n");
            assertEquals(0, j.client("daemon-reload").code());
            assertTrue(j.client("status", "fourth").out().contains("loaded"));
            assertEquals(0, j.terminate(), j.output());
            assertEquals("second\nfirst\n", Files.readString(order), "stop in reverse dependency order");
        }
    }

    @Test
    void aSecondJinitOnTheSameStateDirectoryIsRefused() throws Exception {
        JinitRun layout = JinitRun.layout("second");
        Path py = script(layout, "notify.py", NOTIFY_PY);
        layout.unit("late.service", """
                [Service]
                Type=notify
                ExecStart=%s %s ready 0 %s
                """.formatted(PYTHON, py, layout.root.resolve("late-ready")));
        try (JinitRun j = layout.start()) {
            Path out = layout.root.resolve("second.out");
            assertEquals(1, layout.runToEnd(out), Files.readString(out));
            assertTrue(Files.readString(out).contains("another jinit is running"), Files.readString(out));
            // The first one's notify socket is intact: a notify unit still gets ready.
            assertEquals(0, j.client("start", "late").code());
            assertTrue(j.client("status", "late").out().contains("active (running)"));
        }
    }

    @Test
    void aMainPidThatIsNotJinitsChildIsSeenEnding() throws Exception {
        JinitRun layout = JinitRun.layout("foreign");
        Path py = script(layout, "notify.py", NOTIFY_PY);
        Path pidFile = layout.root.resolve("worker.pid");
        // The shell starts a worker, names it the main process, and stays alive as its parent: the
        // worker's end never reaches jinit's reaper.
        layout.unit("foreign.service", """
                [Service]
                Type=notify
                NotifyAccess=all
                ExecStart=/bin/sh -c 'sleep 1000 & echo $$! > %s; %s %s send "READY=1\\nMAINPID=$$!"; while :; do sleep 0.2; done'
                [Install]
                WantedBy=multi-user.target
                """.formatted(pidFile, PYTHON, py));
        try (JinitRun j = layout.start()) {
            JinitRun.Client s = j.awaitStatus("foreign", "active (running)");
            int worker = Integer.parseInt(Files.readString(pidFile).trim());
            assertEquals(worker, mainPid(s), s.toString());
            Posix.kill(worker, Signals.SIGKILL);
            j.awaitStatus("foreign", "inactive (dead)");
            assertTrue(j.client("logs", "-n", "20", "foreign").out().contains("not a child of jinit"));
        }
    }

    @Test
    void watchdogKillsAndRestartsASilentService() throws Exception {
        JinitRun layout = JinitRun.layout("watchdog");
        Path py = script(layout, "notify.py", NOTIFY_PY);
        layout.unit("silent.service", """
                [Service]
                Type=notify
                ExecStart=%s %s silent
                WatchdogSec=1
                Restart=on-watchdog
                RestartSec=100ms
                [Install]
                WantedBy=multi-user.target
                """.formatted(PYTHON, py));
        try (JinitRun j = layout.start()) {
            j.await("a watchdog restart", () -> j.client("status", "silent").out().contains("Restarts: 1"));
            j.await("the watchdog note in the log", () -> j.client("logs", "-n", "50", "silent").out().contains("Watchdog"));
        }
    }

    @Test
    void badUnitsAreReportedAndTheOthersRun() throws Exception {
        JinitRun layout = JinitRun.layout("bad");
        layout.unit("broken.service", """
                [Service]
                Type=sometimes
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("odd.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                FancyNewDirective=yes
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("missing.service", """
                [Service]
                ExecStart=/nonexistent/program
                [Install]
                WantedBy=multi-user.target
                """);
        try (JinitRun j = layout.start()) {
            JinitRun.Client odd = j.awaitStatus("odd", "active (running)");
            assertTrue(odd.out().contains("FancyNewDirective"), odd.toString());
            JinitRun.Client broken = j.client("status", "broken");
            assertTrue(broken.out().contains("bad-setting") && broken.out().contains("broken.service:2"), broken.toString());
            assertTrue(broken.out().contains("failed"), "wanted at startup, so shown as failed: " + broken);
            JinitRun.Client start = j.client("start", "broken");
            assertTrue(start.code() != 0 && start.err().contains("broken.service"), start.toString());
            JinitRun.Client missing = j.awaitStatus("missing", "failed");
            assertTrue(j.client("logs", "-n", "20", "missing").out().contains("/nonexistent/program"), missing.toString());
            assertTrue(j.output().contains("FancyNewDirective"), "unsupported directives are reported with file:line");
        }
    }

    /** The README's demo: every unit reaches the state it is there to show. */
    @Test
    void theExampleUnitsRun() throws Exception {
        JinitRun layout = JinitRun.layout("examples");
        try (var files = Files.list(Path.of("examples/units"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".service")).toList())
                layout.unit(f.getFileName().toString(), Files.readString(f));
        }
        // The demo's paths are relative to the repository root, which is this JVM's (and so jinit's) cwd.
        try (JinitRun j = layout.start()) {
            JinitRun.Client db = j.awaitStatus("demo-db", "active (running)");
            assertTrue(db.out().contains("accepting connections"), db.toString());
            j.awaitStatus("demo-web", "active (running)");
            j.awaitStatus("demo-setup", "active (exited)");
            assertTrue(Files.exists(j.stateBase.resolve("jinit-demo/installed-at")));
            j.await("demo-flaky restarting", () -> j.client("status", "demo-flaky").out().contains("Restarts: 1"));
            assertEquals(0, j.client("reload", "demo-web").code());
            j.await("demo-web reloaded", () -> j.client("logs", "-n", "50", "demo-web").out().contains("reloading configuration"));
            assertEquals(0, j.terminate(), j.output());
        }
    }
}
