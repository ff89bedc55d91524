package dev.jinit.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * glibc's posix_spawn family. Every posix_spawn* call returns the error number itself (0 on
 * success) rather than setting errno, so these handles capture nothing.
 *
 * <p>Sizes measured on x86_64 glibc 2.36: file actions 80 bytes, attributes 336, sigset_t 128.
 */
public final class Spawn {
    private Spawn() {}

    public static final long FILE_ACTIONS_SIZE = 80, ATTR_SIZE = 336, SIGSET_SIZE = 128;

    public static final short POSIX_SPAWN_RESETIDS = 0x01, POSIX_SPAWN_SETPGROUP = 0x02,
            POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    private static final FunctionDescriptor INT_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final MethodHandle FA_INIT = Native.call("posix_spawn_file_actions_init", INT_PTR);
    private static final MethodHandle FA_DESTROY = Native.call("posix_spawn_file_actions_destroy", INT_PTR);
    private static final MethodHandle FA_ADDOPEN = Native.call("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDDUP2 = Native.call("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDCLOSE = Native.call("posix_spawn_file_actions_addclose",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FA_ADDCHDIR = Native.call("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FA_ADDFCHDIR = Native.call("posix_spawn_file_actions_addfchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FA_ADDCLOSEFROM = Native.call("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FA_ADDTCSETPGRP = Native.call("posix_spawn_file_actions_addtcsetpgrp_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = Native.call("posix_spawnattr_init", INT_PTR);
    private static final MethodHandle ATTR_DESTROY = Native.call("posix_spawnattr_destroy", INT_PTR);
    private static final MethodHandle ATTR_SETFLAGS = Native.call("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Native.call("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Native.call("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETPGROUP = Native.call("posix_spawnattr_setpgroup",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POSIX_SPAWN = Native.call("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    private static void ok(int rc, String call, Object arg) {
        if (rc != 0) throw new LinuxException(call, String.valueOf(arg), rc);
    }

    /**
     * One posix_spawn call being put together: file actions and attributes live in the arena and are
     * destroyed with it. Not thread-safe; use on one thread.
     */
    public static final class Request implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 8);
        private final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
        private short flags;

        public Request() {
            try {
                ok((int) FA_INIT.invokeExact(actions), "posix_spawn_file_actions_init", "");
                ok((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init", "");
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }

        public Arena arena() { return arena; }

        public Request open(int fd, String path, int oflag, int mode) {
            try {
                ok((int) FA_ADDOPEN.invokeExact(actions, fd, arena.allocateFrom(path), oflag, mode),
                        "posix_spawn_file_actions_addopen", path);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        public Request dup2(int fd, int newFd) {
            try {
                ok((int) FA_ADDDUP2.invokeExact(actions, fd, newFd), "posix_spawn_file_actions_adddup2", fd + " " + newFd);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        public Request close(int fd) {
            try {
                ok((int) FA_ADDCLOSE.invokeExact(actions, fd), "posix_spawn_file_actions_addclose", fd);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        public Request chdir(String path) {
            try {
                ok((int) FA_ADDCHDIR.invokeExact(actions, arena.allocateFrom(path)),
                        "posix_spawn_file_actions_addchdir_np", path);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        /** fchdir(fd) in the child: back to a directory jinit holds open (O_PATH is enough). */
        public Request fchdir(int fd) {
            try {
                ok((int) FA_ADDFCHDIR.invokeExact(actions, fd), "posix_spawn_file_actions_addfchdir_np", fd);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        public Request closeFrom(int from) {
            try {
                ok((int) FA_ADDCLOSEFROM.invokeExact(actions, from), "posix_spawn_file_actions_addclosefrom_np", from);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        /** tcsetpgrp(fd, child's group) in the child, after its group is set. */
        public Request tcsetpgrp(int fd) {
            try {
                ok((int) FA_ADDTCSETPGRP.invokeExact(actions, fd), "posix_spawn_file_actions_addtcsetpgrp_np", fd);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        public Request flag(short flag) {
            flags |= flag;
            return this;
        }

        public Request processGroup(int pgid) {
            try {
                ok((int) ATTR_SETPGROUP.invokeExact(attr, pgid), "posix_spawnattr_setpgroup", pgid);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return flag(POSIX_SPAWN_SETPGROUP);
        }

        /**
         * An empty signal mask and default dispositions for every signal: the JVM's blocked and
         * ignored signals must not leak into the child. The bits are set directly because glibc's
         * sigaddset refuses 32 and 33 (its own); SIGKILL and SIGSTOP cannot be changed anyway.
         * 32 and 33 must be in the default set: otherwise glibc's child sets them to SIG_IGN (it
         * shares the parent's memory, so glibc's handlers must not run there), and an ignored
         * disposition survives exec, showing up as SigIgn 0000000180000000 in every program.
         * SIG_DFL is as safe: only glibc's own threads of the parent are ever sent those signals.
         */
        public Request cleanSignals() {
            MemorySegment empty = arena.allocate(SIGSET_SIZE, 8);
            MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
            long bits = 0;
            for (int sig = 1; sig <= 64; sig++)
                if (sig != Signals.SIGKILL && sig != Signals.SIGSTOP) bits |= 1L << (sig - 1);
            all.set(JAVA_LONG, 0, bits);
            try {
                ok((int) ATTR_SETSIGMASK.invokeExact(attr, empty), "posix_spawnattr_setsigmask", "");
                ok((int) ATTR_SETSIGDEFAULT.invokeExact(attr, all), "posix_spawnattr_setsigdefault", "");
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return flag(POSIX_SPAWN_SETSIGMASK).flag(POSIX_SPAWN_SETSIGDEF);
        }

        /**
         * Calls posix_spawn. Returns the pid, or throws a LinuxException naming the program; when
         * exec itself fails glibc reports that errno here (and has reaped the child already).
         */
        public int spawn(String path, List<String> argv, Map<String, String> env) {
            prepare(path, argv, env);
            ok(launch(), "posix_spawn", path);
            return pid();
        }

        private MemorySegment program, argvArray, envArray, pid;

        /** Builds every native argument of posix_spawn, so that {@link #launch()} allocates nothing. */
        public Request prepare(String path, List<String> argv, Map<String, String> env) {
            program = arena.allocateFrom(path);
            argvArray = stringArray(argv);
            envArray = stringArray(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            pid = arena.allocate(JAVA_INT);
            try {
                ok((int) ATTR_SETFLAGS.invokeExact(attr, flags), "posix_spawnattr_setflags", flags);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
            return this;
        }

        /**
         * posix_spawn with what {@link #prepare} built; returns 0 or the error number and creates no
         * Java objects, so it is safe on a thread whose root directory is a chroot (where the JVM
         * could not load a class from the class path).
         */
        public int launch() {
            try {
                return (int) POSIX_SPAWN.invokeExact(pid, program, actions, attr, argvArray, envArray);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }

        /**
         * The address of the value of {@code key} in the environment {@link #prepare} built (0 when absent), so that
         * another thread can write it while a gated child, which still shares this memory, waits before exec.
         */
        public long envValueAddress(String key, List<String> entries) {
            for (int i = 0; i < entries.size(); i++)
                if (entries.get(i).startsWith(key + "="))
                    return envArray.getAtIndex(ADDRESS, i).address() + key.length() + 1;
            return 0;
        }

        /** The pid {@link #launch()} started. */
        public int pid() {
            return pid.get(JAVA_INT, 0);
        }

        private MemorySegment stringArray(List<String> strings) {
            MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
            for (int i = 0; i < strings.size(); i++) array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
            array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
            return array;
        }

        @Override
        public void close() {
            try {
                int unusedA = (int) FA_DESTROY.invokeExact(actions);
                int unusedB = (int) ATTR_DESTROY.invokeExact(attr);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            } finally {
                arena.close();
            }
        }
    }
}
