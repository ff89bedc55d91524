package dev.jinit.exec;

import dev.jinit.linux.Errno;
import dev.jinit.linux.Fd;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Spawn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts processes exactly as a {@link ProcessSpec} says, with glibc's posix_spawn (clone with
 * CLONE_VM|CLONE_VFORK: the one safe way to start a process from a multithreaded JVM).
 *
 * <p>The fd table is built in two passes so that no source descriptor is overwritten before it is
 * copied: every source is first dup'ed above all sources and targets, then down to its target;
 * {@code closefrom} then closes everything the spec did not ask for. Files are opened by jinit
 * (not by the child) so that a root-only log file can be handed to a child that runs as nobody,
 * and so that an open error names the file before anything is spawned.
 */
public final class Spawner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public Spawned spawn(ProcessSpec spec) {
        if (spec.needsThrowawayThread() || spec.needsGate())
            throw new SpawnException("spawn attributes beyond the basic set are not available in this build", 1);
        String program = resolveProgram(spec);
        List<Fd> parentCopies = new ArrayList<>();
        Map<Integer, Fd> pipes = new HashMap<>();
        boolean started = false;
        try (Spawn.Request request = new Spawn.Request()) {
            int[] sources = openSources(spec, parentCopies, pipes);
            describeFdTable(request, spec, sources);
            int pid = spawnWithRequest(request, spec, program);
            started = true;
            return new Spawned(pid, pipes);
        } catch (LinuxException e) {
            throw translate(e, spec, program);
        } finally {
            for (Fd fd : parentCopies) fd.close();
            if (!started) for (Fd fd : pipes.values()) fd.close();
        }
    }

    /** Adds session, group, tty and signal attributes, then spawns. */
    static int spawnWithRequest(Spawn.Request request, ProcessSpec spec, String program) {
        request.cleanSignals();
        if (spec.newSession()) request.flag(Spawn.POSIX_SPAWN_SETSID);
        if (spec.processGroup() != null) request.processGroup(spec.processGroup());
        if (spec.workingDirectory() != null) request.chdir(spec.workingDirectory().toString());
        return request.spawn(program, spec.argv(), spec.env());
    }

    /**
     * Opens files and pipes in jinit. Returns, per child descriptor, the jinit descriptor to copy
     * into it. Everything jinit opened for the child goes to {@code parentCopies} (closed after the
     * spawn); jinit's own pipe ends go to {@code pipes}.
     */
    static int[] openSources(ProcessSpec spec, List<Fd> parentCopies, Map<Integer, Fd> pipes) {
        List<FdSource> fds = spec.fds();
        int[] sources = new int[fds.size()];
        for (int i = 0; i < fds.size(); i++) {
            sources[i] = switch (fds.get(i)) {
                case FdSource.Inherit ignored -> i;
                case FdSource.OpenFd open -> open.fd();
                case FdSource.Null ignored -> keep(parentCopies, Posix.open("/dev/null", Posix.O_RDWR | Posix.O_CLOEXEC, 0));
                case FdSource.ReadFile read -> keep(parentCopies, Posix.open(read.path().toString(), Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
                case FdSource.WriteFile write -> keep(parentCopies, Posix.open(write.path().toString(),
                        Posix.O_WRONLY | Posix.O_CREAT | Posix.O_CLOEXEC | (write.append() ? Posix.O_APPEND : Posix.O_TRUNC), 0644));
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

    private static int keep(List<Fd> list, Fd fd) {
        list.add(fd);
        return fd.get();
    }

    /** The two-pass dup2 plan described on the class, then the controlling tty, then closefrom. */
    static void describeFdTable(Spawn.Request request, ProcessSpec spec, int[] sources) {
        int base = sources.length;
        for (int s : sources) base = Math.max(base, s + 1);
        for (int i = 0; i < sources.length; i++) request.dup2(sources[i], base + i);
        for (int i = 0; i < sources.length; i++) request.dup2(base + i, i);
        if (spec.controllingTty() != null) {
            // Opened in the child after setsid and without O_NOCTTY, so it becomes the controlling
            // terminal; a new session's group is then the foreground group by itself.
            int ttyFd = base + sources.length;
            request.open(ttyFd, spec.controllingTty().toString(), Posix.O_RDWR, 0);
            if (spec.foreground()) request.tcsetpgrp(ttyFd);
        }
        request.closeFrom(sources.length);
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

    /** Turns a failed call into the message a user needs, with a shell exit code. */
    static SpawnException translate(LinuxException e, ProcessSpec spec, String program) {
        if (e.call().equals("posix_spawn")) {
            int errno = e.errno();
            if (errno == Errno.ENOENT) {
                if (spec.workingDirectory() != null && !Files.isDirectory(rooted(spec, spec.workingDirectory())))
                    return new SpawnException("working directory " + spec.workingDirectory() + ": no such directory", 1, e);
                return new SpawnException(program + ": no such file or directory", 127, e);
            }
            if (errno == Errno.EACCES || errno == Errno.ENOEXEC || errno == Errno.EISDIR || errno == Errno.ETXTBSY)
                return new SpawnException(program + ": cannot execute: " + Errno.describe(errno) + " (" + Errno.name(errno) + ")", 126, e);
            return new SpawnException("cannot start " + program + ": " + e.getMessage(), 1, e);
        }
        return new SpawnException("cannot start " + program + ": " + e.getMessage(), 1, e);
    }

    private static Path rooted(ProcessSpec spec, Path p) {
        if (spec.rootDirectory() == null || !p.isAbsolute()) return p;
        return spec.rootDirectory().resolve(p.toString().substring(1));
    }
}
