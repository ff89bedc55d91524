package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.cli.JinitExec.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every kind of bad input to {@code jinit exec}: its exit code, a message naming the thing at
 * fault, and nothing started (the command would have created a marker file).
 */
class ExecBadInputTest {
    @TempDir Path dir;

    private JinitExec run(List<String> options, List<String> command) throws Exception {
        return run(Mode.SUBREAPER, options, command);
    }

    private JinitExec run(Mode mode, List<String> options, List<String> command) throws Exception {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(command);
        return JinitExec.start(mode, dir, args);
    }

    private void assertRefused(int code, String message, List<String> options) throws Exception {
        Path marker = dir.resolve("started");
        try (JinitExec j = run(options, List.of("/usr/bin/touch", marker.toString()))) {
            assertEquals(code, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains(message), "stderr should contain '" + message + "'" + j.diagnostics());
        }
        assertFalse(Files.exists(marker), "the command ran although its options were refused");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void missingProgramExits127NamingIt(Mode mode) throws Exception {
        try (JinitExec j = run(mode, List.of(), List.of("/no/such/program"))) {
            assertEquals(127, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains("/no/such/program"), j.diagnostics());
        }
        try (JinitExec j = run(mode, List.of(), List.of("no-such-program-on-path"))) {
            assertEquals(127, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains("no-such-program-on-path"), j.diagnostics());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void nonExecutableProgramExits126NamingIt(Mode mode) throws Exception {
        Path notExec = Files.writeString(dir.resolve("not-executable"), "#!/bin/sh\necho hi\n");
        try (JinitExec j = run(mode, List.of(), List.of(notExec.toString()))) {
            assertEquals(126, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains(notExec.toString()), j.diagnostics());
        }
        try (JinitExec j = run(mode, List.of(), List.of(dir.toString()))) {
            assertEquals(126, j.exitCode(), "a directory is not executable" + j.diagnostics());
            assertTrue(j.err().contains(dir.toString()), j.diagnostics());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "User=no-such-user-x                 | unknown user 'no-such-user-x'",
            "Group=no-such-group-x               | unknown group 'no-such-group-x'",
            "SupplementaryGroups=daemon nogrp-x  | unknown group 'nogrp-x'",
            "Frobnicate=yes                      | unknown directive Frobnicate",
            "LimitNOFILE=abc                     | LimitNOFILE=abc: not a number or 'infinity'",
            "LimitNOFILE=10:5                    | LimitNOFILE=10:5: soft limit exceeds hard limit",
            "Nice=99                             | Nice=99: out of range -20..19",
            "UMask=9                             | UMask=9: not an octal mode",
            "PrivateTmp=perhaps                  | PrivateTmp=perhaps: not a boolean",
            "CPUAffinity=1-x                     | CPUAffinity=1-x: '1-x' is not a CPU number or range",
            "CapabilityBoundingSet=CAP_NOPE      | unknown capability 'CAP_NOPE'",
            "StandardOutput=journal              | jinit exec has no journal",
            "StandardError=syslog                | StandardError=syslog: not one of",
            "WorkingDirectory=relative/dir       | WorkingDirectory=relative/dir: not an absolute path",
            "Environment=\"A=unterminated        | unterminated \" quote",
            "NoEquals                            | -p NoEquals: expected Key=Value",
    })
    void badPropertyExits2NamingItAndStartsNothing(String property, String message) throws Exception {
        assertRefused(2, message, List.of("-p", property));
    }

    @Test
    void badOptionsExit2() throws Exception {
        assertRefused(2, "unknown option '-x'", List.of("-x"));
        assertRefused(2, "-t forever: ", List.of("-t", "forever"));
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, List.of("-g"))) {
            assertEquals(2, j.exitCode(), j.diagnostics());
            assertTrue(j.err().contains("no command given"), j.diagnostics());
        }
    }

    /** A value the directive parser accepts but the spawner finds impossible: refused before spawning. */
    @Test
    void impossibleAttributeIsRefusedBeforeSpawning() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        Path marker = dir.resolve("started");
        try (JinitExec j = run(List.of("-p", "CPUAffinity=" + (cpus + 4000)), List.of("/usr/bin/touch", marker.toString()))) {
            int code = j.exitCode();
            assertEquals(2, code, j.diagnostics());
            assertTrue(j.err().contains("CPU"), j.diagnostics());
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void helpExits0() throws Exception {
        try (JinitExec j = JinitExec.start(Mode.SUBREAPER, dir, List.of("--help"))) {
            assertEquals(0, j.exitCode(), j.diagnostics());
            assertTrue(j.out().contains("QUIT cannot be forwarded"), j.diagnostics());
        }
    }
}
