package dev.jinit.exec;

import dev.jinit.linux.Fd;
import java.util.List;
import java.util.Map;

/**
 * A started child: its pid, its pidfd, and jinit's end of every {@link FdSource.Pipe} in its fd table
 * keyed by the child's descriptor number. The caller owns the pidfd and the pipe ends.
 *
 * @param pidfd    the process for good (signals through it can never hit a recycled pid); null when
 *                 the spawn was made without a {@link Reaper} hold, i.e. by a caller that waits for
 *                 the child itself
 * @param warnings what the spawn had to adjust, one line each (a limit lowered to jinit's own, as
 *                 systemd's setrlimit_closest does): the caller shows them in the unit's log
 */
public record Spawned(int pid, Fd pidfd, Map<Integer, Fd> pipes, List<String> warnings) {
    public Spawned {
        pipes = Map.copyOf(pipes);
        warnings = List.copyOf(warnings);
    }

    /** A child known by pid only, nothing adjusted (fakes in tests). */
    public Spawned(int pid, Map<Integer, Fd> pipes) {
        this(pid, null, pipes, List.of());
    }
}
