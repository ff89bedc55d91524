package dev.jinit.exec;

import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Spawn;
import dev.jinit.linux.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reaps every child and adopted orphan of this process with {@code waitid(P_ALL)} on one platform
 * thread, and hands each exit to whoever registered that pid. No zombie survives it.
 *
 * <p>Callbacks run on the reaper thread (or, for an exit reaped before its pid was registered, on
 * the thread calling {@link #register}); they must be quick and must not block: the supervisor
 * posts them to its own queue. An exception from a callback is reported on stderr and contained.
 *
 * <p>Exits for pids nobody owns are normal: orphans, and spawns the reaper reaped before their
 * owner could register them (posix_spawn returns after the child may already have died), or a
 * failed exec whose child glibc reaps itself. Such exits are held for {@link #HOLD} (at most
 * {@link #MAX_HELD} of them) and delivered on a later {@link #register}; once the hold expires
 * they go to the {@link #onUnowned} handler.
 *
 * <p>Each exit is first seen with WNOWAIT and only then reaped, under the lock that
 * {@link #register} takes: while a pid is still a zombie it cannot be reused, so register can tell
 * an exit held for the pid it is registering (the process is gone) from a stale one left by an
 * earlier process with the same number (the process still exists). pid_max is often 32768, so
 * reuse within the hold is real.
 *
 * <p>waitid returns ECHILD at once when there are no children, so the thread then PARKS until
 * {@link #register} or {@link #wake} says children may exist, a held exit is due to expire, or
 * {@link #SAFETY_NET} has passed.
 * <p>A spawner that must name its child for good (open its pidfd) takes a {@link #hold()} around
 * the spawn: while any hold is taken the reaper reaps nothing, so the new pid stays a process or a
 * zombie, never a number the kernel may give to somebody else, until its pidfd is open and its
 * owner registered. Holds are short (one posix_spawn); the lock is fair, so a stream of spawns
 * cannot keep the reaper waiting for ever.
 *
 * <p>A pid has one owner: a second {@link #register} for a pid that has one is refused, so no
 * later caller can take an exit away from the one that is waiting for it.
 *
 * Only one reaper may run in a process: two would steal each other's exits.
 */
public final class Reaper implements AutoCloseable {
    /** How long an exit nobody owns is held for a late {@link #register}. */
    public static final Duration HOLD = Duration.ofSeconds(10);
    /** At most this many unowned exits are held; the oldest go to {@link #onUnowned} first. */
    public static final int MAX_HELD = 10_000;

    /**
     * A parked reaper looks again after this long even if nobody woke it, so a child started
     * without {@link #register} or {@link #wake} is still reaped. One wake-up a second costs nothing
     * measurable and is not a spin.
     */
    static final Duration SAFETY_NET = Duration.ofSeconds(1);

    /** How long {@link #reapWaiting} waits for the reaper thread or a spawn to let go, at most. */
    static final Duration DRAIN_LOCK_WAIT = Duration.ofMillis(20);

    private final long holdNanos;
    private final int maxHeld;

    /** Guards the one-reaper-per-process rule; cleared by {@link #close()}. */
    private static final AtomicBoolean RUNNING = new AtomicBoolean();

    private record Held(ExitStatus status, long heldAtNanos) {}

    private final ReentrantLock lock = new ReentrantLock();
    /** Read side: spawns in progress ({@link #hold()}); write side: the reaper reaping one child. */
    private final ReentrantReadWriteLock spawning = new ReentrantReadWriteLock(true);
    private final Condition changed = lock.newCondition();
    private final Map<Integer, Consumer<ExitStatus>> owners = new HashMap<>();
    private final LinkedHashMap<Integer, Held> held = new LinkedHashMap<>();
    private BiConsumer<Integer, ExitStatus> unowned = (pid, status) -> {};
    private boolean woken;
    private boolean closed;
    /** Incremented each time waitid reports ECHILD: lets {@link #awaitNoChildren} see a fresh observation. */
    private long childlessObservations;
    /** Children reaped, and of them the exits no owner registered within the hold (orphans): for metrics. */
    private final AtomicLong reapedCount = new AtomicLong(), unownedCount = new AtomicLong();
    private final Thread thread;

    private Reaper(Duration hold, int maxHeld) {
        this.holdNanos = hold.toNanos();
        this.maxHeld = maxHeld;
        thread = Thread.ofPlatform().name("jinit-reaper").daemon(true).unstarted(this::loop);
    }

    /** Children reaped since the start (every exit waitid collected, owned or not). */
    public long reaped() {
        return reapedCount.get();
    }

    /**
     * Of {@link #reaped}, the exits nobody registered for within {@link #HOLD} (orphans re-parented
     * to jinit, daemons' forked parents): those handed to {@link #onUnowned}.
     */
    public long reapedUnowned() {
        return unownedCount.get();
    }

    /**
     * Starts the reaper thread.
     *
     * @throws IllegalStateException when a reaper is already running in this process
     */
    public static Reaper start() {
        return start(HOLD, MAX_HELD);
    }

    /** A reaper with another hold and bound: tests use short ones. */
    static Reaper start(Duration hold, int maxHeld) {
        if (!RUNNING.compareAndSet(false, true))
            throw new IllegalStateException("a Reaper is already running in this process");
        Reaper r = new Reaper(hold, maxHeld);
        r.thread.start();
        return r;
    }

    /** A taken {@link #hold()}; closing it lets the reaper reap again. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Keeps the reaper from reaping anything until the hold is closed: take it before posix_spawn and
     * close it once the child's pidfd is open and its owner registered. Closing it twice is harmless.
     */
    public Hold hold() {
        ReentrantReadWriteLock.ReadLock read = spawning.readLock();
        read.lock();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) read.unlock();
        };
    }

    /**
     * Says who gets the exit of {@code pid}; call it right after the spawn. When the exit was
     * already reaped, {@code onExit} runs at once on the calling thread.
     *
     * @throws IllegalStateException when {@code pid} has an owner already: an exit has one owner
     */
    public void register(int pid, Consumer<ExitStatus> onExit) {
        Objects.requireNonNull(onExit);
        ExitStatus already = null;
        ExitStatus stale = null;
        BiConsumer<Integer, ExitStatus> unownedHandler;
        lock.lock();
        try {
            if (owners.containsKey(pid))
                throw new IllegalStateException("pid " + pid + " already has an owner for its exit; a second one is refused");
            Held h = held.remove(pid);
            if (h != null && processExists(pid)) {
                stale = h.status();
                h = null;
            }
            if (h != null) {
                already = h.status();
            } else {
                owners.put(pid, onExit);
                woken = true;
                changed.signalAll();
            }
            unownedHandler = unowned;
        } finally {
            lock.unlock();
        }
        if (stale != null) {
            unownedCount.incrementAndGet();
            ExitStatus old = stale;
            run(() -> unownedHandler.accept(pid, old));
        }
        if (already != null) {
            ExitStatus status = already;
            run(() -> onExit.accept(status));
        }
    }

    /** Who hears of exits nobody registered within {@link #HOLD}: orphans, mostly. */
    public void onUnowned(BiConsumer<Integer, ExitStatus> handler) {
        Objects.requireNonNull(handler);
        lock.lock();
        try {
            unowned = handler;
        } finally {
            lock.unlock();
        }
    }

    /** Tells a parked reaper that children may exist now (e.g. after a spawn nobody registers). */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the reaper has seen, after this call began, that this process has no children
     * left at all (every one reaped).
     *
     * @return false if that did not happen within {@code timeout}
     */
    public boolean awaitNoChildren(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long seen = childlessObservations;
            woken = true;
            changed.signalAll();
            while (childlessObservations == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) return false;
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the reaper thread (for tests and orderly shutdown; PID 1 never calls it). A thread
     * blocked in waitid is released by a child that dies at once (see {@link #startDyingChild}).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(200);
            while (thread.isAlive()) {
                startDyingChild();
                thread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.set(false);
        }
    }

    /**
     * Starts a child that exits before exec, so no program has to exist: its first file action
     * opens a path that does not exist. posix_spawn then reports ENOENT and glibc reaps the child
     * itself, unless the reaper thread got it first; either way it is gone and the blocked
     * waitid has returned.
     */
    private static void startDyingChild() {
        String nowhere = "/nonexistent/jinit-reaper-wake-up";
        try (Spawn.Request request = new Spawn.Request()) {
            request.open(0, nowhere, Posix.O_RDONLY, 0);
            int rc = request.prepare(nowhere, List.of("jinit-reaper-wake-up"), Map.of()).launch();
            if (rc == 0) Wait.waitid(Wait.P_PID, request.pid(), Wait.WEXITED);
        }
    }

    /**
     * The reaper thread. It must outlive anything that goes wrong in one round (a failed waitid,
     * an allocation failure under memory pressure): a dead reaper leaves every later child a
     * zombie and, as PID 1, every orphan of the system. So a failed round is reported and
     * followed by a park, which also keeps a failure that repeats from spinning.
     */
    private void loop() {
        while (true) {
            boolean goOn;
            try {
                Wait.Child next = Wait.waitid(Wait.P_ALL, 0, Wait.WEXITED | Wait.WNOWAIT);
                goOn = next == null ? park() : reap(next.pid());
            } catch (RuntimeException | Error e) {
                report(e);
                goOn = parkAfterFailure();
            }
            if (!goOn) return;
        }
    }

    private static void report(Throwable e) {
        try {
            System.err.println("jinit: reaper: " + (e instanceof LinuxException ? e.getMessage() : e));
        } catch (RuntimeException | Error ignored) {
            // nothing can be reported; reaping matters more
        }
    }

    /** After a failed round: a park that cannot fail in turn. False once closed. */
    private boolean parkAfterFailure() {
        try {
            return park();
        } catch (RuntimeException | Error e) {
            // Not even a park worked: back off for the safety net's time, the one fixed wait here.
            LockSupport.parkNanos(SAFETY_NET.toNanos());
            lock.lock();
            try {
                return !closed;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Reaps, on the calling thread and without waiting, the exits that are already there, and
     * delivers each to its owner on this thread (owners post to their own queue, so this is quick).
     * For a supervisor that was stalled (SIGSTOP, a long pause): before it judges a timeout it
     * takes the exits that happened in time, whether or not the reaper thread has run since.
     *
     * <p>Never blocks on a spawn: while one holds the reaper ({@link #hold()}) for longer than
     * {@link #DRAIN_LOCK_WAIT} it returns, and the reaper thread delivers those exits when the spawn
     * is done. At most {@code max} exits.
     *
     * @return how many exits were reaped here
     */
    public int reapWaiting(int max) {
        int n = 0;
        while (n < max) {
            Wait.Child next = Wait.waitid(Wait.P_ALL, 0, Wait.WEXITED | Wait.WNOWAIT | Wait.WNOHANG);
            if (next == null) break;
            ReentrantReadWriteLock.WriteLock write = spawning.writeLock();
            try {
                // The reaper thread holds it for one waitid; a spawn for one posix_spawn: a short wait.
                if (!write.tryLock(DRAIN_LOCK_WAIT.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                if (!reap(next.pid())) break;
            } finally {
                write.unlock();
            }
            n++;
        }
        return n;
    }

    /** Reaps one child seen by the WNOWAIT peek and delivers its exit. False once closed. */
    private boolean reap(int pid) {
        Consumer<ExitStatus> owner;
        ExitStatus status;
        List<Map.Entry<Integer, ExitStatus>> expired;
        BiConsumer<Integer, ExitStatus> unownedHandler;
        // Never while a spawner holds: its child must stay a zombie until its pidfd is open.
        // (Reentrant: reapWaiting holds it already.)
        ReentrantReadWriteLock.WriteLock write = spawning.writeLock();
        write.lock();
        lock.lock();
        try {
            Wait.Child child = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | Wait.WNOHANG);
            // null: somebody else reaped it first (glibc's posix_spawn does after a failed exec).
            if (child == null) return !closed;
            status = decode(child);
            reapedCount.incrementAndGet();
            owner = owners.remove(pid);
            if (owner == null) held.put(pid, new Held(status, System.nanoTime()));
            expired = expireHeld();
            unownedHandler = unowned;
            if (closed) return false;
        } finally {
            lock.unlock();
            write.unlock();
        }
        if (owner != null) run(() -> owner.accept(status));
        unownedCount.addAndGet(expired.size());
        for (var e : expired) run(() -> unownedHandler.accept(e.getKey(), e.getValue()));
        return true;
    }

    /** Waits while there are no children. False once closed. */
    private boolean park() {
        List<Map.Entry<Integer, ExitStatus>> expired;
        BiConsumer<Integer, ExitStatus> unownedHandler;
        lock.lock();
        try {
            childlessObservations++;
            changed.signalAll();
            long until = System.nanoTime() + SAFETY_NET.toNanos();
            if (!held.isEmpty()) until = Math.min(until, held.values().iterator().next().heldAtNanos() + holdNanos);
            while (!woken && !closed) {
                long left = until - System.nanoTime();
                if (left <= 0) break;
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    // The reaper is never interrupted on purpose; keep reaping.
                }
            }
            woken = false;
            expired = expireHeld();
            unownedHandler = unowned;
            if (closed) return false;
        } finally {
            lock.unlock();
        }
        unownedCount.addAndGet(expired.size());
        for (var e : expired) run(() -> unownedHandler.accept(e.getKey(), e.getValue()));
        return true;
    }

    /** Removes held exits past their hold or beyond the bound; caller holds the lock. */
    private List<Map.Entry<Integer, ExitStatus>> expireHeld() {
        List<Map.Entry<Integer, ExitStatus>> out = new ArrayList<>();
        long now = System.nanoTime();
        Iterator<Map.Entry<Integer, Held>> it = held.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Integer, Held> e = it.next();
            if (held.size() <= maxHeld && now - e.getValue().heldAtNanos() < holdNanos) break;
            out.add(Map.entry(e.getKey(), e.getValue().status()));
            it.remove();
        }
        return out;
    }

    static ExitStatus decode(Wait.Child child) {
        return switch (child.code()) {
            case Wait.CLD_EXITED -> ExitStatus.exited(child.status());
            case Wait.CLD_KILLED -> ExitStatus.killed(child.status(), false);
            case Wait.CLD_DUMPED -> ExitStatus.killed(child.status(), true);
            default -> throw new IllegalStateException("waitid(WEXITED) reported si_code " + child.code() + " for pid " + child.pid());
        };
    }

    /** A pid whose process (alive or zombie) exists; EPERM means it exists but is not ours. */
    private static boolean processExists(int pid) {
        try {
            return Posix.kill(pid, 0);
        } catch (LinuxException e) {
            return true;
        }
    }

    private static void run(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            System.err.println("jinit: reaper callback failed: " + e);
            e.printStackTrace();
        }
    }
}
