package dev.jinit.supervise;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Signals;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Signals a set of processes found by listing (a cgroup, /proc) without ever hitting a pid that was
 * recycled after the listing: each listed pid is first pinned with a pidfd, the set is listed once
 * more, and only the pinned processes still in it are signalled, through their pidfds. A pid in the
 * second listing whose pidfd was opened before it is the same process (a pidfd cannot follow a
 * number to a new process). One failure does not stop the rest: it is returned as a line.
 */
final class PidfdSignals {
    private PidfdSignals() {}

    /**
     * Sends {@code signal} to the processes of {@code known} (held already), then to each pid
     * of {@code listed} that {@code relist} still names once its pidfd is open.
     *
     * @return a line per process that could not be signalled (EPERM, …); empty when all were
     */
    static List<String> send(int signal, List<Ports.Handle> known, List<Integer> listed, Supplier<Set<Integer>> relist) {
        List<String> failures = new ArrayList<>();
        Set<Integer> done = new HashSet<>();
        for (Ports.Handle h : known) {
            try {
                if (h.signal(signal)) done.add(h.pid());
            } catch (RuntimeException e) {
                failures.add(Signals.name(signal) + " to pid " + h.pid() + ": " + e.getMessage());
            }
        }
        Map<Integer, Fd> pinned = new LinkedHashMap<>();
        try {
            for (int pid : listed) {
                if (done.contains(pid) || pinned.containsKey(pid)) continue;
                try {
                    pinned.put(pid, Pidfd.open(pid));
                } catch (LinuxException e) {
                    if (e.errno() != Errno.ESRCH) failures.add(Signals.name(signal) + " to pid " + pid + ": " + e.getMessage());
                }
            }
            if (pinned.isEmpty()) return failures;
            Set<Integer> still = relist.get();
            for (Map.Entry<Integer, Fd> e : pinned.entrySet()) {
                if (!still.contains(e.getKey())) continue; // gone, or the number went to somebody else
                try {
                    Pidfd.sendSignal(e.getValue(), signal);
                } catch (LinuxException ex) {
                    failures.add(Signals.name(signal) + " to pid " + e.getKey() + ": " + ex.getMessage());
                }
            }
            return failures;
        } finally {
            for (Fd fd : pinned.values()) fd.close();
        }
    }
}
