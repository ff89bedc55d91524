package dev.jinit.exec;

import dev.jinit.exec.sandbox.MountSetup;
import dev.jinit.exec.sandbox.SandboxException;
import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Fs;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Loopback;
import dev.jinit.linux.Mount;
import dev.jinit.linux.Namespaces;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Prctl;
import dev.jinit.linux.Seccomp;
import dev.jinit.linux.Spawn;
import dev.jinit.linux.ThreadIds;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One spawn on a fresh platform thread that changes its own per-thread state (fs state,
 * namespaces, no_new_privs, bounding set, credentials) so that the child copies it, calls
 * posix_spawn once and ends. Nothing it changed can reach another spawn or any other part of
 * jinit: the thread is never pooled (a thread that unshared CLONE_NEWPID could not even spawn a
 * second child).
 *
 * <p>For a gated spawn the thread stays inside posix_spawn (CLONE_VFORK) until the caller releases
 * the gate; the caller finds the child through {@link #tid()}.
 */
final class ThrowawaySpawn implements Runnable, ExecGate.Spawning {
    /**
     * jinit's dumpable flag before any spawn changed it. A credential change (ours on the spawn
     * thread, the child's RESETIDS while it still shares jinit's memory) resets the flag of the
     * shared mm to fs.suid_dumpable, i.e. makes jinit itself undumpable; it is put back after.
     */
    private static final int DUMPABLE_AT_START = Prctl.prctl(Prctl.PR_GET_DUMPABLE, 0, 0, 0, 0);

    private final ProcessSpec spec;
    private final Preflight.Plan plan;
    private final int[] sources;
    private final ExecGate gate;
    private final Thread thread;
    private final CountDownLatch tidKnown = new CountDownLatch(1);
    private volatile int tid;
    // Written by the spawn thread before it ends, read after join(): Thread.join orders them.
    private int pid;
    private RuntimeException failure;
    /** Written by the spawn thread, read after join(). */
    private boolean seccompInstalled;
    /** Where the LISTEN_PID value lies in the environment posix_spawn gets; published by {@link #envReady}. */
    private volatile long listenPidAddress;
    private final CountDownLatch envReady = new CountDownLatch(1);

    static {
        // What a filtered spawn thread may still need after its filter is on: loaded now, not then.
        Class<?>[] used = {SpawnException.class, LinuxException.class, Errno.class};
        for (Class<?> c : used) c.getName();
    }

    ThrowawaySpawn(ProcessSpec spec, Preflight.Plan plan, int[] sources, ExecGate gate) {
        this.spec = spec;
        this.plan = plan;
        this.sources = sources;
        this.gate = gate;
        this.thread = Thread.ofPlatform().name("jinit-spawn").daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    /** The spawn thread's kernel thread id (waits until the thread has started). */
    int tid() {
        boolean interrupted = false;
        while (true) {
            try {
                tidKnown.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return tid;
    }

    /**
     * Writes the child's pid as its LISTEN_PID (sd_listen_fds(3) checks it against getpid()). The child waits
     * at the gate inside posix_spawn, in jinit's memory (CLONE_VM), and reads its environment only at execve,
     * after the gate: so the pid, unknown before posix_spawn, is in place when the program starts.
     */
    void writeListenPid(int pid) {
        boolean interrupted = false;
        while (true) {
            try {
                envReady.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        long at = listenPidAddress;
        if (at == 0) throw new SpawnException("LISTEN_PID is missing from the environment of " + spec.program(), 1, null);
        byte[] digits = (Integer.toString(pid) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (digits.length > ProcessSpec.LISTEN_PID_PLACEHOLDER.length() + 1)
            throw new SpawnException("pid " + pid + " does not fit LISTEN_PID", 1, null);
        java.lang.foreign.MemorySegment slot = java.lang.foreign.MemorySegment.ofAddress(at).reinterpret(digits.length);
        java.lang.foreign.MemorySegment.copy(digits, 0, slot, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, digits.length);
    }

    @Override
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Waits for the thread; returns the child's pid or throws the spawn's SpawnException. */
    int join() {
        joinUninterruptibly(thread);
        if (seccompInstalled && spec.credentials() != null && DUMPABLE_AT_START == 1)
            Prctl.prctl(Prctl.PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (failure != null) throw failure;
        return pid;
    }

    /** A spawn must not be abandoned half way: an interrupt is kept for later, not obeyed. */
    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public void run() {
        try {
            tid = ThreadIds.gettid();
        } finally {
            tidKnown.countDown();
        }
        try {
            pid = setUpAndSpawn();
        } catch (SpawnException e) {
            failure = e;
        } catch (LinuxException e) {
            failure = new SpawnException("cannot start " + spec.program() + ": " + e.getMessage(), 1, e);
        } catch (RuntimeException | Error e) {
            failure = new SpawnException("cannot start " + spec.program() + ": " + e, 1, e);
        } finally {
            envReady.countDown();
        }
    }

    /**
     * The file actions of a gated spawn. The gate's FIFO is opened after the descriptor table is
     * final and compact, because what jinit applies to the child includes LimitNOFILE=, and it may
     * apply it as soon as the child is cloned: a child whose soft limit was lowered to 1024 could no
     * longer open a descriptor above the thousands jinit may hold (EMFILE). So: the dup2 plan (with jinit's working directory, when the child keeps it, carried as one
     * more entry), the controlling tty, closefrom; then the gate FIFO opened at the first free
     * descriptor (by its name relative to this thread's directory, so it is found under a chroot
     * too) and closed again once released; then the working directory.
     */
    private void describeGatedActions(Spawn.Request request, String workingDirectory, Fd oldCwd) {
        int programFds = sources.length;
        int[] table = sources;
        if (oldCwd != null) {
            table = java.util.Arrays.copyOf(sources, programFds + 1);
            table[programFds] = oldCwd.get();
        }
        Spawner.describeFdTable(request, spec, table, table.length);
        int gateFd = table.length;
        request.open(gateFd, gate.name(), Posix.O_RDONLY, 0);
        request.close(gateFd);
        if (workingDirectory != null) request.chdir(workingDirectory);
        else if (oldCwd != null) request.fchdir(programFds);
        if (oldCwd != null) request.close(programFds);
    }

    private int setUpAndSpawn() {
        if (plan.seccomp() != null) {
            // Installed last, after the mounts: load what it needs while the class path is still in view.
            Seccomp.preload();
        }
        Path root = spec.rootDirectory();
        boolean ownFs = gate != null || spec.umask() != null || root != null || plan.unshareFlags() != 0;
        Fd oldCwd = null;
        Fd realRoot = null;
        Fd jinitMounts = null;
        try {
            if (ownFs) setUp("a private fs state (unshare CLONE_FS)", () -> Namespaces.unshare(Namespaces.CLONE_FS));
            if (gate != null) {
                // The child opens the gate by a name relative to this directory; a child that keeps
                // jinit's working directory returns to it through this descriptor afterwards.
                if (spec.workingDirectory() == null && root == null)
                    oldCwd = Posix.open(".", Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0);
                Fs.chdir(gate.directory().toString());
            }
            boolean mounts = !plan.mounts().isEmpty();
            if (spec.privateTmp() || mounts)
                jinitMounts = Posix.open("/proc/thread-self/ns/mnt", Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
            if (plan.unshareFlags() != 0)
                setUp("new namespaces", () -> Namespaces.unshare(plan.unshareFlags()));
            // As systemd's PrivateNetwork=: a new network namespace has lo up (127.0.0.1, ::1), so
            // daemons configured for loopback work; it still reaches nothing outside.
            if ((plan.unshareFlags() & Namespaces.CLONE_NEWNET) != 0)
                setUp("the loopback interface of the new network namespace", Loopback::up);
            if (spec.umask() != null) Fs.umask(spec.umask());
            // With a user namespace, setpriv drops the bounding set inside it (Preflight): dropped
            // here, it would only keep unshare from mapping root (that needs CAP_SETFCAP).
            if (spec.capabilityBoundingSet() != null && !spec.namespaces().contains(Namespace.USER))
                setUp("CapabilityBoundingSet", this::dropBoundingSet);
            if (spec.noNewPrivileges()) setUp("NoNewPrivileges", Prctl::setNoNewPrivileges);
            Credentials c = spec.credentials();
            boolean ambient = c != null && c.uid() != 0 && spec.ambientCapabilities() != null;
            if (ambient) setUp("uid " + c.uid() + " gid " + c.gid() + " with AmbientCapabilities=", () -> {
                // The child must keep some capabilities across the change to a non-zero uid, which RESETIDS
                // (a seteuid in the child) would clear, ambient set included. So this thread takes every target id
                // itself with SECBIT_KEEP_CAPS (PR_SET_KEEPCAPS, this thread only): the kernel keeps its permitted
                // set and clears its effective and ambient sets, which are raised again here. The child, spawned
                // without RESETIDS, copies these ids and sets; KEEP_CAPS ends at execve, and the program's
                // capabilities are then the ambient set, as systemd's exec_child leaves them.
                Prctl.prctl(8 /* PR_SET_KEEPCAPS */, 1, 0, 0, 0);
                ThreadIds.setGroups(c.groups());
                ThreadIds.setResGid(c.gid(), c.gid(), c.gid());
                ThreadIds.setResUid(c.uid(), c.uid(), c.uid());
                long permitted = dev.jinit.linux.Capabilities.permitted();
                long wanted = spec.ambientCapabilities();
                if ((wanted & ~permitted) != 0)
                    throw new SpawnException("AmbientCapabilities=: jinit does not hold " + dev.jinit.linux.Capabilities.name(
                            Long.numberOfTrailingZeros(wanted & ~permitted)) + " itself", 1, null);
                dev.jinit.linux.Capabilities.setThread(permitted, permitted, wanted);
                for (int cap = 0; cap < 64; cap++) if ((wanted & (1L << cap)) != 0) dev.jinit.linux.Capabilities.raiseAmbient(cap);
            });
            else if (c != null) setUp("uid " + c.uid() + " gid " + c.gid(), () -> {
                // This thread only. Real and saved ids become the target, the effective uid stays 0
                // so the thread keeps its capabilities; POSIX_SPAWN_RESETIDS then sets the child's
                // effective uid to its real one (glibc: setresuid(-1, getuid(), -1)), so every uid
                // of the child is the target and, none being 0 any more, it has no capabilities.
                ThreadIds.setGroups(c.groups());
                ThreadIds.setResGid(c.gid(), c.gid(), c.gid());
                ThreadIds.setResUid(c.uid(), 0, c.uid());
            });

            try (Spawn.Request request = new Spawn.Request()) {
                Spawner.addProcessAttributes(request, spec);
                if (c != null && !ambient) request.flag(Spawn.POSIX_SPAWN_RESETIDS);
                String workingDirectory = workingDirectory();
                if (gate != null) describeGatedActions(request, workingDirectory, oldCwd);
                else {
                    if (workingDirectory != null) request.chdir(workingDirectory);
                    Spawner.describeFdTable(request, spec, sources);
                }
                request.prepare(plan.program(), plan.argv(), spec.env());
                if (spec.listenPid())
                    listenPidAddress = request.envValueAddress(ProcessSpec.LISTEN_PID,
                            spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
                envReady.countDown();

                // The sandbox and the private /tmp are mounted as late as possible and left again
                // right after the launch, like the chroot below: jinit's own class path may lie under
                // /tmp, /home or /root, and a class this thread loaded meanwhile would not be found.
                // The sandbox goes first: a read-only / (ProtectSystem=strict) must not cover the tmpfs.
                if (mounts) {
                    try (MountSetup setup = MountSetup.prepare(plan.mounts(), plan.inaccessibleFile())) {
                        setUp("sandboxing", setup::apply);
                    } catch (SandboxException e) {
                        throw new SpawnException("cannot set up sandboxing for " + spec.program() + ": " + e.getMessage(), 1, e);
                    }
                }
                if (spec.privateTmp()) setUp("PrivateTmp", this::mountPrivateTmp);
                if (root != null) {
                    realRoot = Posix.open("/", Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0);
                    setUp("RootDirectory=" + root, () -> Fs.chroot(root.toString()));
                }
                // The seccomp filter comes last: from here on this thread's own calls pass it too. Its
                // policy lets through what glibc's child does before execve and what this thread does to
                // end (PolicyCompiler.SPAWN_PATH); everything else that would undo a step is skipped.
                boolean filtered = plan.seccomp() != null;
                if (filtered) {
                    setUp("the seccomp filter (SystemCallFilter= and kin)", this::installSeccomp);
                    seccompInstalled = true;
                }
                // Between chroot and its undoing nothing may load a class: the class path is outside
                // the new root. launch() and access() only make downcalls.
                int rc = request.launch();
                int wdErr = 0, ttyErr = 0, programErr = 0;
                if (rc != 0 && !filtered) {
                    // Seen as the child saw them: same root, same real ids.
                    if (workingDirectory != null) wdErr = Fs.access(workingDirectory, Fs.X_OK);
                    if (spec.controllingTty() != null) ttyErr = Fs.access(spec.controllingTty().toString(), Fs.R_OK | Fs.W_OK);
                    programErr = Fs.access(plan.program(), Fs.X_OK);
                }
                // A filtered thread stays where it is and ends: setns or chroot may be refused to it, and it
                // loads no class any more (SpawnException and its kin are loaded before the filter).
                if (jinitMounts != null && !filtered) Namespaces.setns(jinitMounts, Namespaces.CLONE_NEWNS, "jinit's mount namespace");
                if (realRoot != null && !filtered) {
                    // Back to the real root so this thread's last steps (and the JVM's own thread exit)
                    // see the class path again.
                    Fs.fchdir(realRoot.get());
                    Fs.chroot(".");
                }
                if (rc != 0) throw Spawner.explain(rc, spec, plan.program(), wdErr, ttyErr, programErr);
                return request.pid();
            }
        } finally {
            if (oldCwd != null) oldCwd.close();
            if (realRoot != null) realRoot.close();
            if (jinitMounts != null) jinitMounts.close();
            // prctl may be refused to a filtered thread: join() restores the flag (it is the process's) then.
            if (spec.credentials() != null && DUMPABLE_AT_START == 1 && !seccompInstalled)
                Prctl.prctl(Prctl.PR_SET_DUMPABLE, 1, 0, 0, 0);
        }
    }

    /**
     * Installs the unit's seccomp program on this thread only; the child inherits it, jinit's other threads
     * never see it. The kernel wants no_new_privs or CAP_SYS_ADMIN: as systemd, no_new_privs only when the
     * capability is missing (EACCES).
     */
    private void installSeccomp() {
        try {
            Seccomp.installOnThisThread(plan.seccomp());
        } catch (LinuxException e) {
            if (e.errno() != Errno.EACCES) throw e;
            Prctl.setNoNewPrivileges();
            Seccomp.installOnThisThread(plan.seccomp());
        }
    }

    /** The child's working directory as an absolute path inside its root, or null to keep jinit's. */
    private String workingDirectory() {
        Path wd = spec.workingDirectory();
        if (wd == null) return spec.rootDirectory() != null ? "/" : null;
        if (wd.isAbsolute()) return wd.toString();
        return spec.rootDirectory() != null ? "/" + wd : wd.toAbsolutePath().toString();
    }

    /**
     * A fresh tmpfs on /tmp in this thread's new mount namespace. Every mount is made private
     * first, so neither the tmpfs nor anything the child mounts propagates back to the host.
     */
    private void mountPrivateTmp() {
        Mount.mount(null, "/", null, Mount.MS_REC | Mount.MS_PRIVATE, null);
        Path tmp = spec.rootDirectory() == null ? Path.of("/tmp") : spec.rootDirectory().resolve("tmp");
        Mount.mount("tmpfs", tmp.toString(), "tmpfs", Mount.MS_NOSUID | Mount.MS_NODEV, "mode=1777");
    }

    private void dropBoundingSet() {
        long keep = spec.capabilityBoundingSet();
        int last = Prctl.lastCapability();
        for (int cap = 0; cap <= last && cap < 64; cap++)
            if ((keep & (1L << cap)) == 0 && Prctl.inBoundingSet(cap)) Prctl.dropBoundingCapability(cap);
    }

    private void setUp(String attribute, Runnable step) {
        try {
            step.run();
        } catch (LinuxException e) {
            throw new SpawnException("cannot set up " + attribute + " for " + spec.program() + ": " + e.getMessage(), 1, e);
        }
    }
}
