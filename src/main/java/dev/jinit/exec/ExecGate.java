package dev.jinit.exec;

import dev.jinit.linux.Capabilities;
import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Resources;
import dev.jinit.linux.ThreadIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The exec gate: settings that can only be applied to a process that exists (rlimits, cgroup,
 * OOM score, nice, CPU affinity) are applied to the child while it is blocked, before exec, in a
 * file action that opens this FIFO for reading. jinit finds the child's pid among the spawning
 * thread's children, applies everything, and only then opens the FIFO for writing, which lets the
 * child's open return and the child exec. So the program sees its limits from its first
 * instruction, and a child whose settings fail is killed without ever exec'ing.
 *
 * <p>The FIFO belongs to the child's uid: glibc drops the ids (RESETIDS) before the file actions
 * run. The child opens it by a name relative to its working directory, which the spawn thread set
 * to the gate directory, so the gate works inside a chroot or under a private /tmp too.
 */
final class ExecGate implements AutoCloseable {
    /** A spawn in progress: its thread is inside posix_spawn until the child has exec'd or died. */
    interface Spawning {
        boolean isAlive();
    }

    private final Path dir;
    private final String name;

    private ExecGate(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** Creates a fresh FIFO in {@code dir}, owned by the child's uid and gid when it will have its own. */
    static ExecGate create(Path dir, String name, Credentials credentials) {
        String path = dir.resolve(name).toString();
        try {
            Fs.mkfifo(path, 0600);
        } catch (LinuxException e) {
            if (e.errno() != Errno.EEXIST) throw e;
            // Left by an earlier jinit with the same pid and serial that was killed while a child
            // was at its gate: PID 1 of a container whose /run survives a restart is always pid 1.
            // The directory is jinit's own (owner and mode checked), so the name is ours to reuse.
            Fs.unlink(path);
            Fs.mkfifo(path, 0600);
        }
        try {
            if (credentials != null) Fs.chown(path, credentials.uid(), credentials.gid());
        } catch (LinuxException e) {
            Fs.unlink(path);
            throw e;
        }
        return new ExecGate(dir, name);
    }

    Path directory() {
        return dir;
    }

    /** The FIFO's name inside {@link #directory()}. */
    String name() {
        return name;
    }

    /** The FIFO's absolute path. */
    String path() {
        return dir.resolve(name).toString();
    }

    /**
     * The pid of the spawn thread's child, read from /proc/self/task/TID/children; -1 when the
     * thread ended without leaving a child there (the spawn failed before the gate).
     */
    static int awaitChild(ThrowawaySpawn spawn) {
        Path children = Path.of("/proc/self/task/" + spawn.tid() + "/children");
        for (int round = 0; ; round++) {
            try {
                String text = Files.readString(children, StandardCharsets.US_ASCII).trim();
                if (!text.isEmpty()) {
                    int space = text.indexOf(' ');
                    return Integer.parseInt(space < 0 ? text : text.substring(0, space));
                }
            } catch (IOException e) {
                // The task directory vanishes when the thread ends: the check below sees that.
            }
            if (!spawn.isAlive()) return -1;
            pause(round);
        }
    }

    /**
     * Waits until the child runs as {@code c}: it is found among the thread's children as soon as it
     * is cloned, before glibc's RESETIDS has given it its ids, and a prlimit that relies on matching
     * ids must not see it half way. Returns false when the spawn thread ended first.
     */
    static boolean awaitIds(int pid, Credentials c, Spawning spawn) {
        Path status = Path.of("/proc/" + pid + "/status");
        String uids = "Uid:\t" + c.uid() + "\t" + c.uid() + "\t" + c.uid() + "\t" + c.uid() + "\n";
        String gids = "Gid:\t" + c.gid() + "\t" + c.gid() + "\t" + c.gid() + "\t" + c.gid() + "\n";
        for (int round = 0; ; round++) {
            try {
                String text = Files.readString(status, StandardCharsets.US_ASCII);
                if (text.contains(uids) && text.contains(gids)) return true;
            } catch (IOException e) {
                // gone: the child died before the gate; the spawn thread reports why
            }
            if (!spawn.isAlive()) return false;
            pause(round);
        }
    }

    /** Lets the child go on to exec: open the FIFO for writing (it then has its reader), close it. */
    void release(Spawning spawn) {
        String path = dir.resolve(name).toString();
        for (int round = 0; ; round++) {
            // O_NONBLOCK: a writer open fails with ENXIO instead of blocking while the child has
            // not reached its open yet, so a child that died on the way cannot hang jinit.
            int fd = Posix.tryOpen(path, Posix.O_WRONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
            if (fd >= 0) {
                Posix.close(fd);
                return;
            }
            if (-fd != Errno.ENXIO) throw new LinuxException("open", path, -fd);
            if (!spawn.isAlive()) return;
            pause(round);
        }
    }

    /**
     * Yields a few times (the child is usually microseconds away), then parks 10 µs per round. No
     * spinning: on a busy machine the thread that spins takes the CPU the child needs to get here.
     */
    static void pause(int round) {
        if (round < 4) Thread.yield();
        else LockSupport.parkNanos(10_000);
    }

    /**
     * Applies the gated settings of {@code spec} to {@code pid}.
     * @throws SpawnException naming the setting and the errno when one cannot be applied
     */
    static void apply(ProcessSpec spec, Preflight.Plan plan, int pid) {
        if (plan.cgroup() != null) {
            try {
                plan.cgroups().place(plan.cgroup(), pid);
            } catch (LinuxException e) {
                throw failed("cgroup " + plan.cgroup(), pid, e);
            }
        }
        if (!plan.rlimits().isEmpty()) applyLimits(spec, plan, pid);
        if (spec.oomScoreAdjust() != null) {
            String file = "/proc/" + pid + "/oom_score_adj";
            try (Fd fd = Posix.open(file, Posix.O_WRONLY | Posix.O_CLOEXEC, 0)) {
                Posix.writeFully(fd.get(), Integer.toString(spec.oomScoreAdjust()).getBytes(StandardCharsets.US_ASCII));
            } catch (LinuxException e) {
                throw failed("OOMScoreAdjust=" + spec.oomScoreAdjust(), pid, new LinuxException("write", file, e.errno()));
            }
        }
        if (spec.nice() != null) {
            try {
                Resources.setNice(pid, spec.nice());
            } catch (LinuxException e) {
                throw failed("Nice=" + spec.nice(), pid, e);
            }
        }
        if (spec.cpuAffinity() != null) {
            try {
                Resources.setAffinity(pid, spec.cpuAffinity());
            } catch (LinuxException e) {
                throw failed("CPUAffinity=" + CpuList.format(spec.cpuAffinity()), pid, e);
            }
        }
    }

    /**
     * prlimit on another process needs CAP_SYS_RESOURCE, or a caller whose REAL uid and gid equal
     * all of the target's. Without the capability, a child that runs as another user gets its
     * limits from a short-lived thread whose real ids are the child's (its effective uid stays 0,
     * so it keeps jinit's other capabilities); the thread ends, so nothing else runs with them.
     */
    private static void applyLimits(ProcessSpec spec, Preflight.Plan plan, int pid) {
        Credentials c = spec.credentials();
        if (c == null || plan.caps().has(Capabilities.CAP_SYS_RESOURCE)) {
            setLimits(plan, pid);
            return;
        }
        RuntimeException[] failure = new RuntimeException[1];
        Thread helper = Thread.ofPlatform().name("jinit-prlimit").unstarted(() -> {
            try {
                ThreadIds.setResGid(c.gid(), ThreadIds.UNCHANGED, ThreadIds.UNCHANGED);
                ThreadIds.setResUid(c.uid(), ThreadIds.UNCHANGED, ThreadIds.UNCHANGED);
            } catch (LinuxException e) {
                failure[0] = failed("resource limits (taking the real ids of uid " + c.uid() + ")", pid, e);
                return;
            }
            try {
                setLimits(plan, pid);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        helper.start();
        ThrowawaySpawn.joinUninterruptibly(helper);
        if (failure[0] != null) throw failure[0];
    }

    private static void setLimits(Preflight.Plan plan, int pid) {
        for (Map.Entry<Rlimit, Rlimit.Limit> e : plan.rlimits().entrySet()) {
            try {
                Resources.setLimit(pid, e.getKey().resource, new Resources.Limits(e.getValue().soft(), e.getValue().hard()));
            } catch (LinuxException ex) {
                throw failed(e.getKey().directive() + "=" + Preflight.limitText(e.getValue()), pid, ex);
            }
        }
    }

    private static SpawnException failed(String attribute, int pid, LinuxException e) {
        return new SpawnException("cannot apply " + attribute + " to pid " + pid + " before exec: " + e.getMessage(), 1, e);
    }

    /** Removes the FIFO; the child has it open already or never will. */
    @Override
    public void close() {
        try {
            Fs.unlink(dir.resolve(name).toString());
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) throw e;
        }
    }
}
