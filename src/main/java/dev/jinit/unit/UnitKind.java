package dev.jinit.unit;

/** The unit types jinit runs: services, targets as plain groupings of other units, sockets and timers that activate services. */
public enum UnitKind {
    SERVICE("service"), TARGET("target"), SOCKET("socket"), TIMER("timer");

    private final String suffix;

    UnitKind(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    /** @throws BadValueException for a suffix jinit does not run (socket, timer, mount, …) */
    public static UnitKind fromSuffix(String suffix) {
        for (UnitKind k : values()) if (k.suffix.equals(suffix)) return k;
        throw new BadValueException("unit type ." + suffix + " is not supported (only .service, .target, .socket and .timer)");
    }
}
