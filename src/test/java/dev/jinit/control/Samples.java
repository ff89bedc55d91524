package dev.jinit.control;

import dev.jinit.exec.ExitStatus;
import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.List;

/** Units and lines the control tests share. */
public final class Samples {
    private Samples() {}

    public static final Instant T0 = Instant.parse("2026-11-27T09:00:00Z");

    public static UnitStatus web() {
        return new UnitStatus("web.service", LoadState.LOADED, ActiveState.ACTIVE, "running", 1234, 2,
                T0, "Demo web server", new UnitDetails("/etc/jinit/web.service", null, "success",
                        "/usr/bin/python3 -m http.server 8080", 1200, ExitStatus.exited(1), "Serving 3 clients",
                        T0, T0.minusSeconds(5), List.of(1234, 1240), List.of("web.service:9: unsupported directive PrivateDevices=, ignored"),
                        List.of()));
    }

    public static UnitStatus crash() {
        return new UnitStatus("crash.service", LoadState.LOADED, ActiveState.FAILED, "failed", 0, 5,
                T0.plusSeconds(30), "Crash loop", new UnitDetails("/etc/jinit/crash.service", null, "exit-code",
                        "/bin/false", 777, ExitStatus.exited(1), null, null, T0.plusSeconds(30), List.of(), List.of(),
                        List.of()));
    }

    public static UnitStatus once() {
        return new UnitStatus("once.service", LoadState.LOADED, ActiveState.INACTIVE, "dead", 0, 0, null, "",
                new UnitDetails(null, null, null, null, 0, null, null, null, null, List.of(), List.of(), List.of()));
    }

    public static UnitStatus broken() {
        return new UnitStatus("broken.service", LoadState.BAD_SETTING, ActiveState.INACTIVE, "dead", 0, 0, null,
                "Broken", new UnitDetails("/etc/jinit/broken.service", "/etc/jinit/broken.service:4: Restart: invalid value 'sometimes'",
                        null, null, 0, null, null, null, null, List.of(), List.of(), List.of()));
    }

    public static UnitStatus multi() {
        return new UnitStatus("multi-user.target", LoadState.LOADED, ActiveState.ACTIVE, "active", 0, 0, T0,
                "Multi-User System", null);
    }

    public static LogLine line(int second, String unit, String stream, String text) {
        return new LogLine(T0.plusSeconds(second), unit, Stream.ofTag(stream), text);
    }

    public static FakeHandler handler() {
        FakeHandler h = new FakeHandler().unit(web()).unit(crash()).unit(once()).unit(broken()).unit(multi());
        h.logs.put("web.service", List.of(line(1, "web.service", "stdout", "listening on 8080"),
                line(3, "web.service", "stderr", "GET / 200"), line(5, "web.service", "stdout", "GET /x 404")));
        h.logs.put("crash.service", List.of(line(2, "crash.service", "stderr", "boom"),
                line(4, "crash.service", "jinit", "Scheduled restart, restart counter is at 5")));
        return h;
    }
}
