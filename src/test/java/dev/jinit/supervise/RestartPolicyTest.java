package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.unit.ExitStatusSet;
import dev.jinit.unit.KillMode;
import dev.jinit.unit.NotifyAccess;
import dev.jinit.unit.RestartPolicy;
import dev.jinit.unit.ServiceType;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    /** systemd.service(5)'s table, row by row: the modes that restart for each cause. */
    @Test
    void restartTableMatchesTheManual() {
        ExitStatusSet none = ExitStatusSet.EMPTY;
        check(ServiceResult.SUCCESS, ExitStatus.exited(0), EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_SUCCESS));
        check(ServiceResult.EXIT_CODE, ExitStatus.exited(1), EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE));
        check(ServiceResult.SIGNAL, ExitStatus.killed(Signals.SIGKILL, false),
                EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL, RestartPolicy.ON_ABORT));
        check(ServiceResult.CORE_DUMP, ExitStatus.killed(Signals.SIGSEGV, true),
                EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL, RestartPolicy.ON_ABORT));
        check(ServiceResult.TIMEOUT, null, EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL));
        check(ServiceResult.WATCHDOG, ExitStatus.killed(Signals.SIGABRT, true),
                EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL, RestartPolicy.ON_WATCHDOG));
        // Not rows of the manual's table: systemd restarts them as it does a timeout.
        check(ServiceResult.RESOURCES, null, EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL));
        check(ServiceResult.PROTOCOL, null, EnumSet.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.ON_ABNORMAL));
        for (RestartPolicy m : RestartPolicy.values())
            assertFalse(RestartRules.shallRestart(m, ServiceResult.START_LIMIT_HIT, null, none, none), m.word());
    }

    private static void check(ServiceResult result, ExitStatus exit, Set<RestartPolicy> restarting) {
        for (RestartPolicy m : RestartPolicy.values())
            assertEquals(restarting.contains(m),
                    RestartRules.shallRestart(m, result, exit, ExitStatusSet.EMPTY, ExitStatusSet.EMPTY),
                    m.word() + " for " + result.word);
    }

    @Test
    void cleanExitsFollowSystemd() {
        assertTrue(RestartRules.isClean(ExitStatus.exited(0), true, ExitStatusSet.EMPTY));
        for (int sig : new int[] {Signals.SIGHUP, Signals.SIGINT, Signals.SIGTERM, Signals.SIGPIPE}) {
            assertTrue(RestartRules.isClean(ExitStatus.killed(sig, false), true, ExitStatusSet.EMPTY));
            assertFalse(RestartRules.isClean(ExitStatus.killed(sig, false), false, ExitStatusSet.EMPTY));
        }
        assertFalse(RestartRules.isClean(ExitStatus.killed(Signals.SIGKILL, false), true, ExitStatusSet.EMPTY));
        assertFalse(RestartRules.isClean(ExitStatus.exited(143), true, ExitStatusSet.EMPTY));
        assertTrue(RestartRules.isClean(ExitStatus.exited(143), true, ExitStatusSet.parse("143")));
    }

    @Test
    void exitStatusSetParsesCodesAndSignals() {
        ExitStatusSet s = ExitStatusSet.parse(" 1 2  SIGUSR1 term ");
        assertEquals(Set.of(1, 2), s.codes());
        assertEquals(Set.of(Signals.SIGUSR1, Signals.SIGTERM), s.signals());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExitStatusSet.parse("1 bogus"));
        assertTrue(e.getMessage().contains("bogus"));
        e = assertThrows(IllegalArgumentException.class, () -> ExitStatusSet.parse("256"));
        assertTrue(e.getMessage().contains("256"));
    }

    @Test
    void enumsParseSystemdWords() {
        assertEquals(RestartPolicy.ON_ABNORMAL, RestartPolicy.parse("on-abnormal"));
        assertEquals(KillMode.CONTROL_GROUP, KillMode.parse("control-group"));
        assertEquals(ServiceType.SIMPLE, ServiceType.parse("simple"));
        assertEquals(NotifyAccess.EXEC, NotifyAccess.parse("exec"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("sometimes"));
        // The unit loader puts "file:line: Restart=sometimes: " in front; the word's own message lists the choices.
        assertTrue(e.getMessage().contains("not a restart policy (no, on-success,"), e.getMessage());
        assertEquals(ServiceType.DBUS, ServiceType.parse("dbus"));
        assertEquals(ServiceType.NOTIFY_RELOAD, ServiceType.parse("notify-reload"));
        // The unit loader, which owns Type=, refuses idle rather than running it as simple.
        e = assertThrows(IllegalArgumentException.class, () -> ServiceType.parse("idle"));
        assertTrue(e.getMessage().contains("Type=idle"));
    }
}
