package dev.jinit.boot;

import dev.jinit.control.StateDir;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Loopback;
import dev.jinit.linux.Mount;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Reboot;
import dev.jinit.linux.Stdio;
import dev.jinit.linux.SystemIdentity;
import dev.jinit.system.Part;
import dev.jinit.system.StopRequest;
import dev.jinit.system.Supervisor;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import sun.misc.Signal;

/**
 * jinit as PID 1: brings the machine up step by step, runs the units through the same {@link Supervisor}
 * as {@code jinit run}, and on a shutdown request takes it down so that nothing written is lost.
 *
 * <p>PID 1 must never exit (the kernel panics when it does) and must keep going when a step fails: every
 * step reports its failure on the console and the next one runs. The JVM's default handlers of SIGTERM,
 * SIGINT and SIGHUP would exit, so busybox init's signals are claimed first of all.
 */
public final class BootMode {

    /** busybox init's conventions, which the README lists. */
    public static final Map<String, StopRequest> SIGNALS = Map.of("USR2", StopRequest.POWEROFF, "PWR", StopRequest.POWEROFF,
            "USR1", StopRequest.HALT, "TERM", StopRequest.REBOOT, "INT", StopRequest.REBOOT);

    /**
     * How this boot runs.
     *
     * @param machine    the machine's PID 1 (the kernel started it): takes the console, remounts /,
     *                   flushes block devices and unmounts everything at the end. False for
     *                   {@code jinit boot}, which is PID 1 of a PID namespace only.
     * @param cmdline    the file holding the kernel command line (/proc/cmdline)
     * @param units      overrides {@code jinit.units=}, or null
     * @param stateDir   the control socket's directory (/run/jinit)
     * @param parts      more parts (network, HTTP API) made from the boot options, or null
     */
    public record Settings(boolean machine, Path cmdline, Path units, Path stateDir, ExtraParts parts) {}

    /** Makes the parts that live outside this package (network, HTTP API) from what the boot found. */
    @FunctionalInterface
    public interface ExtraParts {
        List<Part> make(BootOptions options, Path units, Path stateDir, PrintStream console);
    }

    private final Settings settings;
    private final BootConsole console;
    private final PrintStream out;
    /** Signals that came before the supervisor's handlers replaced the early ones. */
    private final ConcurrentLinkedQueue<String> pendingSignals;

    /** What the console step said, and the mounts made before the console existed. */
    private final String stdio;
    private final List<String> ownMounts;

    private BootMode(Settings settings, BootConsole console, ConcurrentLinkedQueue<String> pending,
                     String stdio, List<String> ownMounts) {
        this.settings = settings;
        this.stdio = stdio;
        this.ownMounts = ownMounts;
        this.console = console;
        this.out = console.stream();
        this.pendingSignals = pending;
    }

    /** The machine's PID 1: never returns. */
    public static void runAsMachineInit(Settings settings) {
        boot(settings);
        // reboot(2) returned: it failed. There is nothing left to do but not to exit.
        while (true) LockSupport.park();
    }

    /**
     * Boots and shuts down; returns only when reboot(2) failed (in a PID namespace it ends this process
     * instead). The returned status is for {@code jinit boot}.
     */
    public static int boot(Settings settings) {
        var pending = claimSignalsEarly();
        List<String> ownMounts = new ArrayList<>();
        String stdio = settings.machine() ? takeConsole(ownMounts) : "stdio on the console jinit boot was started on";
        BootConsole console = new BootConsole(new FileOutputStream(FileDescriptor.out), System::nanoTime);
        BootMode mode = new BootMode(settings, console, pending, stdio, ownMounts);
        System.setOut(mode.out);
        System.setErr(mode.out);
        Thread.setDefaultUncaughtExceptionHandler((t, e) ->
                console.line("uncaught in thread " + t.getName() + " (contained): " + e));
        try {
            mode.run();
        } catch (Throwable t) {
            // The last net: whatever happened, PID 1 goes on to an orderly end instead of dying.
            console.line("internal error (contained), shutting down: " + t);
            try {
                new Shutdown(console, settings.machine(), List.of()).finish(StopRequest.POWEROFF);
            } catch (Throwable again) {
                console.line("shutdown failed: " + again);
            }
        }
        return 1;
    }

    /** Before anything else: the JVM's own handlers of these signals would end PID 1. */
    private static ConcurrentLinkedQueue<String> claimSignalsEarly() {
        var pending = new ConcurrentLinkedQueue<String>();
        for (String sig : List.of("TERM", "INT", "HUP", "USR1", "USR2", "PWR")) {
            try {
                Signal.handle(new Signal(sig), s -> pending.add(s.getName()));
            } catch (IllegalArgumentException e) {
                // not handled on this JVM: the kernel ignores it for PID 1 by default
            }
        }
        return pending;
    }

