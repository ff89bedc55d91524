package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.cli.JinitExec.Mode;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tini behaviours of {@code jinit exec}, each in both modes: as a child subreaper below the
 * test, and as PID 1 of a PID namespace ({@code unshare --pid --fork --mount-proc}). Child-side
 * checks are bash scripts that write what they see to files in the test's temp dir.
 */
class ExecModeTest {
    @TempDir Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/bash\ndir=\"$1\"\n" + body);
        return p;
    }

    private static List<String> bash(Path script, Path dir) {
        return List.of("--", "/bin/bash", script.toString(), dir.toString());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void childsExitCodeIsJinitsExitCode(Mode mode) throws Exception {
        for (int code : new int[] {0, 1, 42, 255}) {
            try (JinitExec j = JinitExec.start(mode, dir, List.of("--", "/bin/sh", "-c", "exit " + code))) {
                assertEquals(code, j.exitCode(), j.diagnostics());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void childKilledBySignalNGives128PlusN(Mode mode) throws Exception {
        for (String sig : new String[] {"KILL", "USR1", "TERM"}) {
            try (JinitExec j = JinitExec.start(mode, dir, List.of("--", "/bin/sh", "-c", "kill -" + sig + " $$"))) {
                assertEquals(128 + Signals.parse(sig), j.exitCode(), j.diagnostics());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void signalsAreForwardedToTheChild(Mode mode) throws Exception {
        List<String> forwarded = List.of("INT", "HUP", "USR1", "USR2", "WINCH", "CONT", "PWR", "ALRM", "TSTP", "URG",
                "VTALRM", "PROF", "IO", "XCPU", "XFSZ", "STKFLT");
        Path s = script("traps.sh", """
                for s in INT HUP USR1 USR2 WINCH CONT PWR ALRM TSTP URG VTALRM PROF IO XCPU XFSZ STKFLT; do trap "echo $s >> $dir/got" $s; done
                trap 'echo TERM >> $dir/got; kill $sp; exit 0' TERM
                sleep 1000 & sp=$!
                echo ready > $dir/ready
                while :; do wait $sp; done
                """);
        try (JinitExec j = JinitExec.start(mode, dir, bash(s, dir))) {
            JinitExec.awaitFile(dir.resolve("ready"), c -> !c.isEmpty(), JinitExec.DEADLINE);
            int pid = j.jinitPid();
            List<String> expected = new ArrayList<>();
            for (String sig : forwarded) {
                assertTrue(Posix.kill(pid, Signals.parse(sig)));
                expected.add(sig);
                String want = String.join("\n", expected) + "\n";
                JinitExec.awaitFile(dir.resolve("got"), c -> c.equals(want), JinitExec.DEADLINE);
            }
            assertTrue(Posix.kill(pid, Signals.SIGTERM));
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertTrue(Files.readString(dir.resolve("got")).endsWith("TERM\n"));
        }
    }

    /**
     * Started as a shell's background job (SIGINT ignored) or under nohup (SIGHUP ignored), jinit
     * still forwards them: an inherited SIG_IGN would otherwise keep the JVM from installing its
     * handlers, and they would silently never reach the child.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void signalsIgnoredByWhoeverStartedJinitAreStillForwarded(Mode mode) throws Exception {
        Path s = script("traps.sh", """
                for s in INT HUP; do trap "echo $s >> $dir/got" $s; done
                trap 'echo TERM >> $dir/got; kill $sp; exit 0' TERM
                sleep 1000 & sp=$!
                echo ready > $dir/ready
                while :; do wait $sp; done
                """);
        List<String> ignoring = List.of("/bin/sh", "-c", "trap '' INT HUP TERM; exec \"$@\"", "sh");
        try (JinitExec j = JinitExec.start(mode, dir, bash(s, dir), java.util.Map.of(), ignoring)) {
            JinitExec.awaitFile(dir.resolve("ready"), c -> !c.isEmpty(), JinitExec.DEADLINE);
            int pid = j.jinitPid();
            List<String> expected = new ArrayList<>();
            for (String sig : List.of("INT", "HUP", "TERM")) {
                assertTrue(Posix.kill(pid, Signals.parse(sig)));
                expected.add(sig);
                String want = String.join("\n", expected) + "\n";
                JinitExec.awaitFile(dir.resolve("got"), c -> c.equals(want), JinitExec.DEADLINE);
            }
            assertEquals(0, j.exitCode(), j.diagnostics());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void withDashGSignalsGoToTheWholeProcessGroup(Mode mode) throws Exception {
        Path s = script("group.sh", """
                bash -c 'trap "echo grandchild >> $0/got; exit 0" USR1; echo ready > $0/ready; sleep 1000 & wait $!' "$dir" &
                trap 'echo child >> $dir/got' USR1
                trap 'kill $sp; exit 0' TERM
                sleep 1000 & sp=$!
                while :; do wait $sp; done
                """);
        List<String> args = new ArrayList<>(List.of("-g"));
        args.addAll(bash(s, dir));
        try (JinitExec j = JinitExec.start(mode, dir, args)) {
            JinitExec.awaitFile(dir.resolve("ready"), c -> !c.isEmpty(), JinitExec.DEADLINE);
            assertTrue(Posix.kill(j.jinitPid(), Signals.SIGUSR1));
            JinitExec.awaitFile(dir.resolve("got"), c -> c.contains("child\n") && c.contains("grandchild\n"), JinitExec.DEADLINE);
            assertTrue(Posix.kill(j.jinitPid(), Signals.SIGTERM));
            assertEquals(0, j.exitCode(), j.diagnostics());
        }
    }

    /**
     * An inner shell starts 100 sleeps and exits; the child then checks that they were reparented
     * to jinit and waits until none is left with jinit as its parent. A zombie keeps its /proc
     * entry (and its parent) until it is reaped, so that only happens when jinit reaps them.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void orphansAreReparentedToJinitAndReaped(Mode mode) throws Exception {
        Path s = script("orphans.sh", """
                bash -c 'for i in $(seq 100); do sleep 2 & echo $! >> "$0/orphans"; done' "$dir"
                reparented=0
                for p in $(cat $dir/orphans); do
                  if read -r st < /proc/$p/stat 2>/dev/null; then set -- ${st##*) }; [ "$2" = "$PPID" ] && reparented=$((reparented+1)); fi
                done
                deadline=$((SECONDS+25))
                while :; do
                  left=0
                  # an orphan still there (alive or zombie) has jinit as parent; a pid reused by an
                  # unrelated process meanwhile does not, and is not counted
                  for p in $(cat $dir/orphans); do
                    read -r st < /proc/$p/stat 2>/dev/null && set -- ${st##*) } && [ "$2" = "$PPID" ] && left=$((left+1))
                  done
                  [ $left -eq 0 ] || [ $SECONDS -ge $deadline ] && break
                  sleep 0.1
                done
                zombies=$(for p in $(cat $dir/orphans); do read -r st < /proc/$p/stat 2>/dev/null && set -- ${st##*) } && [ "$1" = Z ] && [ "$2" = "$PPID" ] && echo $p; done | wc -l)
                echo "reparented=$reparented left=$left zombies=$zombies" > $dir/report
                """);
        try (JinitExec j = JinitExec.start(mode, dir, bash(s, dir))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            String report = Files.readString(dir.resolve("report")).strip();
            assertTrue(report.endsWith("left=0 zombies=0"), report);
            int reparented = Integer.parseInt(report.replaceAll(".*reparented=(\\d+).*", "$1"));
            assertTrue(reparented > 0, "no orphan was ever reparented to jinit: " + report);
        }
    }

    /**
     * Leftovers get SIGTERM when the child exits, and jinit waits for them: the one in the child's
     * group and one that escaped with setsid (reparented to jinit) each take half a second to stop
     * and write a marker. If jinit did not wait, the markers would be missing when it exits.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void leftoversGetSigtermAndJinitWaitsForThem(Mode mode) throws Exception {
        Path s = script("leftovers.sh", """
                bash -c 'trap "sleep 0.5; echo stopped > $0/in-group; exit 0" TERM; echo $$ > $0/in-group.pid; sleep 1000 & wait $!' "$dir" &
                setsid bash -c 'trap "sleep 0.5; echo stopped > $0/escaped; exit 0" TERM; echo $$ > $0/escaped.pid; sleep 1000 & wait $!' "$dir" &
                while [ ! -s $dir/in-group.pid ] || [ ! -s $dir/escaped.pid ]; do sleep 0.05; done
                exit 5
                """);
        try (JinitExec j = JinitExec.start(mode, dir, bash(s, dir))) {
            assertEquals(5, j.exitCode(), j.diagnostics());
            assertEquals("stopped", Files.readString(dir.resolve("in-group")).strip(), j.diagnostics());
            assertEquals("stopped", Files.readString(dir.resolve("escaped")).strip(), j.diagnostics());
            if (mode == Mode.SUBREAPER) {
                assertGone(Files.readString(dir.resolve("in-group.pid")).strip());
                assertGone(Files.readString(dir.resolve("escaped.pid")).strip());
            }
        }
    }

    /** A leftover that ignores SIGTERM is killed after the grace period, and jinit still returns the child's code. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void leftoversIgnoringSigtermGetSigkillAfterTheGrace(Mode mode) throws Exception {
        Path s = script("stubborn.sh", """
                bash -c 'trap "" TERM; echo $$ > $0/stubborn.pid; while :; do sleep 0.2; done' "$dir" &
                while [ ! -s $dir/stubborn.pid ]; do sleep 0.05; done
                exit 6
                """);
        List<String> args = new ArrayList<>(List.of("-t", "1s"));
        args.addAll(bash(s, dir));
        long start = System.nanoTime();
        try (JinitExec j = JinitExec.start(mode, dir, args)) {
            assertEquals(6, j.exitCode(), j.diagnostics());
            assertTrue(System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(1), "jinit exited before the grace period");
            assertTrue(j.err().contains("sending SIGKILL"), j.diagnostics());
            if (mode == Mode.SUBREAPER) assertGone(Files.readString(dir.resolve("stubborn.pid")).strip());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void graceComesFromTheEnvironmentToo(Mode mode) throws Exception {
        Path s = script("stubborn-env.sh", """
                bash -c 'trap "" TERM; echo $$ > $0/stubborn.pid; while :; do sleep 0.2; done' "$dir" &
                while [ ! -s $dir/stubborn.pid ]; do sleep 0.05; done
                exit 0
                """);
        try (JinitExec j = JinitExec.start(mode, dir, bash(s, dir), java.util.Map.of("JINIT_KILL_GRACE", "300ms"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains("did not stop within 300 ms"), j.diagnostics());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void childStartsWithEmptySignalMaskDefaultDispositionsAndItsOwnGroup(Mode mode) throws Exception {
        try (JinitExec j = JinitExec.start(mode, dir, List.of("--", "/bin/cat", "/proc/self/status", "/proc/self/stat"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            String out = j.out();
            assertTrue(out.contains("SigBlk:\t0000000000000000\n"), out + j.diagnostics());
            assertTrue(out.contains("SigIgn:\t0000000000000000\n"), out);
            String stat = out.lines().filter(l -> l.contains("(cat)")).findFirst().orElseThrow();
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            int pid = Integer.parseInt(stat.substring(0, stat.indexOf(' ')));
            assertEquals(pid, Integer.parseInt(f[2]), "the child leads its own process group: " + stat);
        }
    }

    /** With a terminal on stdin (made by util-linux script), the child's group becomes its foreground group. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void childIsForegroundOnJinitsTerminal(Mode mode) throws Exception {
        List<String> inner = new ArrayList<>();
        if (mode == Mode.PID1) inner.addAll(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        inner.addAll(JinitExec.javaCommand());
        inner.addAll(List.of("exec", "--", "/bin/cat", "/proc/self/stat"));
        String command = String.join(" ", inner.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
        Path out = dir.resolve("script.out");
        Process p = new ProcessBuilder("script", "-qefc", command, "/dev/null").directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script did not finish");
            String text = Files.readString(out);
            assertEquals(0, p.exitValue(), text);
            String stat = text.lines().filter(l -> l.contains("(cat)")).findFirst().orElseThrow(() -> new AssertionError(text));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            int pid = Integer.parseInt(stat.substring(stat.indexOf(stat.strip().split(" ")[0])).strip().split(" ")[0]);
            assertEquals(pid, Integer.parseInt(f[2]), "own process group: " + stat);
            assertFalse(f[4].equals("0"), "has a controlling terminal: " + stat);
            assertEquals(f[2], f[5].strip(), "its group is the terminal's foreground group (tpgid): " + stat);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static void assertGone(String pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) Thread.sleep(10);
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " is still there");
    }
}
