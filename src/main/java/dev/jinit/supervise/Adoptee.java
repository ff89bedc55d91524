package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Fd;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A unit an earlier jinit left up, checked and ready to be taken over ({@link Manager#adopt}): its main
 * process held by a pidfd (opened, then checked against the recorded start time, so never a recycled
 * pid), its cgroup, and the read ends of its output pipes that could be had again.
 *
 * @param record the unit's record, as the earlier jinit wrote it
 * @param handle the main process (null for an exited unit); owned by whoever takes it over, or closes it
 * @param cgroup the unit's cgroup directory, null without one
 * @param logs   read ends of the unit's stdout/stderr pipes (owned likewise)
 * @param exits  for a main process that is still jinit's child (a re-exec), where the reaper reports its
 *               exit; null for a process that is not (after a crash: watched by its pidfd, status unknown)
 */
public record Adoptee(UnitRecord record, Ports.Handle handle, Path cgroup, List<Log> logs, ExitRelay exits) {
    /** One pipe read end and whether it is stderr. */
    public record Log(Fd readEnd, boolean stderr) {}

    public String unit() {
        return record.unit();
    }

    public int pid() {
        return record.pid();
    }

    /** Gives back what it holds (the unit was not taken over). */
    public void release() {
        if (handle != null) handle.close();
        for (Log l : logs) l.readEnd().close();
    }

    /**
     * The exit of an adopted child, reaped maybe before its unit is taken over: kept until someone
     * listens, then handed over once. Thread-safe.
     */
    public static final class ExitRelay implements Consumer<ExitStatus> {
        private ExitStatus status;
        private Consumer<ExitStatus> listener;

        @Override
        public void accept(ExitStatus s) {
            Consumer<ExitStatus> l;
            synchronized (this) {
                if (listener == null) {
                    status = s;
                    return;
                }
                l = listener;
            }
            l.accept(s);
        }

        public void to(Consumer<ExitStatus> l) {
            ExitStatus s;
            synchronized (this) {
                listener = l;
                s = status;
                status = null;
            }
            if (s != null) l.accept(s);
        }
    }
}
