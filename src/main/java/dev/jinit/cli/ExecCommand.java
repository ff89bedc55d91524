package dev.jinit.cli;

import dev.jinit.exec.DirectiveState;
import dev.jinit.exec.Directives;
import dev.jinit.exec.ExitStatus;
import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Reaper;
import dev.jinit.exec.SpawnException;
import dev.jinit.exec.Spawned;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Errno;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Prctl;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Terminals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * {@code jinit exec [-g] [-p Key=Value]... [-t GRACE] -- CMD [ARGS...]}: the tini role. jinit runs
 * one child, forwards signals to it, reaps every orphan, and exits with the child's status. As
 * PID 1 it is the init of a container or PID namespace; otherwise it makes itself a child
 * subreaper so that orphans of the child still come to it.
 *
 * <p>The child always gets its own process group (so that "its group" means the child and what it
 * started, never jinit). When jinit's stdin is a terminal on which jinit is in the foreground, the
 * child's group becomes the foreground group, so ctrl-C and ctrl-Z reach the child directly.
 *
 * <p>When the child exits, what is left gets SIGTERM, then SIGKILL after the grace period: as PID
 * 1 every other process ({@code kill(-1)}); otherwise the child's process group and every process
 * reparented to jinit. jinit reaps them all before it exits.
 */
public final class ExecCommand {
    private ExecCommand() {}

    static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /** After SIGKILL, how long jinit waits for the kernel to finish them before it exits anyway. */
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    static final String HELP = """
            usage: jinit exec [-g] [-p Key=Value]... [-t GRACE] [--] CMD [ARGS...]

            Runs CMD as the only child of jinit, forwards signals to it, reaps every orphan, and exits
            with CMD's exit code (128+N when CMD is killed by signal N). Not PID 1: jinit becomes a
            child subreaper. When CMD exits, leftover processes (its process group, processes
            reparented to jinit, or as PID 1 every process) get SIGTERM, then SIGKILL after GRACE.

              -g             forward signals to CMD's whole process group, not only to CMD
              -p Key=Value   set a spawn attribute by its systemd directive name (repeatable):
                             User= Group= SupplementaryGroups= WorkingDirectory= Environment=
                             UMask= RootDirectory= Limit*= (LimitNOFILE=, LimitCORE=, ...) Nice=
                             OOMScoreAdjust= CPUAffinity= NoNewPrivileges= CapabilityBoundingSet=
                             PrivateNetwork= PrivateTmp= ProtectHostname= PrivateIPC= PrivateMounts=
                             PrivatePIDs= PrivateUsers= StandardOutput= StandardError= (file:PATH,
                             append:PATH, truncate:PATH, null, inherit) Slice=NAME.slice (cgroup v2)
                             ProtectSystem= ProtectHome= PrivateDevices= ReadWritePaths=
                             ReadOnlyPaths= InaccessiblePaths= TemporaryFileSystem= BindPaths=
                             BindReadOnlyPaths= ProtectKernelTunables= ProtectKernelModules=
                             ProtectKernelLogs= ProtectControlGroups= ProtectClock= ProtectProc=
              -t GRACE       time between SIGTERM and SIGKILL for leftovers (default 5s; a systemd
                             time span such as 500ms or 1min; env JINIT_KILL_GRACE)
              -h, --help     this text

            Forwarded signals: TERM INT HUP USR1 USR2 WINCH CONT PWR ALRM TSTP URG VTALRM PROF IO XCPU
            XFSZ STKFLT. QUIT cannot be forwarded: the JVM keeps it for thread dumps; nor can real-time
            signals. TTIN and TTOU are not forwarded (as with tini).

            Exit codes: CMD's own; 127 when CMD does not exist, 126 when it cannot be executed, 2 for
            bad options, users, groups or values (nothing is started then).
            """;

    /** A parsed command line. */
    record Options(boolean group, List<Map.Entry<String, String>> properties, Duration grace, List<String> command,
                   boolean help) {
        Options {
            properties = List.copyOf(properties);
            command = List.copyOf(command);
        }
    }

