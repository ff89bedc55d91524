package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.DirectiveState;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Rlimit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Option parsing and spec building of {@code jinit exec}, in process (nothing is spawned). */
class ExecCommandTest {
    private static ExecCommand.Options parse(String... args) {
        return ExecCommand.parse(List.of(args), Map.of());
    }

    @Test
    void parsesOptionsUntilDashDash() {
        ExecCommand.Options o = parse("-g", "-p", "Nice=3", "-pUMask=077", "-t", "2s", "--", "cmd", "-g", "-p");
        assertTrue(o.group());
        assertEquals(List.of(Map.entry("Nice", "3"), Map.entry("UMask", "077")), o.properties());
        assertEquals(Duration.ofSeconds(2), o.grace());
        assertEquals(List.of("cmd", "-g", "-p"), o.command());
    }

    @Test
    void commandStartsAtTheFirstNonOptionWithoutDashDash() {
        ExecCommand.Options o = parse("sleep", "-5");
        assertFalse(o.group());
        assertEquals(List.of("sleep", "-5"), o.command());
        assertEquals(ExecCommand.DEFAULT_GRACE, o.grace());
    }

    @Test
    void graceFromEnvironmentAndOptionWins() {
        assertEquals(Duration.ofMillis(1500), ExecCommand.parse(List.of("x"), Map.of("JINIT_KILL_GRACE", "1.5")).grace());
        assertEquals(Duration.ofMillis(200), ExecCommand.parse(List.of("-t200ms", "x"), Map.of("JINIT_KILL_GRACE", "9")).grace());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecCommand.parse(List.of("x"), Map.of("JINIT_KILL_GRACE", "soon")));
        assertTrue(e.getMessage().startsWith("JINIT_KILL_GRACE soon: "), e.getMessage());
    }

    @Test
    void usageErrorsNameTheOption() {
        assertEquals("option -p needs a value", assertThrows(IllegalArgumentException.class, () -> parse("-p")).getMessage());
        assertEquals("unknown option '--frob'", assertThrows(IllegalArgumentException.class, () -> parse("--frob", "x")).getMessage());
        assertEquals("no command given", assertThrows(IllegalArgumentException.class, () -> parse("-g", "--")).getMessage());
        assertTrue(parse("-h").help());
    }

    @Test
    void specGetsOwnGroupEnvironmentAndDirectives() {
        ExecCommand.Options o = parse("-p", "LimitNOFILE=64", "-p", "Environment=B=2", "--", "/bin/true", "a");
        ProcessSpec spec = ExecCommand.buildSpec(o, Map.of("A", "1"), false, new DirectiveState());
        assertEquals(0, spec.processGroup());
        assertFalse(spec.foreground());
        assertEquals(Map.of("A", "1", "B", "2"), spec.env());
        assertEquals(List.of("/bin/true", "a"), spec.argv());
        assertEquals(new Rlimit.Limit(64, 64), spec.rlimits().get(Rlimit.NOFILE));
        assertTrue(ExecCommand.buildSpec(o, Map.of(), true, new DirectiveState()).foreground());
    }

    @Test
    void directiveErrorsArePrefixedWithDashP() {
        ExecCommand.Options o = parse("-p", "User=nobody-at-all-x", "--", "/bin/true");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecCommand.buildSpec(o, Map.of(), false, new DirectiveState()));
        assertTrue(e.getMessage().startsWith("-p User=nobody-at-all-x: unknown user 'nobody-at-all-x'"), e.getMessage());
    }
}