    /**
     * stdio on /dev/console, with devtmpfs mounted first when the initramfs has no /dev/console node.
     * Returns what happened, for the console once it is there.
     */
    private static String takeConsole(List<String> ownMounts) {
        String how = "stdio on /dev/console";
        try {
            if (!Files.exists(Path.of("/dev/console"))) {
                Files.createDirectories(Path.of("/dev"));
                Mount.mount("devtmpfs", "/dev", "devtmpfs", Mount.MS_NOSUID, "mode=0755");
                ownMounts.add("/dev");
                how += " (mounted devtmpfs on /dev for it)";
            }
            Stdio.attach("/dev/console");
            return how;
        } catch (IOException | LinuxException e) {
            // Keep what the kernel gave us (maybe nothing); the steps below still run.
            return "cannot put stdio on /dev/console: " + e.getMessage();
        }
    }

    private void run() {
        long started = System.nanoTime();
        console.line("jinit boot: PID " + Posix.getpid() + (settings.machine() ? ", the machine's init" : ", init of a PID namespace (jinit boot)"));
        console.line(stdio);
        // Ctrl-Alt-Del becomes SIGINT to PID 1 instead of an immediate reboot by the kernel.
        if (settings.machine()) {
            step("ctrl-alt-del", () -> {
                Reboot.reboot(Reboot.CMD_CAD_OFF);
                console.line("ctrl-alt-del sends SIGINT to jinit");
            });
        } else {
            console.line("ctrl-alt-del: left to the machine's init (reboot(CAD_OFF) is EINVAL in a PID namespace)");
        }
        // After daemon-reexec this process did the machine's steps already: they are not done twice, and
        // what it mounted is still its own to unmount at shutdown.
        boolean again = Supervisor.reexecuted(settings.stateDir());
        BootOptions options;
        if (again) {
            console.line("re-executed (daemon-reexec): mounts, hostname, loopback and modules were done before; taking the units over");
            ownMounts.clear();
            ownMounts.addAll(readMounts());
            options = readCommandLine();
            console.setDebug(options.debug());
        } else {
            step("mounts", () -> ownMounts.addAll(EarlyMounts.mountMissing(console)));
            options = readCommandLine();
            console.setDebug(options.debug());
            step("root filesystem", () -> remountRoot(options.root()));
            options.hostname().ifPresent(h -> step("hostname", () -> {
                SystemIdentity.setHostname(h);
                console.line("hostname set to " + h);
            }));
            step("loopback", () -> {
                Loopback.up();
                console.line("loopback interface up");
            });
            step("modules", () -> loadModules(options));
        }

        List<Part> parts = new ArrayList<>();
        if (options.consoleOutput()) parts.add(new ConsoleEcho(out));
        options.shell().ifPresent(tty -> parts.add(new ConsoleShell(tty, console)));
        Path units = settings.units() != null ? settings.units() : options.units();
        if (settings.parts() != null) step("parts", () -> parts.addAll(settings.parts().make(options, units, settings.stateDir(), out)));

        Supervisor supervisor = null;
        try {
            // The machine's PID 1 runs the system's generators (systemd.generator(7)) as systemd does;
            // 'jinit boot' shares the host's /etc and /usr, whose generators describe the host.
            supervisor = Supervisor.start(new Supervisor.Options(units, settings.stateDir(), Path.of("/run"),
                    Path.of("/var/lib"), Path.of("/var/log"), false, SIGNALS, null, true, out, out, null,
                    settings.machine() ? new dev.jinit.supervise.Generators.Settings(dev.jinit.supervise.Generators.SYSTEM_DIRS,
                            dev.jinit.supervise.Generators.DEFAULT_TIMEOUT) : dev.jinit.supervise.Generators.Settings.NONE), parts);
        } catch (RuntimeException | Error e) {
            console.line("cannot start the supervisor (" + e + "); no units will run. Waiting for a shutdown signal"
                    + " (SIGUSR2 powers off)");
        }
        StopRequest request;
        if (supervisor != null) {
            Supervisor s = supervisor;
            step("recording the mounts", this::saveMounts);
            s.allowReexec();
            forwardEarlySignals(s);
            console.line(String.format(Locale.ROOT, "boot steps done in %.3f s", (System.nanoTime() - started) / 1e9));
            // The units load off this thread; a directory that cannot be read leaves PID 1 up and says how to go on.
            s.loadAndReach(options.target().orElse(null)).whenComplete((done, failure) -> {
                if (failure == null) return;
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                console.line("no units running: " + units + ": " + cause.getMessage());
                console.line(options.shell().isPresent() ? "the console shell is on /dev/" + options.shell().get()
                        : "waiting for a shutdown request (jinit poweroff, SIGUSR2)");
            });
            request = s.awaitStopRequest();
            console.line(request.word() + " requested");
            step("stopping units", s::stopUnits);
            Shutdown shutdown = new Shutdown(console, settings.machine(), ownMounts);
            step("ending processes", shutdown::killEveryone);
            step("closing the supervisor", s::close);
            shutdown.finish(request);
        } else {
            request = awaitWithoutSupervisor();
            Shutdown shutdown = new Shutdown(console, settings.machine(), ownMounts);
            step("ending processes", shutdown::killEveryone);
            shutdown.finish(request);
        }
    }

