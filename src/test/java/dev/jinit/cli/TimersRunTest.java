package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Timers, OnFailure=, standard targets and masking under a real {@code jinit run}: a timer with OnActiveSec=1s
 * starts its oneshot service, {@code list-timers} shows it and Debian's own timers with their next elapse,
 * {@code is-active}/{@code is-failed} answer as systemctl, a failed unit starts its OnFailure= unit, and a masked
 * unit refuses to start with systemd's words.
 */
class TimersRunTest {
    private static final List<String> DEBIAN_TIMERS = List.of("apt-daily.timer", "man-db.timer", "e2scrub_all.timer",
            "fstrim.timer", "dpkg-db-backup.timer");

    @Test
    void aShortTimerFiresItsServiceAndListTimersShowsEveryTimer() throws Exception {
        JinitRun layout = JinitRun.layout("timers");
        Path ticks = layout.root.resolve("ticks");
        Path rescued = layout.root.resolve("rescued");
        layout.unit("tick.timer", """
                [Unit]
                Description=Tick once, a second after start
                [Timer]
                OnActiveSec=1s
                AccuracySec=1ms
                [Install]
                WantedBy=timers.target
                """);
        layout.unit("tick.service", """
                [Service]
                Type=oneshot
                ExecStart=/bin/sh -c 'echo tick >> %s'
                """.formatted(ticks));
        layout.unit("nightly.timer", """
                [Timer]
                OnCalendar=*-*-* 03:00:00
                Unit=tick.service
                [Install]
                WantedBy=timers.target
                """);
        layout.unit("broken.service", """
                [Unit]
                OnFailure=rescue-me.service
                [Service]
                ExecStart=/bin/false
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("rescue-me.service", """
                [Service]
                Type=oneshot
                ExecStart=/bin/touch %s
                """.formatted(rescued));
        Files.createSymbolicLink(layout.units.resolve("masked.service"), Path.of("/dev/null"));
        List<String> debian = DEBIAN_TIMERS.stream().filter(n -> Files.isRegularFile(Path.of("/lib/systemd/system", n))).toList();
        for (String n : debian) Files.copy(Path.of("/lib/systemd/system", n), layout.units.resolve(n));
        try (JinitRun j = layout.start()) {
            j.await("tick.service to run once", () -> Files.exists(ticks));
            j.awaitStatus("tick.timer", "active (elapsed)");
            assertEquals(List.of("tick"), Files.readAllLines(ticks));
            j.await("OnFailure= to start rescue-me.service", () -> Files.exists(rescued));
            assertTrue(j.client("status", "broken").out().contains("failed"));

            JinitRun.Client timers = j.client("list-timers");
            assertEquals(0, timers.code(), timers.toString());
            String[] lines = timers.out().split("\n");
            assertTrue(lines[0].matches("NEXT +LEFT +LAST +PASSED +UNIT +ACTIVATES"), timers.toString());
            String tick = row(lines, "tick.timer"), nightly = row(lines, "nightly.timer");
            assertTrue(tick.matches("- +- +\\w{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ +\\d+\\S* ago +tick.timer +tick.service"), tick);
            assertTrue(nightly.matches("\\w{3} \\d{4}-\\d\\d-\\d\\d 03:00:00 \\S+ +\\S.* +- +- +nightly.timer +tick.service"), nightly);
            for (String n : debian) {
                String row = row(lines, n);
                assertTrue(row.matches("\\w{3} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ +\\S.* +- +- +" + n.replace(".", "\\.") + " +"
                        + n.replace(".timer", "\\.service")), row);
                assertTrue(j.client("status", n).out().contains("active (waiting)"), n);
            }
            assertTrue(timers.out().endsWith((2 + debian.size()) + " timers listed.\n"), timers.toString());

            JinitRun.Client active = j.client("is-active", "nightly.timer");
            assertEquals(new JinitRun.Client(0, "active\n", ""), active);
            assertEquals(3, j.client("is-active", "broken").code());
            assertEquals(0, j.client("is-failed", "broken").code());
            assertEquals(1, j.client("is-failed", "nightly.timer").code());
            // The standard targets are there without files, reached.
            assertTrue(j.client("status", "timers.target").out().contains("active"), j.client("status", "timers.target").toString());
            assertEquals(0, j.client("is-active", "multi-user.target", "sysinit.target").code());

            JinitRun.Client masked = j.client("start", "masked");
            assertEquals(1, masked.code(), masked.toString());
            assertTrue(masked.err().contains("Unit masked.service is masked."), masked.toString());
        }
    }

    private static String row(String[] lines, String unit) {
        for (String l : lines) if (l.contains(" " + unit + " ")) return l;
        throw new AssertionError("no row for " + unit + " in\n" + String.join("\n", lines));
    }

    private static JinitRun.Client main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new JinitRun.Client(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unitFileCommandsWorkOnTheDirectoryAsSystemctlDoes() throws Exception {
        JinitRun layout = JinitRun.layout("unitfiles");
        Path u = layout.units;
        layout.unit("web.service", "[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\nAlias=www.service\n");
        Files.createDirectories(u.resolve("web.service.d"));
        Files.writeString(u.resolve("web.service.d/10-env.conf"), "[Service]\nEnvironment=A=1\n");
        layout.unit("plain.service", "[Service]\nExecStart=/bin/true\n");
        layout.unit("bad.service", "[Service]\nExecStart=/bin/true\nRestart=sometimes\n");
        layout.unit("missing-exe.service", "[Service]\nExecStart=/nonexistent/jinit-daemon\n");
        String dir = u.toString();

        JinitRun.Client cat = main("cat", "--units", dir, "web");
        assertEquals(0, cat.code(), cat.toString());
        assertEquals("# " + u.resolve("web.service") + "\n" + Files.readString(u.resolve("web.service")) + "\n# "
                + u.resolve("web.service.d/10-env.conf") + "\n[Service]\nEnvironment=A=1\n", cat.out());
        JinitRun.Client builtin = main("cat", "--units", dir, "network.target");
        assertTrue(builtin.out().startsWith("# <built-in>/network.target\n[Unit]\nDescription=Network\n"), builtin.toString());
        assertEquals(1, main("cat", "--units", dir, "nope").code());

        assertEquals(new JinitRun.Client(1, "disabled\n", ""), main("is-enabled", "--units", dir, "web"));
        assertEquals(new JinitRun.Client(0, "static\n", ""), main("is-enabled", "--units", dir, "plain"));
        JinitRun.Client enable = main("enable", "--units", dir, "web");
        assertEquals(0, enable.code(), enable.toString());
        assertTrue(Files.isSymbolicLink(u.resolve("multi-user.target.wants/web.service")));
        assertTrue(Files.isSymbolicLink(u.resolve("www.service")));
        assertTrue(enable.out().contains("Created symlink " + u.resolve("multi-user.target.wants/web.service")), enable.toString());
        assertEquals(new JinitRun.Client(0, "enabled\n", ""), main("is-enabled", "--units", dir, "web"));
        JinitRun.Client list = main("list-unit-files", "--units", dir);
        assertTrue(list.out().matches("(?s)UNIT FILE +STATE\n.*web\\.service +enabled\n.*"), list.toString());
        assertTrue(list.out().contains("www.service") && list.out().matches("(?s).*www\\.service +alias\n.*"), list.toString());
        assertTrue(list.out().matches("(?s).*plain\\.service +static\n.*"), list.toString());
        assertEquals(0, main("disable", "--units", dir, "web").code());
        assertTrue(Files.notExists(u.resolve("multi-user.target.wants/web.service")));
        assertEquals("disabled\n", main("is-enabled", "--units", dir, "web").out());

        assertEquals(0, main("mask", "--units", dir, "other.service").code());
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(u.resolve("other.service")));
        assertEquals("masked\n", main("is-enabled", "--units", dir, "other").out());
        JinitRun.Client maskFile = main("mask", "--units", dir, "plain");
        assertEquals(1, maskFile.code());
        assertTrue(maskFile.err().contains("already exists"), maskFile.toString());
        assertEquals(0, main("unmask", "--units", dir, "other").code());
        assertTrue(Files.notExists(u.resolve("other.service"), java.nio.file.LinkOption.NOFOLLOW_LINKS));

        JinitRun.Client ok = main("verify", u.resolve("plain.service").toString());
        assertEquals(new JinitRun.Client(0, "", ""), ok);
        JinitRun.Client bad = main("verify", u.resolve("bad.service").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(u.resolve("bad.service") + ":3: Restart=sometimes: "), bad.toString());
        JinitRun.Client exe = main("verify", u.resolve("missing-exe.service").toString());
        assertEquals(1, exe.code());
        assertTrue(exe.err().contains("Command /nonexistent/jinit-daemon is not executable: No such file or directory"), exe.toString());
    }
}
