package dev.jinit.unit;

/**
 * {@code KillMode=}: which processes get {@code KillSignal=} on stop. {@code none} is accepted, as systemd still
 * does, but the builder warns: it leaves the unit's processes running, which is rarely what anyone wants.
 */
public enum KillMode {
    CONTROL_GROUP("control-group"), MIXED("mixed"), PROCESS("process"), NONE("none");

    private final String word;

    KillMode(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static KillMode parse(String s) {
        for (KillMode m : values()) if (m.word.equals(s)) return m;
        throw new BadValueException("not a kill mode (control-group, mixed, process, none)");
    }
}
