package dev.jinit.exec;

import dev.jinit.linux.Fd;
import java.util.Map;

/**
 * A started child: its pid, and jinit's end of every {@link FdSource.Pipe} in its fd table keyed by
 * the child's descriptor number. The caller owns the pipe ends.
 */
public record Spawned(int pid, Map<Integer, Fd> pipes) {
    public Spawned {
        pipes = Map.copyOf(pipes);
    }
}
