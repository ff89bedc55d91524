package dev.jinit.supervise;

/** Why a service run ended, with systemd's words (the {@code Result=} property, {@code $SERVICE_RESULT}). */
public enum ServiceResult {
    SUCCESS("success"),
    RESOURCES("resources"),
    PROTOCOL("protocol"),
    TIMEOUT("timeout"),
    EXIT_CODE("exit-code"),
    SIGNAL("signal"),
    CORE_DUMP("core-dump"),
    WATCHDOG("watchdog"),
    START_LIMIT_HIT("start-limit-hit");

    public final String word;

    ServiceResult(String word) {
        this.word = word;
    }
}