    /** What this PID 1 mounted, kept in the state directory for its image after a daemon-reexec. */
    static final String MOUNTS_FILE = "boot-mounts";

    private void saveMounts() {
        try {
            Files.writeString(settings.stateDir().resolve(MOUNTS_FILE), String.join("\n", ownMounts) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the mounts in " + settings.stateDir() + ": " + e.getMessage(), e);
        }
    }

    private List<String> readMounts() {
        try {
            return Files.readAllLines(settings.stateDir().resolve(MOUNTS_FILE)).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            console.line("cannot read the mounts recorded before the re-exec (" + e.getMessage() + "); they stay mounted at shutdown");
            return List.of();
        }
    }

    /** Signals that arrived during the early steps count once the supervisor listens. */
    private void forwardEarlySignals(Supervisor s) {
        for (String name; (name = pendingSignals.poll()) != null; ) {
            StopRequest r = SIGNALS.get(name);
            if (r != null) s.requestStop(r);
        }
    }

    /** Without a supervisor: the same signals, handled here. */
    private StopRequest awaitWithoutSupervisor() {
        CompletableFuture<StopRequest> f = new CompletableFuture<>();
        for (Map.Entry<String, StopRequest> e : SIGNALS.entrySet())
            Signal.handle(new Signal(e.getKey()), s -> f.complete(e.getValue()));
        for (String name; (name = pendingSignals.poll()) != null; ) if (SIGNALS.containsKey(name)) f.complete(SIGNALS.get(name));
        while (true) {
            try {
                return f.get();
            } catch (Exception e) {
                // interrupted: keep waiting; PID 1 ends only on request
            }
        }
    }

    private BootOptions readCommandLine() {
        String text;
        try {
            text = Files.readString(settings.cmdline());
        } catch (IOException e) {
            console.line("cannot read the kernel command line from " + settings.cmdline() + ": " + e.getMessage()
                    + "; using defaults");
            text = "";
        }
        KernelCommandLine.Parsed parsed = KernelCommandLine.parse(text);
        console.setDebug(parsed.options().debug());
        console.line("kernel command line: " + text.strip());
        for (String n : parsed.notes()) console.line("command line: " + n);
        for (String d : parsed.debug()) console.debugLine("command line: " + d);
        return parsed.options();
    }

    private void remountRoot(BootOptions.RootMount root) {
        if (root == BootOptions.RootMount.UNCHANGED) return;
        boolean rw = root == BootOptions.RootMount.READ_WRITE;
        if (!settings.machine()) {
            // The root's superblock is the host's: remounting it would change the host.
            console.line("root filesystem: " + (rw ? "rw" : "ro") + " ignored (jinit boot is not the machine's init)");
            return;
        }
        Mount.mount(null, "/", null, Mount.MS_REMOUNT | (rw ? 0 : Mount.MS_RDONLY), null);
        console.line("root filesystem remounted " + (rw ? "read-write" : "read-only"));
    }

    private void loadModules(BootOptions options) {
        List<String> names = new ArrayList<>(options.modules());
        for (String m : ModuleLoading.configured(ModuleLoading.CONFIG_DIRS, console)) if (!names.contains(m)) names.add(m);
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            console.line("modules: cannot read the kernel release: " + e.getMessage());
            return;
        }
        new ModuleLoading(console, ModuleLoading.FINIT_MODULE).load(Path.of("/lib/modules", release), names);
    }

    private void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            console.line(what + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()) + " (going on)");
        }
    }

    /** The control socket's directory in boot mode: StateDir's default for root, so clients need no option. */
    public static Path defaultStateDir() {
        return StateDir.ROOT_DEFAULT;
    }
}
