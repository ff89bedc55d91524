package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One {@code jinit run} supervising a unit per directive family, each checked through what its real
 * processes did (files they wrote, processes left alive) and through {@code jinit status}.
 */
class DirectiveFamiliesTest {
    static JinitRun j;
    static Path root;

    static String r(String name) {
        return root.resolve(name).toString();
    }

    @BeforeAll
    static void start() throws Exception {
        JinitRun layout = JinitRun.layout("families");
        root = layout.root;
        Files.writeString(root.resolve("env"), "C=from-file\n# comment\nexport D='quoted value'\n");
        layout.unit("env.service", """
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                Environment=A=1 "B=two words"
                EnvironmentFile=%s
                EnvironmentFile=-/nonexistent/env
                StandardOutput=append:%s
                ExecStart=/bin/sh -c 'echo "$A|$B|$C|$D|$${#INVOCATION_ID}"'
                ExecStart=/usr/bin/printf '%%%%s\\n' $B ${A}x
                [Install]
                WantedBy=multi-user.target
                """.formatted(r("env"), r("env.out")));
        layout.unit("user.service", """
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                User=nobody
                StateDirectory=userstate
                LimitNOFILE=123
                ExecStart=/bin/sh -c 'echo "$(id -u) $(ulimit -n)" > "$STATE_DIRECTORY/who"'
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("hooks.service", """
                [Service]
                ExecStartPre=/bin/sh -c 'echo pre >> %1$s'
                ExecStart=/bin/sleep 1000
                ExecStartPost=/bin/sh -c 'echo "post $MAINPID" >> %1$s'
                ExecStop=/bin/sh -c 'echo "stop $MAINPID" >> %1$s'
                ExecStopPost=/bin/sh -c 'echo "stoppost $SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" >> %1$s'
                [Install]
                WantedBy=multi-user.target
                """.formatted(r("hooks.log")));
        layout.unit("keepchild.service", """
                [Service]
                KillMode=process
                ExecStart=/bin/sh -c 'sleep 1000 & echo $$! > %s; exec sleep 1000'
                [Install]
                WantedBy=multi-user.target
                """.formatted(r("keepchild.pid")));
        layout.unit("mixed.service", """
                [Service]
                KillMode=mixed
                TimeoutStopSec=1
                ExecStart=/bin/sh -c '(trap "" TERM; echo $$$$ > /dev/null; exec sleep 1000) & echo $$! > %s; exec sleep 1000'
                [Install]
                WantedBy=multi-user.target
                """.formatted(r("mixed.pid")));
        layout.unit("notready.service", """
                [Service]
                Type=notify
                TimeoutStartSec=1
                ExecStart=/bin/sleep 1000
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("success42.service", """
                [Service]
                ExecStart=/bin/sh -c 'exit 42'
                SuccessExitStatus=42
                Restart=on-failure
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("prevent.service", """
                [Service]
                ExecStart=/bin/sh -c 'exit 7'
                Restart=always
                RestartPreventExitStatus=7
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("abnormal.service", """
                [Unit]
                StartLimitBurst=2
                [Service]
                ExecStart=/bin/sh -c 'kill -USR1 $$$$'
                Restart=on-abnormal
                RestartSec=50ms
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("dash.service", """
                [Service]
                ExecStart=-/bin/false
                [Install]
                WantedBy=multi-user.target
                """);
        layout.unit("tofile.service", """
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                StandardOutput=file:%s
                ExecStart=/bin/sh -c 'echo to-out; echo to-err >&2'
                [Install]
                WantedBy=multi-user.target
                """.formatted(r("tofile.txt")));
        layout.unit("base.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                """);
        layout.unit("bound.service", """
                [Unit]
                BindsTo=base.service
                After=base.service
                [Service]
                ExecStart=/bin/sleep 1000
                """);
        layout.unit("peace.service", """
                [Service]
                ExecStart=/bin/sleep 1000
                """);
        layout.unit("war.service", """
                [Unit]
                Conflicts=peace.service
                [Service]
                ExecStart=/bin/sleep 1000
                """);
        j = layout.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (j != null) j.close();
    }

    static int mainPid(JinitRun.Client status) {
        Matcher m = Pattern.compile("Main PID: (\\d+)").matcher(status.out());
        assertTrue(m.find(), status.toString());
        return Integer.parseInt(m.group(1));
    }

    static String read(String name) {
        try {
            return Files.readString(root.resolve(name));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void environmentFilesAndExpansion() throws Exception {
        j.awaitStatus("env", "active (exited)");
        assertEquals(List.of("1|two words|from-file|quoted value|32", "two", "words", "1x"),
                List.of(read("env.out").split("\n")));
    }

    @Test
    void userStateDirectoryAndLimits() throws Exception {
        j.awaitStatus("user", "active (exited)");
        Path dir = j.stateBase.resolve("userstate");
        assertEquals("65534 123\n", Files.readString(dir.resolve("who")));
        assertEquals(65534, Files.getAttribute(dir, "unix:uid"), "StateDirectory= belongs to User=");
    }

    @Test
    void execHooksRunInOrderWithTheirVariables() throws Exception {
        JinitRun.Client s = j.awaitStatus("hooks", "active (running)");
        int main = mainPid(s);
        assertEquals(0, j.client("stop", "hooks").code());
        assertEquals("pre\npost " + main + "\nstop " + main + "\nstoppost success killed TERM\n", read("hooks.log"));
    }

    @Test
    void killModeProcessLeavesOtherProcessesAlone() throws Exception {
        j.awaitStatus("keepchild", "active (running)");
        j.await("child pid", () -> !read("keepchild.pid").isBlank());
        int child = Integer.parseInt(read("keepchild.pid").trim());
        assertEquals(0, j.client("stop", "keepchild").code());
        try {
            assertTrue(JinitRun.alive(child), "KillMode=process signals the main process only");
        } finally {
            Posix.kill(child, Signals.SIGKILL);
        }
    }

    @Test
    void killModeMixedSigkillsLeftoversAfterTheTimeout() throws Exception {
        j.awaitStatus("mixed", "active (running)");
        j.await("child pid", () -> !read("mixed.pid").isBlank());
        int child = Integer.parseInt(read("mixed.pid").trim());
        JinitRun.Client stop = j.client("stop", "mixed");
        assertEquals(0, stop.code(), stop.toString());
        j.await("the SIGTERM-ignoring child to be SIGKILLed", () -> !JinitRun.alive(child));
    }

    @Test
    void startTimeoutFailsANotifyServiceThatNeverGetsReady() throws Exception {
        j.awaitStatus("notready", "failed (Result: timeout)");
    }

    @Test
    void exitStatusDirectives() throws Exception {
        j.awaitStatus("success42", "inactive (dead)");
        JinitRun.Client prevent = j.awaitStatus("prevent", "failed (Result: exit-code)");
        assertTrue(prevent.out().contains("Restarts: 0"), prevent.toString());
        JinitRun.Client abnormal = j.awaitStatus("abnormal", "failed (Result: start-limit-hit)");
        assertTrue(abnormal.out().contains("Restarts: 2"), abnormal.toString());
        j.awaitStatus("dash", "inactive (dead)");
    }

    @Test
    void standardOutputToAFileTakesStderrAlong() throws Exception {
        j.awaitStatus("tofile", "active (exited)");
        String text = read("tofile.txt");
        // One open file description for both (as systemd): in order, neither overwriting the other.
        assertEquals("to-out\nto-err\n", text);
    }

    @Test
    void bindsToStopsTheBoundUnitWhenItsBaseDies() throws Exception {
        assertEquals(0, j.client("start", "bound").code());
        JinitRun.Client base = j.awaitStatus("base", "active (running)");
        j.awaitStatus("bound", "active (running)");
        Posix.kill(mainPid(base), Signals.SIGKILL);
        j.awaitStatus("base", "failed (Result: signal)");
        j.awaitStatus("bound", "inactive (dead)");
    }

    @Test
    void conflictsStopTheOtherUnit() throws Exception {
        assertEquals(0, j.client("start", "peace").code());
        assertEquals(0, j.client("start", "war").code());
        j.awaitStatus("peace", "inactive (dead)");
        assertEquals(0, j.client("start", "peace").code());
        j.awaitStatus("war", "inactive (dead)");
    }
}
