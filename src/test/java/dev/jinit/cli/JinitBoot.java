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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real {@code jinit boot} as PID 1 of new PID, mount and UTS namespaces
 * ({@code unshare --pid --fork --mount --mount-proc --uts}), its console a file. The mount namespace is
 * private, so what jinit mounts and unmounts stays inside; /dev/shm is unmounted before jinit starts,
 * so that the boot has a filesystem of its own to mount (and to unmount at shutdown).
 */
final class JinitBoot implements AutoCloseable {
    static final long DEADLINE_NANOS = 60_000_000_000L;

    final Path root, units, state, console, cmdline;
    private int pid = -1;
    private Integer exitCode;

    record Client(int code, String out, String err) {}

    private JinitBoot(Path root) throws IOException {
        this.root = root;
        this.units = Files.createDirectories(root.resolve("units"));
        this.state = root.resolve("state");
        this.console = root.resolve("console");
        this.cmdline = root.resolve("cmdline");
        Files.writeString(cmdline, "console=ttyS0 quiet hostname=boot-test\n");
    }

    static JinitBoot layout(String name) throws IOException {
        Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "jinit-boot-" + name + "-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new JinitBoot(root);
    }

    void unit(String name, String text) throws IOException {
        Files.writeString(units.resolve(name), text);
    }

    /**
     * Starts it. {@code before} is shell run inside the namespaces first (e.g. a process outside every
     * unit, started in the background); jinit replaces that shell as PID 1.
     */
    JinitBoot start(String before, String... bootArgs) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder cmd = new StringBuilder("while umount /dev/shm 2>/dev/null; do :; done; ");
        if (before != null) cmd.append(before).append("\n");
        cmd.append("exec");
        List<String> jvm = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "dev.jinit.cli.Main", "boot", "--units", units.toString(), "--cmdline", cmdline.toString(),
                "--state", state.toString()));
        jvm.addAll(List.of(bootArgs));
        for (String a : jvm) cmd.append(" '").append(a.replace("'", "'\\''")).append("'");
        List<String> argv = List.of("unshare", "--pid", "--fork", "--mount", "--mount-proc", "--uts",
                "--propagation", "private", "/bin/sh", "-c", cmd.toString());
        ProcessSpec spec = ProcessSpec.builder(argv)
                .env(Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8"))
                .stdin(FdSource.NULL)
                .stdout(new FdSource.WriteFile(console, FdSource.WriteFile.Mode.TRUNCATE))
                .stderr(new FdSource.WriteFile(console, FdSource.WriteFile.Mode.TRUNCATE))
                .build();
        pid = new Spawner().spawn(spec).pid();
        return this;
    }

    String console() {
        try {
            return Files.exists(console) ? Files.readString(console) : "";
        } catch (IOException e) {
            return "(console unreadable: " + e + ")";
        }
    }

    /** Polls until {@code condition} holds; fails with the console after 60 s or when the boot ended. */
    void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (exitCode == null && reap(true) != null)
                throw new AssertionError("the boot ended (status " + exitCode + ") while waiting for " + what + "\n" + console());
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "\n" + console());
            Thread.sleep(50);
        }
    }

    void awaitConsole(String fragment) throws Exception {
        await("'" + fragment + "' on the console", () -> console().contains(fragment));
    }

    /** The host's pid of the namespace's PID 1 (unshare's child). */
    int init() throws IOException {
        String children = Files.readString(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(pid), "children")).strip();
        if (children.isEmpty()) throw new AssertionError("unshare has no child yet\n" + console());
        return Integer.parseInt(children.split(" ")[0]);
    }

    /** Children of the namespace's init that are zombies (exited, not yet reaped). */
    List<Integer> zombieChildrenOfInit() throws IOException {
        List<Integer> zombies = new ArrayList<>();
        Path tasks = Path.of("/proc", Integer.toString(init()), "task");
        try (var ts = Files.list(tasks)) {
            for (Path t : ts.toList()) {
                String children;
                try {
                    children = Files.readString(t.resolve("children")).strip();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                for (String c : children.isEmpty() ? new String[0] : children.split(" ")) {
                    try {
                        String stat = Files.readString(Path.of("/proc", c, "stat"));
                        if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') zombies.add(Integer.parseInt(c));
                    } catch (IOException e) {
                        // reaped meanwhile
                    }
                }
            }
        }
        return zombies;
    }

    void signalInit(int signal) throws IOException {
        Posix.kill(init(), signal);
    }

    /** Runs a client command against this jinit's control socket. */
    Client client(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args[0], "--state", state.toString()));
        all.addAll(List.of(args).subList(1, args.length));
        int code = Main.run(all.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Client(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A {@code jinit} client command as a script (for the console shell, which has no jinit on its PATH). */
    Path clientScript() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path script = root.resolve("jinit");
        Files.writeString(script, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' dev.jinit.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Waits for the namespace to end; unshare reports its init's death by signal as 128+N. */
    int awaitEnd() throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (exitCode == null) {
            if (reap(true) != null) break;
            if (System.nanoTime() > deadline) throw new AssertionError("the boot did not end within 60 s\n" + console());
            Thread.sleep(20);
        }
        return exitCode;
    }

    private Wait.Child reap(boolean noHang) {
        Wait.Child c = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED | (noHang ? Wait.WNOHANG : 0));
        if (c != null) exitCode = c.code() == Wait.CLD_EXITED ? c.status() : 128 + c.status();
        return c;
    }

    /** Lines of the console that contain {@code fragment}'s index, for order checks. */
    int indexOf(String fragment) {
        int i = console().indexOf(fragment);
        if (i < 0) throw new AssertionError("'" + fragment + "' is not on the console\n" + console());
        return i;
    }

    @Override
    public void close() throws Exception {
        if (pid <= 0 || exitCode != null) return;
        // Killing the namespace's init makes the kernel kill everything in it.
        try {
            Posix.kill(init(), Signals.SIGKILL);
        } catch (IOException | AssertionError e) {
            Posix.kill(pid, Signals.SIGKILL);
        }
        reap(false);
    }
}
