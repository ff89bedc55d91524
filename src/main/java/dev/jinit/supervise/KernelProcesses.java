package dev.jinit.supervise;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Pidfd;
import dev.jinit.linux.Posix;

/** The real {@link Ports.Processes}: /proc, pidfds and kill(2). */
public final class KernelProcesses implements Ports.Processes {
    public static final KernelProcesses INSTANCE = new KernelProcesses();

    private KernelProcesses() {}

    @Override
    public ProcTable.Entry stat(int pid) {
        return ProcTable.readStat(pid);
    }

    @Override
    public String cgroupOf(int pid) {
        return ProcTable.cgroupOf(pid);
    }

    @Override
    public int self() {
        return (int) ProcessHandle.current().pid();
    }

    @Override
    public Ports.Liveness watch(int pid) {
        Fd pidfd;
        try {
            pidfd = Pidfd.open(pid);
        } catch (RuntimeException gone) {
            return null;
        }
        return new Ports.Liveness() {
            @Override
            public boolean alive() {
                return KernelProcesses.alive(pid, pidfd);
            }

            @Override
            public void close() {
                pidfd.close();
            }
        };
    }

    /**
     * A zombie still takes signal 0 through its pidfd: its state in /proc tells. When /proc cannot
     * be read for want of descriptors, a process that took signal 0 is taken to be alive: the
     * careful answer (a stop goes on waiting, with its timeout and SIGKILL).
     */
    static boolean alive(int pid, Fd pidfd) {
        if (!Pidfd.sendSignal(pidfd, 0)) return false;
        try {
            ProcTable.Entry now = ProcTable.readStatStrict(pid);
            return now != null && now.state() != 'Z' && now.state() != 'X';
        } catch (java.io.UncheckedIOException outOfDescriptors) {
            return true;
        }
    }

    @Override
    public void kill(int pid, int signal) {
        Posix.kill(pid, signal);
    }

    @Override
    public Ports.Handle open(int pid) {
        try {
            return new PidfdHandle(pid, Pidfd.open(pid));
        } catch (RuntimeException gone) {
            return null;
        }
    }

    @Override
    public Ports.Handle adopt(int pid, Fd pidfd) {
        return pidfd != null ? new PidfdHandle(pid, pidfd) : open(pid);
    }

    /** A process by its pidfd. */
    private record PidfdHandle(int pid, Fd pidfd) implements Ports.Handle {
        @Override
        public boolean signal(int signal) {
            return Pidfd.sendSignal(pidfd, signal);
        }

        @Override
        public boolean alive() {
            return KernelProcesses.alive(pid, pidfd);
        }

        @Override
        public void close() {
            pidfd.close();
        }
    }
}
