package dev.jinit.supervise;

import dev.jinit.state.ActiveState;

/** A service's sub-state, named and mapped to an {@link ActiveState} as systemd's service.c does. */
public enum ServiceState {
    DEAD("dead", ActiveState.INACTIVE),
    START_PRE("start-pre", ActiveState.ACTIVATING),
    START("start", ActiveState.ACTIVATING),
    START_POST("start-post", ActiveState.ACTIVATING),
    RUNNING("running", ActiveState.ACTIVE),
    EXITED("exited", ActiveState.ACTIVE),
    RELOAD("reload", ActiveState.RELOADING),
    /** Type=notify-reload: ReloadSignal= sent, waiting for RELOADING=1 (with a MONOTONIC_USEC= after the signal). */
    RELOAD_SIGNAL("reload-signal", ActiveState.RELOADING),
    /** RELOADING=1 received: waiting for READY=1. */
    RELOAD_NOTIFY("reload-notify", ActiveState.RELOADING),
    STOP("stop", ActiveState.DEACTIVATING),
    STOP_SIGTERM("stop-sigterm", ActiveState.DEACTIVATING),
    STOP_SIGKILL("stop-sigkill", ActiveState.DEACTIVATING),
    STOP_POST("stop-post", ActiveState.DEACTIVATING),
    FINAL_SIGTERM("final-sigterm", ActiveState.DEACTIVATING),
    FINAL_SIGKILL("final-sigkill", ActiveState.DEACTIVATING),
    FAILED("failed", ActiveState.FAILED),
    AUTO_RESTART("auto-restart", ActiveState.ACTIVATING);

    /** The sub-state word {@code systemctl} shows in its SUB column. */
    public final String word;
    public final ActiveState active;

    ServiceState(String word, ActiveState active) {
        this.word = word;
        this.active = active;
    }

    /** On the way down: a stop, kill or stop-post phase. */
    public boolean isStopping() {
        return active == ActiveState.DEACTIVATING;
    }

    /** A reload in progress: ExecReload= running, or waiting for the service's RELOADING=1/READY=1. */
    public boolean isReloading() {
        return this == RELOAD || this == RELOAD_SIGNAL || this == RELOAD_NOTIFY;
    }

    /** Nothing runs and nothing is scheduled except possibly an automatic restart. */
    public boolean isInactive() {
        return this == DEAD || this == FAILED;
    }
}
