package dev.jinit.supervise;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawned;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Signals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Every port of the manager, faked honestly: processes (pids far above PID_MAX_LIMIT, 4194304, so
 * no signal can reach a real one) that are jinit's children and stay alive until the test ends
 * them, whatever signal they get; a clock that moves only when the test moves it; scopes that know
 * the fake processes. So a test is as correct on a machine slowed to a crawl as on an idle one.
 */
final class FakeKernel implements Ports.Launcher, Ports.ExitWatcher, Ports.LogSink, Ports.Processes, Ports.Scopes {
    static final int FAKE_PID_BASE = 10_000_000;
    /** jinit's own pid as the fakes see it: the parent of every fake process. */
    static final int FAKE_SELF = 9_999_999;

    /** A signal sent to a fake process. */
    record Sent(int pid, int signal) {}

    final List<String> spawned = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Integer> pidOf = new ConcurrentHashMap<>();
    final Map<Integer, String> programOf = new ConcurrentHashMap<>();
    final Map<Integer, Consumer<ExitStatus>> watchers = new ConcurrentHashMap<>();
    final Set<Integer> alive = ConcurrentHashMap.newKeySet();
    /** How often a unit's processes were listed, by the name of the thread that listed them. */
    final Map<String, java.util.concurrent.atomic.AtomicInteger> listings = new ConcurrentHashMap<>();
    final List<Sent> signals = Collections.synchronizedList(new ArrayList<>());
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** Fake monotonic milliseconds (starts far from 0, as a real clock would). */
    final AtomicLong now = new AtomicLong(1_000_000);
    private int next = FAKE_PID_BASE;

    /** An event loop on this fake clock. */
    EventLoop loop(String name) {
        return new EventLoop(name, System.err, now::get).start();
    }

    ManagerPorts ports() {
        return new ManagerPorts(this, this, this, this, this);
    }

    /** Moves the clock; the loop runs what is due. */
    void advance(EventLoop loop, long millis) {
        now.addAndGet(millis);
        loop.wake();
    }

    // ---- Launcher, ExitWatcher, LogSink ---------------------------------------------------

    /** Spawned on the manager's spawn executor; the exit's owner is registered before the pid is shown. */
    @Override
    public synchronized Spawned spawn(ProcessSpec spec, java.time.Duration openWait, Consumer<ExitStatus> onExit) {
        if (failing.contains(spec.program())) throw new IllegalStateException("simulated launcher bug for " + spec.program());
        int pid = next++;
        alive.add(pid);
        watchers.put(pid, onExit);
        programOf.put(pid, spec.program());
        // The pid first: a test that sees the spawn must find its pid.
        pidOf.put(spec.program(), pid);
        spawned.add(spec.program());
        return new Spawned(pid, Map.of());
    }

    @Override
    public void watch(int pid, Consumer<ExitStatus> onExit) {
        watchers.put(pid, onExit);
    }

    @Override
    public void attach(String unit, Fd readEnd, boolean stderr) {
        readEnd.close();
    }

    @Override
    public void note(String unit, String text) {
        notes.add(unit + ": " + text);
    }

    // ---- Processes ------------------------------------------------------------------------

    @Override
    public ProcTable.Entry stat(int pid) {
        return alive.contains(pid) ? new ProcTable.Entry(pid, FAKE_SELF, pid, 'S') : null;
    }

    @Override
    public String cgroupOf(int pid) {
        return null;
    }

    @Override
    public int self() {
        return FAKE_SELF;
    }

    @Override
    public Ports.Liveness watch(int pid) {
        if (!alive.contains(pid)) return null;
        return new Ports.Liveness() {
            @Override
            public boolean alive() {
                return alive.contains(pid);
            }

            @Override
            public void close() {}
        };
    }

    /** Recorded; the process lives on until the test ends it (it may ignore or handle the signal). */
    @Override
    public void kill(int pid, int signal) {
        if (!alive.contains(pid)) throw new IllegalStateException("kill " + pid + ": ESRCH");
        signals.add(new Sent(pid, signal));
    }

    @Override
    public Ports.Handle open(int pid) {
        return alive.contains(pid) ? new Handle(pid) : null;
    }

    @Override
    public Ports.Handle adopt(int pid, Fd pidfd) {
        if (pidfd != null) pidfd.close();
        return new Handle(pid);
    }

    /** A fake process held as by a pidfd: signals after its exit reach nobody (false), as with a real one. */
    private final class Handle implements Ports.Handle {
        private final int pid;
        private boolean closed;