    /**
     * Parses options by hand: {@code -g}, {@code -p K=V} or {@code -pK=V}, {@code -t GRACE},
     * {@code -h}; the command starts after {@code --} or at the first word that is not an option.
     *
     * @throws IllegalArgumentException naming the bad option or value
     */
    static Options parse(List<String> args, Map<String, String> env) {
        boolean group = false, help = false;
        List<Map.Entry<String, String>> props = new ArrayList<>();
        String graceText = env.get("JINIT_KILL_GRACE");
        String graceSource = "JINIT_KILL_GRACE";
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) break;
            switch (a) {
                case "-g" -> group = true;
                case "-h", "--help" -> help = true;
                case "-p", "-t", "--grace" -> {
                    if (i + 1 >= args.size()) throw new IllegalArgumentException("option " + a + " needs a value");
                    String v = args.get(++i);
                    if (a.equals("-p")) props.add(property(v));
                    else {
                        graceText = v;
                        graceSource = a;
                    }
                }
                default -> {
                    if (a.startsWith("-p") && a.length() > 2) props.add(property(a.substring(2)));
                    else if (a.startsWith("-t") && a.length() > 2) {
                        graceText = a.substring(2);
                        graceSource = "-t";
                    } else throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
        }
        Duration grace = DEFAULT_GRACE;
        if (graceText != null) {
            try {
                grace = Directives.parseDuration(graceText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(graceSource + " " + graceText + ": " + e.getMessage());
            }
        }
        List<String> command = args.subList(i, args.size());
        if (command.isEmpty() && !help) throw new IllegalArgumentException("no command given");
        return new Options(group, props, grace, command, help);
    }

    private static Map.Entry<String, String> property(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("-p " + kv + ": expected Key=Value");
        String key = kv.substring(0, eq);
        String value = kv.substring(eq + 1);
        if (!Directives.isSpawnDirective(key)) throw new IllegalArgumentException("-p " + kv + ": unknown directive " + key);
        if ((key.equals("StandardOutput") || key.equals("StandardError")) && value.strip().equals("journal"))
            throw new IllegalArgumentException("-p " + kv + ": jinit exec has no journal; use file:PATH, append:PATH, "
                    + "truncate:PATH, null or inherit");
        return Map.entry(key, value);
    }

    /**
     * The child's spec: jinit's environment (passed through as tini does), its own process group,
     * the -p directives, and foreground on jinit's terminal when {@code foreground}.
     *
     * @throws IllegalArgumentException naming the directive and value, user or group at fault
     */
    static ProcessSpec buildSpec(Options o, Map<String, String> env, boolean foreground, DirectiveState st) {
        ProcessSpec.Builder b = ProcessSpec.builder(o.command()).env(env).processGroup(0).foreground(foreground);
        for (var p : o.properties()) {
            try {
                Directives.apply(b, st, p.getKey(), p.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-p " + e.getMessage(), e);
            }
        }
        try {
            Directives.finish(b, st);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-p " + e.getMessage(), e);
        }
        ProcessSpec spec = b.build();
        for (FdSource fd : spec.fds())
            if (fd instanceof FdSource.Pipe) throw new IllegalArgumentException("jinit exec cannot give the child a pipe");
        return spec;
    }

    /**
     * Runs {@code jinit exec}; returns the exit code (the child's, or 2/126/127 for bad input, or 1
     * when a Linux call jinit itself needs fails).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return runChecked(args, out, err);
        } catch (LinuxException e) {
            err.println("jinit exec: " + e.getMessage());
            return 1;
        }
    }

    private static int runChecked(String[] args, PrintStream out, PrintStream err) {
        Options o;
        ProcessSpec spec;
        try {
            o = parse(List.of(args), System.getenv());
            if (o.help()) {
                out.print(HELP);
                return 0;
            }
            spec = buildSpec(o, System.getenv(), onForegroundTerminal(), new DirectiveState());
        } catch (IllegalArgumentException e) {
            err.println("jinit exec: " + e.getMessage());
            return 2;
        }
        boolean pid1 = Posix.getpid() == 1;
        if (!pid1) Prctl.setChildSubreaper(true);
        SignalForwarder forwarder = new SignalForwarder(o.group());
        for (String name : forwarder.install()) err.println("jinit exec: the JVM does not let jinit forward SIG" + name);
        Reaper reaper = Reaper.start();
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        Spawned child;
        try {
            child = new Spawner().spawn(spec, reaper, exit::complete);
        } catch (SpawnException e) {
            err.println("jinit exec: " + e.getMessage());
            return e.shellCode();
        }
        for (String warning : child.warnings()) err.println("jinit exec: " + warning);
        forwarder.child(child.pid(), child.pidfd(), reaper);
        ExitStatus status = awaitUninterruptibly(exit);
        cleanUp(child.pid(), pid1, o.grace(), reaper, err);
        return status.shellCode();
    }

    /** Whether stdin is a terminal whose foreground group is jinit's: then the child may take it over. */
    private static boolean onForegroundTerminal() {
        return Terminals.isatty(0) && Terminals.foregroundGroup(0) == Terminals.processGroup();
    }

    private static ExitStatus awaitUninterruptibly(CompletableFuture<ExitStatus> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM to what is left, SIGKILL after {@code grace}, and every one reaped. SIGTERM is sent
     * once (a program may treat a second one as "hurry"); SIGKILL is re-sent on every round of the
     * wait, so a process that a leftover started in the meantime (or that was reparented to jinit
     * later) is not missed.
     */
    static void cleanUp(int childPgid, boolean pid1, Duration grace, Reaper reaper, PrintStream err) {
        if (!signalLeftovers(childPgid, pid1, Signals.SIGTERM)) return;
        if (!waitUntilGone(childPgid, pid1, grace, 0)) {
            err.println("jinit exec: leftover processes did not stop within " + grace.toMillis() + " ms; sending SIGKILL");
            if (!waitUntilGone(childPgid, pid1, KILL_WAIT, Signals.SIGKILL))
                err.println("jinit exec: processes still left after SIGKILL; exiting anyway");
        }
        try {
            reaper.awaitNoChildren(KILL_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends {@code signal} (0: only checks) to every leftover; false when there were none. */
    private static boolean signalLeftovers(int pgid, boolean pid1, int signal) {
        if (pid1) return kill(-1, signal); // as PID 1: every process in the namespace but jinit
        boolean any = kill(-pgid, signal);
        for (int pid : children()) any |= kill(pid, signal);
        return any;
    }

    /** Polls until no leftover remains, sending {@code resend} (unless 0) on each round. */
    private static boolean waitUntilGone(int pgid, boolean pid1, Duration timeout, int resend) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean gone = !signalLeftovers(pgid, pid1, resend);
            if (gone) return true;
            if (System.nanoTime() >= deadline) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** kill(2) where a missing target is a normal answer (false), not an error. */
    private static boolean kill(int pid, int signal) {
        try {
            return Posix.kill(pid, signal);
        } catch (LinuxException e) {
            if (e.errno() == Errno.EPERM) return true;
            throw e;
        }
    }

    /** jinit's children, zombies included, from /proc/self/task/* /children. */
    static List<Integer> children() {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    for (String p : Files.readString(t.resolve("children")).strip().split("\\s+"))
                        if (!p.isEmpty()) out.add(Integer.parseInt(p));
                } catch (IOException threadGone) {
                    // the thread ended while the list was read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/task: " + e.getMessage(), e);
        }
        return out;
    }
}
