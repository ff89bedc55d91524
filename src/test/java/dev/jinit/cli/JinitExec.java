package dev.jinit.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code jinit exec} run in a JVM of its own (test code may use ProcessBuilder: jinit is the
 * thing under test here), either as a subreaper below the test, or as PID 1 of a new PID namespace
 * made by util-linux {@code unshare --pid --fork --mount-proc}. Its stdout and stderr go to files.
 */
final class JinitExec implements AutoCloseable {
    enum Mode {
        SUBREAPER, PID1
    }

    static final Duration DEADLINE = Duration.ofSeconds(30);

    final Mode mode;
    final Process process;
    final Path stdout;
    final Path stderr;

    private JinitExec(Mode mode, Process process, Path stdout, Path stderr) {
        this.mode = mode;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The java command that runs jinit from this test's class path. */
    static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "dev.jinit.cli.Main");
    }

    static JinitExec start(Mode mode, Path dir, List<String> execArgs) throws IOException {
        return start(mode, dir, execArgs, Map.of());
    }

    static JinitExec start(Mode mode, Path dir, List<String> execArgs, Map<String, String> env) throws IOException {
        return start(mode, dir, execArgs, env, List.of());
    }

    /**
     * As {@link #start(Mode, Path, List, Map)}, with jinit started through {@code prefix} (a command
     * that execs its arguments, e.g. a shell that first sets signals to be ignored).
     */
    static JinitExec start(Mode mode, Path dir, List<String> execArgs, Map<String, String> env, List<String> prefix)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        if (mode == Mode.PID1) cmd.addAll(List.of("unshare", "--pid", "--fork", "--mount-proc"));
        cmd.addAll(javaCommand());
        cmd.add("exec");
        cmd.addAll(execArgs);
        Path out = Files.createTempFile(dir, "jinit", ".out");
        Path err = Files.createTempFile(dir, "jinit", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        return new JinitExec(mode, pb.start(), out, err);
    }

    /** jinit's pid as seen from the test: the JVM itself, or the child that unshare forked. */
    int jinitPid() throws Exception {
        if (mode == Mode.SUBREAPER) return (int) process.pid();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Path children = Path.of("/proc/" + process.pid() + "/task/" + process.pid() + "/children");
        while (System.nanoTime() < deadline) {
            try {
                String c = Files.readString(children).strip();
                if (!c.isEmpty()) return Integer.parseInt(c.split("\\s+")[0]);
            } catch (IOException gone) {
                fail("unshare exited before its child was seen: " + diagnostics());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("unshare has no child after " + DEADLINE);
    }

    /** Waits for jinit to exit and returns its exit code (for PID1, unshare passes it on). */
    int exitCode() throws Exception {
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) fail("jinit did not exit within " + DEADLINE + ": " + diagnostics());
        return process.exitValue();
    }

    String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    String diagnostics() {
        try {
            return "\nstdout: " + out() + "\nstderr: " + err();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Polls until {@code file} exists and its content satisfies {@code ready}; returns the content. */
    static String awaitFile(Path file, Predicate<String> ready, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = Files.readString(file, StandardCharsets.UTF_8);
                if (ready.test(last)) return last;
            } catch (java.nio.file.NoSuchFileException notYet) {
                // keep polling
            }
            Thread.sleep(10);
        }
        throw new AssertionError("timed out waiting for " + file + " (content: " + last + ")");
    }

    /** Kills whatever is left of this run: jinit's descendants, jinit, unshare. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