        Handle(int pid) {
            this.pid = pid;
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public boolean signal(int signal) {
            if (closed) throw new IllegalStateException("signal through a closed handle of " + pid);
            if (!alive.contains(pid)) return false;
            signals.add(new Sent(pid, signal));
            return true;
        }

        @Override
        public boolean alive() {
            return alive.contains(pid);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ---- Scopes ---------------------------------------------------------------------------

    @Override
    public ProcessScope create(String unit) {
        return new Scope();
    }

    /** A unit's fake processes: those spawned for it or adopted, while alive. */
    private final class Scope implements ProcessScope {
        private final Set<Integer> pids = new LinkedHashSet<>();

        @Override
        public ProcessSpec.Builder prepare(ProcessSpec.Builder spec) {
            return spec;
        }

        @Override
        public void adopt(int pid, Ports.Handle handle) {
            pids.add(pid);
        }

        @Override
        public void exited(int pid) {
            pids.remove(pid);
        }

        @Override
        public List<Integer> pids() {
            return live(pids);
        }

        /** As a cgroup scope does: the set is fixed now, the (fake) listing happens when asked. */
        @Override
        public java.util.function.Supplier<List<Integer>> pidsLater() {
            Set<Integer> now = Set.copyOf(pids);
            return () -> live(now);
        }

        private List<Integer> live(Set<Integer> of) {
            listings.computeIfAbsent(Thread.currentThread().getName(), t -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            return of.stream().filter(alive::contains).toList();
        }

        @Override
        public boolean contains(int pid) {
            return pids().contains(pid);
        }

        @Override
        public boolean owned(String cgroupPath, ProcTable.Entry entry) {
            return entry != null && pids.contains(entry.pid());
        }

        @Override
        public List<String> signalAll(int signal, List<Ports.Handle> known) {
            Set<Integer> targets = new LinkedHashSet<>(pids());
            for (Ports.Handle h : known) if (h.signal(signal)) targets.remove(h.pid());
            for (int p : targets) kill(p, signal);
            return List.of();
        }

        /** Fires when one of the unit's fake processes exits (the test ends it), as a pidfd would. */
        @Override
        public AutoCloseable whenChanged(Runnable onChange) {
            List<Integer> now = pids();
            if (now.isEmpty()) {
                onChange.run();
                return () -> { };
            }
            Runnable once = new Runnable() {
                boolean fired;

                @Override
                public synchronized void run() {
                    if (fired) return;
                    fired = true;
                    onChange.run();
                }
            };
            for (int pid : now) exitListeners.computeIfAbsent(pid, p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(once);
            return () -> { for (int pid : now) { var l = exitListeners.get(pid); if (l != null) l.remove(once); } };
        }

        @Override
        public void release() {
            pids.clear();
        }

        @Override
        public String describe() {
            return "fake scope " + pids;
        }
    }

    // ---- what tests do ----------------------------------------------------------------------

    /** Ends the program's last process; waits (with a deadline) for the manager to have registered it. */
    void exit(String program, ExitStatus status) throws InterruptedException {
        await("exit watcher of " + program, () -> pidOf.containsKey(program) && watchers.containsKey(pidOf.get(program)));
        exitPid(pidOf.get(program), status);
    }

    /** Scope watches waiting for a process's exit (as on its pidfd). */
    final Map<Integer, List<Runnable>> exitListeners = new ConcurrentHashMap<>();

    /** Ends one process: it is gone from then on, and its watcher (the reaper) is told. */
    void exitPid(int pid, ExitStatus status) {
        alive.remove(pid);
        List<Runnable> listeners = exitListeners.remove(pid);
        if (listeners != null) listeners.forEach(Runnable::run);
        Consumer<ExitStatus> w = watchers.get(pid);
        if (w != null) w.accept(status);
    }

    /** Whether {@code pid} got {@code signal}. */
    boolean got(int pid, int signal) {
        synchronized (signals) {
            return signals.contains(new Sent(pid, signal));
        }
    }

    /** Pids that got SIGTERM or SIGKILL and are still alive. */
    List<Integer> signalledAndAlive() {
        synchronized (signals) {
            return signals.stream().filter(s -> s.signal() == Signals.SIGTERM || s.signal() == Signals.SIGKILL)
                    .map(Sent::pid).distinct().filter(alive::contains).toList();
        }
    }

    int count(String program) {
        synchronized (spawned) {
            return (int) spawned.stream().filter(program::equals).count();
        }
    }

    /** Waits for a condition with a deadline (only a hang ever reaches it). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(2);
        }
    }
}
