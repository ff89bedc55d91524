package dev.jinit.supervise.notify;

import java.util.Locale;

/**
 * Which of a unit's processes may send notifications, as systemd's {@code NotifyAccess=}: none;
 * main (the main process only); exec (the main process or the current control process, i.e. the
 * processes jinit started from Exec* lines); all (any process of the unit). The decision is pure:
 * the supervisor passes what it knows about the unit's processes.
 */
public enum NotifyAccess {
    NONE, MAIN, EXEC, ALL;

    /**
     * Parses a directive value.
     *
     * @throws IllegalArgumentException naming the value and the accepted words
     */
    public static NotifyAccess parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "main" -> MAIN;
            case "exec" -> EXEC;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException(
                    "NotifyAccess: invalid value '" + value + "' (expected none, main, exec or all)");
        };
    }

    /** The directive's own spelling. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a message from {@code senderPid} may be applied to a unit with these processes. */
    public Verdict check(int senderPid, UnitProcesses unit) {
        String from = "notification from pid " + senderPid;
        return switch (this) {
            case NONE -> new Verdict.Refuse(from + " refused: NotifyAccess=none");
            case MAIN -> {
                if (unit.mainPid() == 0)
                    yield new Verdict.Refuse(from + " refused: NotifyAccess=main and the main pid is not known yet");
                yield senderPid == unit.mainPid() ? Verdict.ACCEPT
                        : new Verdict.Refuse(from + " refused: NotifyAccess=main allows only main pid " + unit.mainPid());
            }
            case EXEC -> {
                if ((unit.mainPid() > 0 && senderPid == unit.mainPid())
                        || (unit.controlPid() > 0 && senderPid == unit.controlPid()))
                    yield Verdict.ACCEPT;
                yield new Verdict.Refuse(from + " refused: NotifyAccess=exec allows only the main pid ("
                        + describe(unit.mainPid()) + ") and the control pid (" + describe(unit.controlPid()) + ")");
            }
            case ALL -> unit.contains(senderPid) ? Verdict.ACCEPT
                    : new Verdict.Refuse(from + " refused: not one of the unit's processes");
        };
    }

    /**
     * Whether a {@code MAINPID=} may become the unit's main pid: it must be one of the unit's
     * processes (a service must not make jinit watch, or later kill, somebody else's process), and
     * never jinit itself.
     */
    public static Verdict checkMainPid(int newMainPid, UnitProcesses unit, int managerPid) {
        if (newMainPid <= 0) return new Verdict.Refuse("MAINPID=" + newMainPid + " refused: not a valid pid");
        if (newMainPid == managerPid)
            return new Verdict.Refuse("MAINPID=" + newMainPid + " refused: that is jinit itself");
        if (!unit.contains(newMainPid))
            return new Verdict.Refuse("MAINPID=" + newMainPid + " refused: not one of the unit's processes");
        return Verdict.ACCEPT;
    }

    private static String describe(int pid) {
        return pid == 0 ? "none" : Integer.toString(pid);
    }
}
