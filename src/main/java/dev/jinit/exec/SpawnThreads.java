package dev.jinit.exec;

import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Spawn;
import dev.jinit.linux.ThreadIds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Long-lived spawn threads for gated spawns that change no per-thread state: a spec whose only
 * special attributes are the gate's (cgroup, rlimits, OOM score, nice, CPU affinity), which is every
 * supervised service. posix_spawn needs a second thread for the gate, since the thread that calls it
 * stays inside its vfork until the child has exec'd, but it need not be a new one: creating and
 * ending a thread (clone, faults on the new stack, the madvise of the old one with its TLB
 * shootdown) cost more CPU than the gate itself (BENCHMARKS.md, issue 7). A spec with per-thread
 * attributes still gets its {@link ThrowawaySpawn}.
 *
 * <p>The caller finds its child as the one pid in the worker thread's
 * {@code /proc/self/task/TID/children} that was not listed before the spawn. That list holds every
 * living child the worker ever started, so a worker retires after {@link #SPAWNS_PER_THREAD} spawns
 * (its children then pass to the main thread, as a throwaway thread's do) and after
 * {@link #IDLE_SECONDS} without work. Under the reaper's hold none of the earlier children can be
 * reaped between the two reads, so none of their numbers can be given to the new child; without a
 * reaper (a bare {@link Spawner#spawn(ProcessSpec)}) a number freed in those microseconds is given
 * out again only after the kernel has cycled through the whole pid space.
 *
 * <p>A worker has the ids of the thread that started it (Linux keeps credentials per thread), so
 * the pool serves only callers whose real, effective and saved uid and gid are the pool's: a thread
 * that gave up root is not served and takes the throwaway path, whose thread inherits its ids.
 * jinit changes capabilities only on throwaway threads, never on a thread that calls the Spawner.
 */
final class SpawnThreads {
    static final int MAX_THREADS = 4;
    static final int SPAWNS_PER_THREAD = 64;
    static final long IDLE_SECONDS = 10;

    private final int[] ids = ThreadIds.ids();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    /** Idle workers, the most recently used first (its stack and caches are warm). */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private int live;

    /** Whether the calling thread may use this pool: its ids are the pool's. */
    boolean servesCaller() {
        return Arrays.equals(ids, ThreadIds.ids());
    }

    /** A worker for one spawn, started if none is idle; waits while {@link #MAX_THREADS} are busy. */
    Worker acquire() {
        lock.lock();
        try {
            while (true) {
                Worker w = idle.pollFirst();
                if (w != null) return w;
                if (live < MAX_THREADS) {
                    live++;
                    break;
                }
                freed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        try {
            return Worker.start(this);
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                live--;
                freed.signal();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /** Gives a worker back once its spawn has ended (its job is done). */
    void release(Worker w) {
        boolean retire = w.spawns >= SPAWNS_PER_THREAD;
        lock.lock();
        try {
            if (retire) live--;
            else idle.addFirst(w);
            freed.signal();
        } finally {
            lock.unlock();
        }
        if (retire) w.retire();
    }

    /** An idle worker whose wait ran out leaves the pool, unless a caller took it meanwhile. */
    private boolean leaveIfIdle(Worker w) {
        lock.lock();
        try {
            if (!idle.remove(w)) return false;
            live--;
            freed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** One spawn handed to a worker: posix_spawn on the worker's thread, the gate on the caller's. */
    static final class Job implements ExecGate.Spawning {
        private final ProcessSpec spec;
        private final Preflight.Plan plan;
        private final int[] sources;
        private final String gatePath;
        private final Thread caller = Thread.currentThread();
        private volatile boolean done;
        /** Set right before posix_spawn: the child can be looked for from now on. */
        private volatile boolean launching;
        // Written by the worker before done is set, read by the caller after it saw done.
        private int pid;
        private RuntimeException failure;

        private Job(ProcessSpec spec, Preflight.Plan plan, int[] sources, String gatePath) {
            this.spec = spec;
            this.plan = plan;
            this.sources = sources;
            this.gatePath = gatePath;
        }

        /** Whether posix_spawn has not returned yet. */
        @Override
        public boolean isAlive() {
            return !done;
        }

        /** Waits for posix_spawn to return; the child's pid, or the spawn's SpawnException. */
        int join() {
            while (!done) LockSupport.park(this);
            if (failure != null) throw failure;
            return pid;
        }

        private void run() {
            try (Spawn.Request request = new Spawn.Request()) {
                Spawner.addProcessAttributes(request, spec);
                String workingDirectory = spec.workingDirectory() == null ? null
                        : spec.workingDirectory().toAbsolutePath().toString();
                if (workingDirectory != null) request.chdir(workingDirectory);
                Spawner.describeFdTable(request, spec, sources);
                // After closefrom, at the first free descriptor (see Spawner.describeFdTable): the
                // gate may lower the child's RLIMIT_NOFILE before the child gets here.
                int gateFd = sources.length;
                request.open(gateFd, gatePath, Posix.O_RDONLY, 0);
                request.close(gateFd);
                request.prepare(plan.program(), plan.argv(), spec.env());
                launching = true;
                LockSupport.unpark(caller);
                int rc = request.launch();
                if (rc != 0) {
                    int wdErr = workingDirectory == null ? 0 : dev.jinit.linux.Fs.access(workingDirectory, dev.jinit.linux.Fs.X_OK);
                    int ttyErr = spec.controllingTty() == null ? 0
                            : dev.jinit.linux.Fs.access(spec.controllingTty().toString(), dev.jinit.linux.Fs.R_OK | dev.jinit.linux.Fs.W_OK);
                    throw Spawner.explain(rc, spec, plan.program(), wdErr, ttyErr,
                            dev.jinit.linux.Fs.access(plan.program(), dev.jinit.linux.Fs.X_OK));
                }
                pid = request.pid();
            } catch (SpawnException e) {
                failure = e;
            } catch (LinuxException e) {
                failure = new SpawnException("cannot start " + spec.program() + ": " + e.getMessage(), 1, e);
            } catch (RuntimeException | Error e) {
                failure = new SpawnException("cannot start " + spec.program() + ": " + e, 1, e);
            }
        }
    }

    /** One long-lived spawn thread. */
    static final class Worker implements Runnable {
        private final SpawnThreads pool;
        private final Thread thread;
        private final CountDownLatch ready = new CountDownLatch(1);
        private RuntimeException startFailure;
        /** This thread's children file, opened by the thread itself; read by callers. */
        private Fd children;
        private final MemorySegment buffer = Arena.ofAuto().allocate(8192);
        private final byte[] bytes = new byte[8192];
        private volatile Job job;
        private volatile boolean retiring;
        /** Spawns so far; touched only by the caller that holds the worker. */
        int spawns;

        private Worker(SpawnThreads pool) {
            this.pool = pool;
            this.thread = Thread.ofPlatform().name("jinit-spawn").daemon(true).unstarted(this);
        }

        static Worker start(SpawnThreads pool) {
            Worker w = new Worker(pool);
            w.thread.start();
            boolean interrupted = false;
            while (true) {
                try {
                    w.ready.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (w.startFailure != null) throw w.startFailure;
            return w;
        }

        /**
         * The pids of this thread's living (or unreaped) children, in the order they were started.
         * An unreadable list counts as empty: the caller then keeps looking until the spawn ends.
         */
        int[] children() {
            int[] pids = new int[16];
            int count = 0;
            try {
                long offset = 0;
                int value = -1;
                while (true) {
                    long n = Posix.pread(children.get(), buffer, buffer.byteSize(), offset);
                    if (n <= 0) break;
                    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
                    for (int i = 0; i < n; i++) {
                        byte b = bytes[i];
                        if (b >= '0' && b <= '9') {
                            value = (value < 0 ? 0 : value * 10) + (b - '0');
                        } else if (value >= 0) {
                            if (count == pids.length) pids = Arrays.copyOf(pids, count * 2);
                            pids[count++] = value;
                            value = -1;
                        }
                    }
                    offset += n;
                }
                if (value >= 0) {
                    if (count == pids.length) pids = Arrays.copyOf(pids, count + 1);
                    pids[count++] = value;
                }
            } catch (LinuxException e) {
                return new int[0];
            }
            return Arrays.copyOf(pids, count);
        }

        /**
         * Waits for the child of {@code job}: the one pid listed now that {@code before} did not
         * list. Returns -1 when the spawn ended without leaving a child there (it failed before the
         * gate).
         */
        int awaitChild(int[] before, Job job) {
            // Nothing to look for before the worker is about to clone (it wakes this thread then).
            while (!job.launching && job.isAlive()) LockSupport.park(this);
            for (int round = 0; ; round++) {
                for (int pid : children()) {
                    boolean known = false;
                    for (int b : before) {
                        if (b == pid) {
                            known = true;
                            break;
                        }
                    }
                    if (!known) return pid;
                }
                if (!job.isAlive()) return -1;
                // The clone is under way on the worker's thread: give it the CPU rather than spin.
                if (round < 2) Thread.yield();
                else LockSupport.parkNanos(10_000);
            }
        }

        /** Hands this worker a spawn; it starts at once. */
        Job submit(ProcessSpec spec, Preflight.Plan plan, int[] sources, String gatePath) {
            Job j = new Job(spec, plan, sources, gatePath);
            spawns++;
            job = j;
            LockSupport.unpark(thread);
            return j;
        }

        /** Ends the thread once it is idle (it is: only the pool calls this, after the job). */
        private void retire() {
            retiring = true;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            try {
                children = Posix.open("/proc/self/task/" + ThreadIds.gettid() + "/children", Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
            } catch (RuntimeException e) {
                startFailure = new SpawnException("the exec gate needs /proc/self/task/TID/children (a kernel with "
                        + "CONFIG_PROC_CHILDREN): " + e.getMessage(), 2, e);
                ready.countDown();
                return;
            }
            ready.countDown();
            try {
                long idleNanos = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
                long idleSince = System.nanoTime();
                while (true) {
                    Job j = job;
                    if (j == null) {
                        if (retiring) return;
                        LockSupport.parkNanos(this, idleNanos);
                        if (job == null && !retiring && System.nanoTime() - idleSince >= idleNanos && pool.leaveIfIdle(this)) return;
                        continue;
                    }
                    j.run();
                    job = null;
                    idleSince = System.nanoTime();
                    j.done = true;
                    LockSupport.unpark(j.caller);
                }
            } finally {
                children.close();
            }
        }
    }
}
