package dev.jinit.exec;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fcntl;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Spawn;
import dev.jinit.linux.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Starts processes exactly as a {@link ProcessSpec} says, with glibc's posix_spawn (clone with
 * CLONE_VM|CLONE_VFORK: the one safe way to start a process from a multithreaded JVM).
 *
 * <p>The fd table is built in two passes so that no source descriptor is overwritten before it is
 * copied: every source is first dup'ed above all sources and targets, then down to its target;
 * {@code closefrom} then closes everything the spec did not ask for. Files are opened by jinit
 * (not by the child) so that a root-only log file can be handed to a child that runs as nobody,
 * and so that an open error names the file before anything is spawned.
 *
 * <p>Three paths, as DESIGN.md's "Spawning" section lays out: a spec with only basic attributes is
 * spawned on the caller's thread; one with per-thread attributes (credentials, namespaces, chroot,
 * umask, PrivateTmp, no_new_privs, bounding set) on a {@link ThrowawaySpawn} thread; one with
 * rlimits, cgroup, OOM score, nice or CPU affinity also passes the {@link ExecGate}. The last two
 * are checked by {@link Preflight} first. A user namespace is handed to util-linux unshare, which
 * then runs the program (so the program's argv[0] becomes its path).
 *
 * <p>A Spawner holds no state but the lazily made gate directory and a FIFO counter; one instance
 * may be used from any number of threads.
 */
public final class Spawner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path gateBase;
    private final Path unshare;
    private final AtomicLong gateSerial = new AtomicLong();
    /** The long-lived spawn threads of gated spawns without per-thread attributes. */
    private final SpawnThreads spawnThreads = new SpawnThreads();
    /** What {@link Preflight#checkGated} needs that does not change while jinit runs, found once. */
    private volatile Preflight.Facts facts;
    /** The exec gate directory, made on the first gated spawn. */
    private volatile Path gateDirectory;

    /** Gate FIFOs go to /run/jinit/gate, or to a jinit-gate directory in java.io.tmpdir without /run. */
    public Spawner() {
        this(null);
    }

    /** Gate FIFOs go to {@code gateDirectory} (created with mode 0711 when missing). */
    public Spawner(Path gateDirectory) {
        this(gateDirectory, Preflight.UNSHARE);
    }

    /** With another util-linux unshare binary for user namespaces (tests use a missing one). */
    Spawner(Path gateDirectory, Path unshare) {
        this.gateBase = gateDirectory;
        this.unshare = unshare;
    }

    /**
     * Starts a process. Specs with only the basic attributes are spawned right here on the calling
     * thread (the cheap path, as fast as the same loop in C); the others are checked first
     * ({@link Preflight}), then spawned from a throwaway thread, through the exec gate when they
     * have settings only a gate can apply.
     *
     * @throws SpawnException naming the program, file or attribute at fault; its shell code is 127
     *         for a missing program, 126 for one that cannot be executed, 2 for a spec that asks
     *         for something impossible (nothing was spawned), 1 otherwise
     */
    public Spawned spawn(ProcessSpec spec) {
        return spawn(spec, DEFAULT_OPEN_WAIT, null, null);
    }

    /**
     * How long an output file may take to open when the caller says nothing: systemd's default
     * start timeout. The wait is for a FIFO without a reader (see {@link #openOutput}).
     */
    public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(90);

    /**
     * Starts a supervised process: as {@link #spawn(ProcessSpec)}, and while {@code reaper} is held
     * (it reaps nothing) the child's pidfd is opened and {@code onExit} registered as the one owner
     * of its exit. So the pid is known for good before anything could reap it and let the kernel
     * give the number to another process, and no exit can be reported before it has an owner.
     * Should anything fail after posix_spawn, the child is killed through its pid (still ours while
     * held), left to the reaper, and its pipes closed: no live, untracked process remains.
     *
     * @return the child with its pidfd, owned by the caller
     */
    public Spawned spawn(ProcessSpec spec, Reaper reaper, Consumer<ExitStatus> onExit) {
        return spawn(spec, DEFAULT_OPEN_WAIT, reaper, onExit);
    }

    /**
     * As {@link #spawn(ProcessSpec, Reaper, Consumer)}, with {@code openWait} the longest an output
     * file may take to open: a FIFO nobody reads yet is retried until then, and the spawn fails
     * naming it after. Meant for a spawner thread, never for one that must not block.
     */
    public Spawned spawn(ProcessSpec spec, Duration openWait, Reaper reaper, Consumer<ExitStatus> onExit) {
        if (spec.needsGate() && !spec.needsThrowawayThread() && !spec.listenPid() && spawnThreads.servesCaller())
            return spawnGated(spec, openWait, reaper, onExit);
        if (spec.needsThrowawayThread() || spec.needsGate()) return spawnIsolated(spec, openWait, reaper, onExit);
        String program = resolveProgram(spec);
        List<Fd> parentCopies = new ArrayList<>();
        Map<Integer, Fd> pipes = new HashMap<>();
        boolean started = false;
        try (Spawn.Request request = new Spawn.Request()) {
            int[] sources = openSources(spec, parentCopies, pipes, openWait);
            addProcessAttributes(request, spec);
            if (spec.workingDirectory() != null) request.chdir(spec.workingDirectory().toString());
            describeFdTable(request, spec, sources);
            request.prepare(program, spec.argv(), spec.env());
            Fd pidfd;
            try (Reaper.Hold held = hold(reaper)) {
                int rc = request.launch();
                if (rc != 0) {
                    // jinit's view is the child's view here: same root, same ids.
                    int wdErr = spec.workingDirectory() == null ? 0 : Fs.access(spec.workingDirectory().toString(), Fs.X_OK);
                    int ttyErr = spec.controllingTty() == null ? 0 : Fs.access(spec.controllingTty().toString(), Fs.R_OK | Fs.W_OK);
                    throw explain(rc, spec, program, wdErr, ttyErr, Fs.access(program, Fs.X_OK));
                }
                pidfd = own(request.pid(), reaper, onExit);
            }
            started = true;
            return new Spawned(request.pid(), pidfd, pipes, List.of());
        } catch (LinuxException e) {
            throw new SpawnException("cannot start " + program + ": " + e.getMessage(), 1, e);
        } finally {
            for (Fd fd : parentCopies) fd.close();
            if (!started) for (Fd fd : pipes.values()) fd.close();
        }
    }

    private static final Reaper.Hold NO_HOLD = () -> { };

    private static Reaper.Hold hold(Reaper reaper) {
        return reaper == null ? NO_HOLD : reaper.hold();
    }

    /**
     * Opens the pidfd of a child just spawned and registers its exit, the reaper being held; null
     * and nothing registered without a reaper. On failure the child is killed and left to the
     * reaper with nobody waiting, and the failure thrown.
     */
    private static Fd own(int pid, Reaper reaper, Consumer<ExitStatus> onExit) {
        if (reaper == null) return null;
        Fd pidfd = null;
        try {
            pidfd = Pidfd.open(pid);
            reaper.register(pid, onExit);
            return pidfd;
        } catch (RuntimeException e) {
            if (pidfd != null) pidfd.close();
            try {
                Posix.kill(pid, Signals.SIGKILL); // held: pid is still our child (alive or zombie)
            } catch (LinuxException ignored) {
                // a zombie already
            }
            throw new SpawnException("started pid " + pid + " but could not take hold of it (killed): " + e.getMessage(), 1, e);
        }
    }

    /**
     * A spec that needs the exec gate and nothing per-thread: spawned by one of the long-lived
     * {@link SpawnThreads} while this thread finds the child, applies the gated settings and
     * releases it, exactly as for a throwaway thread.
     */
    private Spawned spawnGated(ProcessSpec spec, Duration openWait, Reaper reaper, Consumer<ExitStatus> onExit) {
        String program = resolveProgram(spec);
        Preflight.Plan plan = Preflight.checkGated(spec, program, facts());
        List<Fd> parentCopies = new ArrayList<>();
        Map<Integer, Fd> pipes = new HashMap<>();
        ExecGate gate = null;
        boolean started = false;
        try {
            int[] sources = openSources(spec, parentCopies, pipes, openWait);
            gate = ExecGate.create(gateDirectory(), "gate-" + ProcessHandle.current().pid() + "-" + gateSerial.incrementAndGet(), null);
            SpawnThreads.Worker worker = spawnThreads.acquire();
            try (Reaper.Hold held = hold(reaper)) {
                int[] before = worker.children();
                SpawnThreads.Job job = worker.submit(spec, plan, sources, gate.path());
                passGate(spec, plan, gate, job, () -> worker.awaitChild(before, job), job::join);
                int pid = job.join();
                Fd pidfd = own(pid, reaper, onExit);
                started = true;
                return new Spawned(pid, pidfd, pipes, plan.warnings());
            } finally {
                spawnThreads.release(worker);
            }
        } catch (LinuxException e) {
            throw new SpawnException("cannot start " + program + ": " + e.getMessage(), 1, e);
        } finally {
            for (Fd fd : parentCopies) fd.close();
            if (gate != null) gate.close();
            if (!started) for (Fd fd : pipes.values()) fd.close();
        }
    }

    /** The cgroup2 mount and the gate's /proc support, found on the first gated spawn that needs them. */
    private Preflight.Facts facts() {
        Preflight.Facts f = facts;
        if (f == null) facts = f = Preflight.Facts.find();
        return f;
    }

    /** The throwaway-thread path, with the exec gate when the spec needs it. */
    private Spawned spawnIsolated(ProcessSpec spec, Duration openWait, Reaper reaper, Consumer<ExitStatus> onExit) {
        String program = resolveProgram(spec);
        Preflight.Plan plan = Preflight.check(spec, program, unshare);
        List<Fd> parentCopies = new ArrayList<>();
        Map<Integer, Fd> pipes = new HashMap<>();
        ExecGate gate = null;
        boolean started = false;
        try {
            int[] sources = openSources(spec, parentCopies, pipes, openWait);
            if (spec.needsGate()) gate = ExecGate.create(gateDirectory(),
                    "gate-" + ProcessHandle.current().pid() + "-" + gateSerial.incrementAndGet(), spec.credentials());
            Fd pidfd;
            try (Reaper.Hold held = hold(reaper)) {
                ThrowawaySpawn spawn = new ThrowawaySpawn(spec, plan, sources, gate);
                spawn.start();
                if (gate != null) passGate(spec, plan, gate, spawn, () -> ExecGate.awaitChild(spawn), spawn::join);
                int pid = spawn.join();
                pidfd = own(pid, reaper, onExit);
                started = true;
                return new Spawned(pid, pidfd, pipes, plan.warnings());
            }
        } catch (LinuxException e) {
            throw new SpawnException("cannot start " + program + ": " + e.getMessage(), 1, e);
        } finally {
            for (Fd fd : parentCopies) fd.close();
            if (gate != null) gate.close();
            if (!started) for (Fd fd : pipes.values()) fd.close();
        }
    }

    /**
     * Finds the child at the gate, applies the gated settings and releases it. Never lets a
     * half-configured child exec: on any failure the child is killed at the gate, posix_spawn
     * returns (glibc reports a child killed before exec as started) and the child is reaped here.
     * A spawn that failed by itself (its child died before the gate, so the settings found no
     * process) has the truer message, which {@code spawn.join()} then throws instead.
     */
    private static void passGate(ProcessSpec spec, Preflight.Plan plan, ExecGate gate, ExecGate.Spawning spawn,
                                 java.util.function.IntSupplier findChild, Runnable join) {
        int child = findChild.getAsInt();
        if (child <= 0) return;
        try {
            if (spec.credentials() != null && !ExecGate.awaitIds(child, spec.credentials(), spawn)) return;
            ExecGate.apply(spec, plan, child);
            if (spec.listenPid()) ((ThrowawaySpawn) spawn).writeListenPid(child); // never pooled (spawn())
            gate.release(spawn);
        } catch (RuntimeException e) {
            Posix.kill(child, Signals.SIGKILL);
            join.run();
            Wait.waitid(Wait.P_PID, child, Wait.WEXITED);
            if (e instanceof SpawnException se) throw se;
            throw new SpawnException("cannot pass the exec gate of pid " + child + " (" + spec.program() + "): " + e.getMessage(), 1, e);
        }
    }

    /**
     * The directory for gate FIFOs: root-owned, mode 0711 so a child running as another user can
     * enter it (its FIFO is its own) but nobody can list or add entries.
     */
    private Path gateDirectory() {
        Path dir = gateDirectory;
        if (dir != null) return dir;
        synchronized (this) {
            if (gateDirectory != null) return gateDirectory;
            if (gateBase != null) dir = gateBase;
            else if (Files.isDirectory(Path.of("/run")) && Files.isWritable(Path.of("/run"))) dir = Path.of("/run/jinit/gate");
            else dir = Path.of(System.getProperty("java.io.tmpdir"), "jinit-gate-" + Posix.geteuid());
            if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) Fs.mkdir(dir.getParent().toString(), 0755);
            Fs.mkdir(dir.toString(), 0711);
            try {
                Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                Object mode = Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || (int) owner != Posix.geteuid()
                        || ((int) mode & 0022) != 0)
                    throw new SpawnException("exec gate directory " + dir + " must be a directory owned by uid "
                            + Posix.geteuid() + " and writable by nobody else", 1);
            } catch (IOException e) {
                throw new SpawnException("exec gate directory " + dir + ": " + e.getMessage(), 1, e);
            }
            gateDirectory = dir;
            return dir;
        }
    }

    /** Signal state, session and process group: the attributes of every spawn. */
    static void addProcessAttributes(Spawn.Request request, ProcessSpec spec) {
        request.cleanSignals();
        if (spec.newSession()) request.flag(Spawn.POSIX_SPAWN_SETSID);
        if (spec.processGroup() != null) request.processGroup(spec.processGroup());
    }

    /**
     * Opens files and pipes in jinit. Returns, per child descriptor, the jinit descriptor to copy
     * into it. Everything jinit opened for the child goes to {@code parentCopies} (closed after the
     * spawn); jinit's own pipe ends go to {@code pipes}.
     */
    static int[] openSources(ProcessSpec spec, List<Fd> parentCopies, Map<Integer, Fd> pipes, Duration openWait) {
        List<FdSource> fds = spec.fds();
        int[] sources = new int[fds.size()];
        for (int i = 0; i < fds.size(); i++) {
            sources[i] = switch (fds.get(i)) {
                case FdSource.Inherit ignored -> i;
                case FdSource.OpenFd open -> {
                    // An fd that is not open would fail inside posix_spawn as a bare EBADF.
                    if (open.fd() < 0 || !Files.exists(Path.of("/proc/self/fd/" + open.fd()), LinkOption.NOFOLLOW_LINKS))
                        throw new SpawnException("fd " + i + " of " + spec.program() + ": descriptor " + open.fd()
                                + " is not open in jinit", 2);
                    yield open.fd();
                }
                case FdSource.Null ignored -> keep(parentCopies, Posix.open("/dev/null", Posix.O_RDWR | Posix.O_CLOEXEC, 0));
                case FdSource.ReadFile read -> keep(parentCopies, openNonBlocking(read.path(), Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
                case FdSource.WriteFile write -> {
                    // stdout and stderr to one file share one open file description (one offset), as
                    // under systemd; two opens would write over each other from offset 0.
                    int earlier = fds.subList(0, i).indexOf(write);
                    if (earlier >= 0) yield sources[earlier];
                    yield keep(parentCopies, openOutput(write.path(),
                            Posix.O_WRONLY | Posix.O_CREAT | Posix.O_CLOEXEC | write.mode().openFlags(), openWait));
                }
                case FdSource.Pipe pipe -> {
                    Fd[] ends = Posix.pipe(Posix.O_CLOEXEC);
                    Fd childEnd = pipe.childWrites() ? ends[1] : ends[0];
                    pipes.put(i, pipe.childWrites() ? ends[0] : ends[1]);
                    yield keep(parentCopies, childEnd);
                }
            };
        }
        return sources;
    }

    /**
     * Opens a file the child writes to. An open for writing blocks while the path is a FIFO that
     * nobody has open for reading, and a tty may wait for its carrier: so the open is non-blocking
     * (a FIFO without reader then fails at once with ENXIO) and retried until {@code wait} has
     * passed, and O_NONBLOCK is cleared again after, since the child's writes must block as usual.
     */
    static Fd openOutput(Path path, int flags, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 1_000_000;
        while (true) {
            try {
                return openNonBlocking(path, flags, 0644);
            } catch (LinuxException e) {
                if (e.errno() != Errno.ENXIO) throw e;
                if (System.nanoTime() - deadline >= 0)
                    throw new SpawnException(path + " is a FIFO that nobody opened for reading within " + wait.toMillis()
                            + " ms (open: ENXIO)", 1, e);
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 100_000_000);
        }
    }

    /** open(2) with O_NONBLOCK, which is then cleared: the descriptor is as a plain open gives it. */
    static Fd openNonBlocking(Path path, int flags, int mode) {
        Fd fd = Posix.open(path.toString(), flags | Posix.O_NONBLOCK, mode);
        try {
            Fcntl.setFlags(fd.get(), Fcntl.getFlags(fd.get()) & ~Posix.O_NONBLOCK);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static int keep(List<Fd> list, Fd fd) {
        list.add(fd);
        return fd.get();
    }

    /** The two-pass dup2 plan described on the class, then closefrom, then the controlling tty. */
    static void describeFdTable(Spawn.Request request, ProcessSpec spec, int[] sources) {
        describeFdTable(request, spec, sources, sources.length);
    }

    /**
     * As above, but closefrom keeps descriptors below {@code keep}: entries of {@code sources} from
     * the program's own count up to {@code keep} are for file actions that follow (the exec gate),
     * which must close them again.
     *
     * <p>Every descriptor the child's actions create is a low one (the scratch slots, the tty, and
     * the gate's FIFO after closefrom). The exec gate may lower the child's RLIMIT_NOFILE (to 1024
     * for a service without LimitNOFILE=) at any moment after the clone, and dup2 or open refuse a
     * descriptor at or above that limit (EBADF, EMFILE) while jinit itself may hold thousands.
     */
    static void describeFdTable(Spawn.Request request, ProcessSpec spec, int[] sources, int keep) {
        for (int[] dup : dupPlan(sources)) request.dup2(dup[0], dup[1]);
        request.closeFrom(keep);
        if (spec.controllingTty() != null) {
            // Opened in the child after setsid and without O_NOCTTY, so it becomes the controlling
            // terminal; a new session's group is then the foreground group by itself. O_NONBLOCK:
            // a tty without carrier would block this open, and with it posix_spawn and jinit's
            // spawning thread. This descriptor only makes the tty the controlling one: it is closed
            // again, so the flag never reaches the program.
            request.open(keep, spec.controllingTty().toString(), Posix.O_RDWR | Posix.O_NONBLOCK, 0);
            if (spec.foreground()) request.tcsetpgrp(keep);
            request.close(keep);
        } else if (spec.foreground()) {
            // The terminal the child inherited on fd 0; glibc runs this after setpgid with every
            // signal blocked, so a background group may take the terminal without SIGTTOU.
            request.tcsetpgrp(0);
        }
    }

    /**
     * The dup2 calls, in order, that give the child descriptor i what jinit has at sources[i], for
     * every i at once: first each source is copied to a scratch slot that is neither a source nor a
     * target (so a later target never overwrites a source still to be read: swaps, shared
     * sources), then down to its target. Each element is {from, to}.
     */
    static int[][] dupPlan(int[] sources) {
        int[] slots = scratchSlots(sources);
        int[][] plan = new int[2 * sources.length][];
        for (int i = 0; i < sources.length; i++) plan[i] = new int[] {sources[i], slots[i]};
        for (int i = 0; i < sources.length; i++) plan[sources.length + i] = new int[] {slots[i], i};
        return plan;
    }

    /**
     * The dup plan's scratch slots: the lowest descriptors at or above the targets that no source
     * names. In the child every other number is only its copy of one of jinit's descriptors, free
     * to overwrite; low numbers stay below any RLIMIT_NOFILE the exec gate gives the child.
     */
    static int[] scratchSlots(int[] sources) {
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (int s : sources) taken.add(s);
        int[] slots = new int[sources.length];
        int next = sources.length;
        for (int i = 0; i < sources.length; i++) {
            while (taken.contains(next)) next++;
            slots[i] = next++;
        }
        return slots;
    }

    /**
     * The program's path: as given when it contains a slash, else the first executable match in
     * the PATH of the spec's environment (the child's, not jinit's), looked up under the chroot.
     */
    static String resolveProgram(ProcessSpec spec) {
        String program = spec.program();
        if (program.indexOf('/') >= 0) return program;
        String path = spec.env().getOrDefault("PATH", DEFAULT_PATH);
        Path root = spec.rootDirectory() == null ? Path.of("/") : spec.rootDirectory();
        String notExecutable = null;
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            String candidate = dir.endsWith("/") ? dir + program : dir + "/" + program;
            Path onDisk = root.resolve(candidate.substring(1));
            if (!candidate.startsWith("/")) onDisk = Path.of(candidate);
            if (Files.isRegularFile(onDisk)) {
                if (Files.isExecutable(onDisk)) return candidate;
                if (notExecutable == null) notExecutable = candidate;
            }
        }
        if (notExecutable != null) throw new SpawnException(notExecutable + ": permission denied (not executable)", 126);
        throw new SpawnException(program + ": command not found in PATH " + path, 127);
    }

    /**
     * The message for a failed posix_spawn. Its error number alone cannot tell a bad working
     * directory from a missing program (both ENOENT, both EACCES), so the caller passes what
     * access(2) said about each, checked as the child would have seen them.
     */
    static SpawnException explain(int errno, ProcessSpec spec, String program, int wdErr, int ttyErr, int programErr) {
        LinuxException cause = new LinuxException("posix_spawn", program, errno);
        boolean pathError = errno == Errno.ENOENT || errno == Errno.EACCES || errno == Errno.ENOTDIR
                || errno == Errno.ELOOP || errno == Errno.ENAMETOOLONG;
        if (pathError && wdErr != 0)
            return new SpawnException("working directory " + spec.workingDirectory() + ": " + reason(wdErr), 2, cause);
        if (pathError && ttyErr != 0)
            return new SpawnException("controlling tty " + spec.controllingTty() + ": " + reason(ttyErr), 2, cause);
        if (pathError && (programErr == Errno.ENOENT || programErr == Errno.ENOTDIR))
            return new SpawnException(program + ": no such file or directory", 127, cause);
        if (pathError || errno == Errno.ENOEXEC || errno == Errno.EISDIR || errno == Errno.ETXTBSY)
            return new SpawnException(program + ": cannot execute: " + reason(errno), 126, cause);
        return new SpawnException("cannot start " + program + ": " + cause.getMessage(), 1, cause);
    }

    private static String reason(int errno) {
        return Errno.describe(errno) + " (" + Errno.name(errno) + ")";
    }
}
