package dev.jinit.api;

import dev.jinit.control.ControlHandler;
import dev.jinit.exec.Cgroups;
import dev.jinit.exec.Reaper;
import dev.jinit.log.LogPump;
import dev.jinit.supervise.TransitionStream;
import dev.jinit.system.StopRequest;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the HTTP API asks of the rest of jinit, and nothing more: the same commands as the control
 * socket (every call posts to the manager thread and waits on the caller's own thread, so a slow
 * client never holds the manager), the stream of unit state changes, and, in boot mode only, the
 * power requests.
 *
 * @param control     unit commands, status and logs
 * @param logs        the log pump, for live log subscriptions (of every unit, including units added later)
 * @param transitions subscribes to every unit state change; the returned handle ends the subscription
 * @param power       asks PID 1 to power off or reboot; null outside boot mode
 * @param cgroups     the cgroup v2 mount for CPU and memory figures, or null
 * @param reaper      jinit's reaper, for its counters; null when there is none to ask
 */
record Backend(ControlHandler control, LogPump logs, Function<TransitionStream.Listener, TransitionStream.Subscription> transitions,
               Consumer<StopRequest> power, Cgroups cgroups, Reaper reaper) {
    Backend {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(transitions, "transitions");
    }

    /** What the metrics page shows of jinit's own work: reaped processes, log lines and bytes per unit. */
    MetricsPage.Counters counters() {
        return new MetricsPage.Counters(reaper == null ? -1 : reaper.reaped(), reaper == null ? -1 : reaper.reapedUnowned(),
                logs.counts());
    }

    boolean bootMode() {
        return power != null;
    }
}
