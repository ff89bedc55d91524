package dev.jinit.net;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Namespaces;
import dev.jinit.linux.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made for one test with {@code ip netns add}, deleted on close (which also
 * removes its veth ends and kills nothing: tests stop their own servers first). Test code runs in it
 * either through {@code ip netns exec} or on a throwaway thread that joined it with setns(2), since a
 * socket belongs to the namespace of the thread that created it.
 */
final class NetNs implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    final String name;

    private NetNs(String name) {
        this.name = name;
    }

    static NetNs create(String purpose) {
        String name = "jt-" + purpose + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        sh("ip", "netns", "add", name);
        NetNs ns = new NetNs(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair: {@code here} in this namespace, {@code there} in {@code other}. */
    void veth(String here, NetNs other, String there) {
        sh("ip", "link", "add", here, "netns", name, "type", "veth", "peer", "name", there, "netns", other.name);
    }

    /** {@code ip ARGS} in this namespace; returns its output, fails the test on a non-zero exit. */
    String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return sh(cmd.toArray(String[]::new));
    }

    /** {@code ip -j ARGS} parsed. */
    JsonArray ipJson(String... args) {
        List<String> cmd = new ArrayList<>(List.of("-j"));
        cmd.addAll(List.of(args));
        return JsonParser.parseString(ip(cmd.toArray(String[]::new))).getAsJsonArray();
    }

    /** The command prefix that runs a program in this namespace. */
    List<String> exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Runs {@code work} on a fresh thread that joined this namespace; the thread ends with it. */
    <T> T inside(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                joinOnThisThread();
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Moves the calling thread into this namespace (for a NetLoop's setup hook). */
    void joinOnThisThread() {
        try (Fd fd = Posix.open("/run/netns/" + name, Posix.O_RDONLY | Posix.O_CLOEXEC, 0)) {
            Namespaces.setns(fd, Namespaces.CLONE_NEWNET, "netns " + name);
        }
    }

    @Override
    public void close() {
        sh("ip", "netns", "del", name);
    }

    /** Runs a helper command (not a supervised process) and returns its stdout; throws on failure. */
    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            int code = p.waitFor();
            if (code != 0)
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + code + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
