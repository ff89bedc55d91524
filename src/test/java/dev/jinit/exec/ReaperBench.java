package dev.jinit.exec;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Orphan/zombie draining rate of the {@link Reaper}: N children of /bin/true are started and left
 * to become zombies while no reaper runs, then a reaper starts and the time until every exit has
 * been delivered is measured. Not a test; run as root after {@code mvn test-compile}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
 *      -cp target/classes:target/test-classes dev.jinit.exec.ReaperBench [N]
 * </pre>
 */
public final class ReaperBench {
    private ReaperBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Spawner spawner = new Spawner();
        ProcessSpec spec = ProcessSpec.builder("/bin/true").build();
        int[] pids = new int[n];
        for (int i = 0; i < n; i++) pids[i] = spawner.spawn(spec).pid();
        // Every child must have exited (be a zombie) before the reaper starts, so that what is
        // timed is the draining alone.
        for (int pid : pids) awaitZombie(pid);

        CountDownLatch delivered = new CountDownLatch(n);
        long start;
        try (Reaper reaper = Reaper.start()) {
            start = System.nanoTime();
            for (int pid : pids) reaper.register(pid, status -> delivered.countDown());
            if (!delivered.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("not all exits delivered");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "Reaper drained %d zombies in %.3f s: %.0f exits/s%n", n, seconds, n / seconds);
    }

    private static void awaitZombie(int pid) throws Exception {
        java.nio.file.Path stat = java.nio.file.Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String s = java.nio.file.Files.readString(stat);
            if (s.charAt(s.lastIndexOf(')') + 2) == 'Z') return;
            Thread.sleep(1);
        }
        throw new IllegalStateException("pid " + pid + " did not exit");
    }
}
