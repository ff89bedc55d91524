package dev.jinit.boot;

import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.system.Part;
import dev.jinit.system.Supervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code jinit.shell=TTY}: a shell on /dev/TTY, the way a getty would leave it: a session leader with
 * the tty as its controlling terminal and its group in the foreground, so ctrl-C and job control work.
 * It is started again when it exits; like systemd's getty units (start limit 5 in 10 s), a shell that
 * keeps dying at once is paused between tries instead of spinning, and never given up on: it is the way
 * into a machine whose units are broken.
 *
 * <p>{@code busybox sh} when the image has busybox, else /bin/sh. The shell finds jinit's control
 * socket at its default place (/run/jinit/control.sock for root), so {@code jinit status} needs no option.
 */
public final class ConsoleShell implements Part {
    static final int BURST = 5;
    static final Duration BURST_WINDOW = Duration.ofSeconds(10);
    static final Duration PAUSE = Duration.ofSeconds(10);
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path tty;
    private final BootConsole console;
    private volatile boolean stopping;
    private volatile int pid;
    private Thread thread;

    /** @param tty the name under /dev (ttyS0) */
    public ConsoleShell(String tty, BootConsole console) {
        this.tty = Path.of("/dev").resolve(tty);
        this.console = console;
    }

    @Override
    public String name() {
        return "console shell on " + tty;
    }

    @Override
    public AutoCloseable start(Supervisor supervisor) {
        thread = Thread.ofPlatform().name("jinit-console-shell").daemon(true).start(() -> loop(supervisor));
        return this::stop;
    }

    /** The shell program: busybox's when there is one (its sh has line editing), else /bin/sh. */
    static ProcessSpec.Builder shellCommand() {
        for (String busybox : new String[] {"/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"})
            if (Files.isExecutable(Path.of(busybox))) return ProcessSpec.builder(busybox, "sh", "-l");
        return ProcessSpec.builder("/bin/sh", "-l");
    }

    /** A virtual console (tty1) is the kernel's "linux" terminal; a serial line or a pty gets the common vt102. */
    private String terminalType() {
        String name = tty.getFileName().toString();
        return name.matches("tty[0-9]+") ? "linux" : "vt102";
    }

    private void loop(Supervisor supervisor) {
        Spawner spawner = new Spawner();
        Deque<Long> starts = new ArrayDeque<>();
        while (!stopping) {
            try {
                long now = System.nanoTime();
                while (!starts.isEmpty() && now - starts.peekFirst() > BURST_WINDOW.toNanos()) starts.removeFirst();
                if (starts.size() >= BURST) {
                    console.line(name() + " exited " + BURST + " times within " + BURST_WINDOW.toSeconds()
                            + " s; next try in " + PAUSE.toSeconds() + " s");
                    starts.clear();
                    sleep(PAUSE);
                    continue;
                }
                starts.addLast(now);
                CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
                int kept = keptShell(supervisor);
                if (kept > 0) {
                    // daemon-reexec: the shell started before is still this process's child: followed, not doubled.
                    pid = kept;
                    supervisor.reaper().register(pid, exit::complete);
                    console.line("kept " + name() + " (pid " + pid + ") across the re-exec");
                } else try (Fd terminal = Posix.open(tty.toString(), Posix.O_RDWR | Posix.O_NOCTTY | Posix.O_CLOEXEC, 0)) {
                    FdSource fd = new FdSource.OpenFd(terminal.get());
                    ProcessSpec spec = shellCommand().stdin(fd).stdout(fd).stderr(fd)
                            .env(Map.of("PATH", PATH, "HOME", "/root", "SHELL", "/bin/sh", "TERM", terminalType()))
                            .workingDirectory(Files.isDirectory(Path.of("/root")) ? Path.of("/root") : Path.of("/"))
                            .newSession(true).controllingTty(tty).build();
                    pid = spawner.spawn(spec).pid();
                    supervisor.reaper().register(pid, exit::complete);
                    recordShell(supervisor, pid);
                    console.line("started " + name() + " (pid " + pid + ")");
                }
                ExitStatus status = exit.get();
                pid = 0;
                if (!stopping) console.line(name() + " exited (" + status + "), starting it again");
            } catch (InterruptedException e) {
                if (stopping) return;
            } catch (Exception | LinkageError e) {
                // Never ends the loop: the tty may appear later (a module), the shell may be fixed.
                console.line(name() + ": " + e.getMessage() + "; next try in " + PAUSE.toSeconds() + " s");
                sleep(PAUSE);
            }
        }
    }

    static final String SHELL_FILE = "console-shell";

    /** The shell's pid and start time, for this process's image after a daemon-reexec. */
    private void recordShell(Supervisor supervisor, int pid) {
        try {
            Files.writeString(supervisor.stateDir().resolve(SHELL_FILE), pid + " " + Supervisor.processStartTime(pid) + "\n");
        } catch (java.io.IOException | RuntimeException e) {
            console.line(name() + ": cannot record its pid (" + e.getMessage() + "); a daemon-reexec would start a second one");
        }
    }

    /** The recorded shell when it is still this process's child (same start time), once; else 0. */
    private int keptShell(Supervisor supervisor) {
        Path file = supervisor.stateDir().resolve(SHELL_FILE);
        try {
            String[] f = Files.readString(file).strip().split(" ");
            Files.deleteIfExists(file);
            int p = Integer.parseInt(f[0]);
            String stat = Files.readString(Path.of("/proc", f[0], "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            boolean child = fields[1].equals(Integer.toString(Posix.getpid()));
            return child && f.length > 1 && f[1].equals(Supervisor.processStartTime(p)) ? p : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private void stop() {
        stopping = true;
        int p = pid;
        // Its whole session: the shell and what runs in its foreground. A shell ignores SIGTERM, not SIGHUP.
        if (p > 0) {
            Posix.kill(-p, Signals.SIGHUP);
            Posix.kill(-p, Signals.SIGCONT);
        }
        if (thread != null) thread.interrupt();
    }

    private void sleep(Duration d) {
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            // stop() interrupts: the loop checks stopping
        }
    }
}
