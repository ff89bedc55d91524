package dev.jinit.supervise.notify;

import dev.jinit.unit.NotifyAccess;

/**
 * The supervisor's side of {@code NotifyAccess=}: which of a unit's processes may send notifications.
 * none; main (the main process only); exec (the main process or the current control process, i.e. the
 * processes jinit started from Exec* lines); all (any process of the unit). The word itself belongs to the
 * unit model ({@link NotifyAccess}); the decision lives here because it needs the unit's live processes.
 * It is pure: the supervisor passes what it knows about the unit's processes.
 */
public final class NotifyPolicy {
    private NotifyPolicy() {}

    /** Whether a message from {@code senderPid} may be applied to a unit with these processes and this access. */
    public static Verdict check(NotifyAccess access, int senderPid, UnitProcesses unit) {
        String from = "notification from pid " + senderPid;
        return switch (access) {
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
