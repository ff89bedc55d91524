package dev.jinit.cli;

import dev.jinit.exec.FdSource;
import dev.jinit.exec.ProcessSpec;
import dev.jinit.exec.Spawner;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Signals;
import dev.jinit.linux.Wait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real {@code jinit run} in its own JVM, started with jinit's own Spawner (the test JVM's reaper
 * must not race anything), with temporary unit, state and directory bases, driven through the
 * real client commands ({@link Main#run}) in this JVM.
 */
final class JinitRun implements AutoCloseable {
    final Path root;
    final Path units;
    final Path state;
    final Path runtimeBase, stateBase, logsBase;
    final Path stdout, stderr;
    private final int pid;
    private Integer exitCode;
    /** jinit runs in a network namespace of its own (lo up), as under {@code unshare --net}. */
    private boolean ownNetwork;

    /** The result of one client command. */
    record Client(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private JinitRun(Path root, List<String> extraArgs) throws IOException {
        this.root = root;
        this.units = Files.createDirectories(root.resolve("units"));
        this.state = root.resolve("state");
        this.runtimeBase = Files.createDirectories(root.resolve("run"));
        this.stateBase = Files.createDirectories(root.resolve("lib"));
        this.logsBase = Files.createDirectories(root.resolve("log"));
        this.stdout = root.resolve("jinit.out");
        this.stderr = root.resolve("jinit.err");
        this.pid = -1;
    }

    private JinitRun(JinitRun layout, int pid) {
        this.root = layout.root;
        this.units = layout.units;
        this.state = layout.state;
        this.runtimeBase = layout.runtimeBase;
        this.stateBase = layout.stateBase;
        this.logsBase = layout.logsBase;
        this.stdout = layout.stdout;
        this.stderr = layout.stderr;
        this.pid = pid;
    }

    /** A fresh directory layout; write unit files into {@link #units}, then {@link #start}. */
    static JinitRun layout(String name) throws IOException {
        return layout(Path.of(System.getProperty("java.io.tmpdir")), name);
    }

    /** A fresh layout below {@code parent} (outside /tmp for services with PrivateTmp=, which hides /tmp). */
    static JinitRun layout(Path parent, String name) throws IOException {
        Path root = Files.createTempDirectory(parent, "jinit-run-" + name + "-");
        // Services that run as another user (User=nobody) must reach their directories below it.
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return new JinitRun(root, List.of());
    }

    /**
     * jinit (and so every unit it starts) gets a network namespace of its own with only lo, up: the
     * test is isolated from the machine's ports and network without changing any unit.
     */
    JinitRun inOwnNetworkNamespace() {
        ownNetwork = true;
        return this;
    }

    void unit(String name, String text) throws IOException {
        Files.writeString(units.resolve(name), text);
    }

    /** Starts jinit run and waits until its control socket answers. */
    JinitRun start(String... extraArgs) throws Exception {
        JinitRun running = new JinitRun(this, spawn(stdout, stderr, extraArgs));
        running.await("jinit's control socket", () -> running.client("status").code() == 0);
        return running;
    }

    /** Starts jinit run and returns at once (for tests of what it answers before it is ready). */
    JinitRun startNoWait(String... extraArgs) {
        return new JinitRun(this, spawn(stdout, stderr, extraArgs));
    }

    /** Runs another jinit on the same directories to its end; returns its exit code, output in {@code out}. */
    int runToEnd(Path out, String... extraArgs) throws Exception {
        int other = spawn(out, out, extraArgs);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Wait.Child c = Wait.waitid(Wait.P_PID, other, Wait.WEXITED | Wait.WNOHANG);
            if (c != null) return code(c);
            Thread.sleep(20);
        }
        Posix.kill(other, Signals.SIGKILL);
        Wait.waitid(Wait.P_PID, other, Wait.WEXITED);
        throw new AssertionError("the second jinit did not end within 60 s");
    }

    private int spawn(Path stdout, Path stderr, String... extraArgs) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "dev.jinit.cli.Main", "run", "--units", units.toString(), "--state", state.toString(),
                "--runtime-base", runtimeBase.toString(), "--state-base", stateBase.toString(),
                "--logs-base", logsBase.toString()));
        argv.addAll(List.of(extraArgs));
        ProcessSpec.Builder builder = ProcessSpec.builder(argv);
        // jinit's own spawner unshares CLONE_NEWNET on a throwaway thread and brings lo up there.
        if (ownNetwork) builder.namespace(dev.jinit.exec.Namespace.NET);
        ProcessSpec spec = builder
                .env(Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8"))
                .stdin(FdSource.NULL)
                // equal entries when stdout and stderr are one file: the Spawner opens it once for both
                .stdout(new FdSource.WriteFile(stdout, FdSource.WriteFile.Mode.TRUNCATE))
                .stderr(new FdSource.WriteFile(stderr, FdSource.WriteFile.Mode.TRUNCATE))
                .build();
        return new Spawner().spawn(spec).pid();
    }

    int pid() {
        return pid;
    }

    /** Runs a client command against this jinit: {@code client("status", "web")}. */
    Client client(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args[0], "--state", state.toString()));
        all.addAll(List.of(args).subList(1, args.length));
        int code = Main.run(all.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Client(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Polls {@code condition} until it holds; fails with jinit's output after 30 s. */
    void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (exitCode == null && pid > 0) {
                Wait.Child e = reap(true);
                if (e != null) {
                    exitCode = code(e);
                    throw new AssertionError("jinit exited (" + e + ") while waiting for " + what + "\n" + output());
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + output());
            Thread.sleep(50);
        }
    }

    /** Polls {@code condition} for {@code millis} and fails the moment it does not hold ("X never happens"). */
    void holds(String what, long millis, BooleanSupplier condition) throws Exception {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            if (!condition.getAsBoolean()) throw new AssertionError("no longer true: " + what + "\n" + output());
            Thread.sleep(50);
        }
    }

    /** Waits until {@code status UNIT} shows {@code fragment} (e.g. "active (running)"). */
    Client awaitStatus(String unit, String fragment) throws Exception {
        Client[] last = new Client[1];
        await(unit + " showing '" + fragment + "'", () -> {
            last[0] = client("status", unit);
            return last[0].out().contains(fragment);
        });
        return last[0];
    }

    String output() {
        try {
            return "--- jinit stdout\n" + (Files.exists(stdout) ? Files.readString(stdout) : "")
                    + "--- jinit stderr\n" + (Files.exists(stderr) ? Files.readString(stderr) : "");
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** SIGTERM, then waits for jinit to exit; returns its exit code. */
    int terminate() throws Exception {
        if (exitCode != null) return exitCode;
        Posix.kill(pid, Signals.SIGTERM);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Wait.Child e = reap(true);
            if (e != null) {
                exitCode = code(e);
                return exitCode;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("jinit did not exit within 60 s of SIGTERM\n" + output());
    }

    /** SIGKILL, as a crash of jinit's JVM would end it: its units are left running. */
    void kill9() {
        Posix.kill(pid, Signals.SIGKILL);
        Wait.Child c = reap(false);
        exitCode = code(c);
    }

    private Wait.Child reap(boolean noHang) {
        return Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | (noHang ? Wait.WNOHANG : 0));
    }

    private static int code(Wait.Child c) {
        return c.code() == Wait.CLD_EXITED ? c.status() : 128 + c.status();
    }

    static boolean alive(int pid) {
        ProcState s = ProcState.of(pid);
        return s != null && s.state() != 'Z';
    }

    record ProcState(char state) {
        static ProcState of(int pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
                return new ProcState(stat.charAt(stat.lastIndexOf(')') + 2));
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** Never leaves a jinit or its services behind, whatever the test did. */
    @Override
    public void close() throws Exception {
        if (pid <= 0) return;
        if (exitCode == null) {
            try {
                terminate();
            } catch (AssertionError e) {
                Posix.kill(pid, Signals.SIGKILL);
                reap(false);
            }
        }
        Path cg = Path.of("/sys/fs/cgroup/unified/jinit", Integer.toString(pid));
        if (Files.isDirectory(cg)) {
            try (var groups = Files.list(cg)) {
                for (Path g : groups.filter(Files::isDirectory).toList()) {
                    try {
                        Files.writeString(g.resolve("cgroup.kill"), "1");
                    } catch (IOException ignored) {
                        // gone already
                    }
                }
            }
        }
    }
}
