package dev.jinit.supervise;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What jinit keeps on disk about one unit that is up, so that a later jinit on the same state
 * directory (after {@code jinit daemon-reexec}, or after a crash of this one) can take the unit over
 * instead of starting it a second time: its state, its main process by pid and by start time (the pid
 * alone could be another process's by then), its cgroup, its invocation id and restart counter, and
 * which pipes its stdout and stderr were (so that they are read again only when they still are jinit's).
 *
 * <p>One file per unit, {@code KEY=value} lines, written atomically (see {@code system.UnitRecordStore}).
 *
 * @param unit       the unit's name
 * @param state      {@code running} or {@code exited}
 * @param pid        the main process (0 when exited)
 * @param startTime  field 22 of /proc/PID/stat of the main process (clock ticks after boot), "" when unknown
 * @param cgroup     the unit's cgroup directory, "" without one
 * @param invocation the INVOCATION_ID of the run
 * @param restarts   the restart counter
 * @param stdout     /proc/PID/fd/1's link ("pipe:[123]") when the record was written, "" when unknown
 * @param stderr     the same for fd 2
 */
public record UnitRecord(String unit, String state, int pid, String startTime, String cgroup, String invocation,
                         int restarts, String stdout, String stderr) {
    public UnitRecord {
        if (unit == null || unit.isEmpty() || unit.contains("/") || unit.startsWith(".") || unit.contains("\n"))
            throw new IllegalArgumentException("not a unit name for a record: '" + unit + "'");
        if (!state.equals("running") && !state.equals("exited"))
            throw new IllegalArgumentException(unit + ": state '" + state + "' is neither running nor exited");
        if (state.equals("running") && pid <= 1) throw new IllegalArgumentException(unit + ": running needs a main pid, got " + pid);
        for (String v : new String[] {startTime, cgroup, invocation, stdout, stderr})
            if (v == null || v.contains("\n")) throw new IllegalArgumentException(unit + ": a value holds a line break");
    }

    /** The same record with what only /proc knows (start time, pipes). */
    public UnitRecord withProcess(String startTime, String stdout, String stderr) {
        return new UnitRecord(unit, state, pid, startTime, cgroup, invocation, restarts, stdout, stderr);
    }

    public String format() {
        return "unit=" + unit + "\nstate=" + state + "\npid=" + pid + "\nstart=" + startTime + "\ncgroup=" + cgroup
                + "\ninvocation=" + invocation + "\nrestarts=" + restarts + "\nstdout=" + stdout + "\nstderr=" + stderr + "\n";
    }

    /**
     * Reads a record written by {@link #format}.
     *
     * @param source the file, for error messages
     * @throws IllegalArgumentException naming the file, line and value that is wrong
     */
    public static UnitRecord parse(String source, String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException(source + ":" + (i + 1) + ": not KEY=value: '" + line + "'");
            kv.put(line.substring(0, eq), line.substring(eq + 1));
        }
        for (String k : new String[] {"unit", "state", "pid", "start", "cgroup", "invocation", "restarts", "stdout", "stderr"})
            if (!kv.containsKey(k)) throw new IllegalArgumentException(source + ": no " + k + "= line (cut off, or not a jinit unit record)");
        try {
            return new UnitRecord(kv.get("unit"), kv.get("state"), number(source, "pid", kv.get("pid")), kv.get("start"),
                    kv.get("cgroup"), kv.get("invocation"), number(source, "restarts", kv.get("restarts")), kv.get("stdout"),
                    kv.get("stderr"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(source) ? e : new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static int number(String source, String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + "=" + value + " is not a number");
        }
    }

    /** Where the records go: the state directory's store, or nowhere (tests, and units no record is wanted for). */
    public interface Sink {
        /** Keeps {@code record} (replacing the unit's earlier one); never blocks the caller. */
        void save(UnitRecord record);

        /** The unit is not up any more: its record goes; never blocks the caller. */
        void remove(String unit);

        Sink NONE = new Sink() {
            @Override
            public void save(UnitRecord record) {}

            @Override
            public void remove(String unit) {}
        };
    }
}
