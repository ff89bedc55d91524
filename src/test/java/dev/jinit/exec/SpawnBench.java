package dev.jinit.exec;

import dev.jinit.linux.Resources;
import dev.jinit.linux.Wait;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Spawn+wait throughput of /bin/true: the Spawner's cheap path, ProcessBuilder, a throwaway-thread
 * spawn (umask) and a gated spawn (rlimit). Not a test; run as root after {@code mvn test-compile}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
 *      -cp target/classes:target/test-classes dev.jinit.exec.SpawnBench [N]
 * </pre>
 */
public final class SpawnBench {
    private SpawnBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Spawner spawner = new Spawner();
        ProcessSpec cheap = ProcessSpec.builder("/bin/true").build();
        ProcessSpec throwaway = cheap.toBuilder().umask(022).build();
        Resources.Limits own = Resources.getLimit(0, Rlimit.NOFILE.resource);
        ProcessSpec gated = cheap.toBuilder().rlimit(Rlimit.NOFILE, new Rlimit.Limit(own.soft(), own.hard())).build();

        IntSupplier viaSpawner = () -> reap(spawner.spawn(cheap).pid());
        IntSupplier viaProcessBuilder = () -> {
            try {
                return new ProcessBuilder("/bin/true").start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        IntSupplier viaThrowaway = () -> reap(spawner.spawn(throwaway).pid());
        IntSupplier viaGate = () -> reap(spawner.spawn(gated).pid());

        // warm up every path (JIT, class loading, FFM linkage) before measuring
        for (IntSupplier s : new IntSupplier[] {viaSpawner, viaProcessBuilder, viaThrowaway, viaGate})
            for (int i = 0; i < Math.min(n, 300); i++) s.getAsInt();

        report("Spawner (posix_spawn, caller's thread)", n, viaSpawner);
        report("ProcessBuilder", n, viaProcessBuilder);
        report("Spawner, throwaway thread (umask)", n, viaThrowaway);
        report("Spawner, exec gate (LimitNOFILE)", n, viaGate);
    }

    private static int reap(int pid) {
        Wait.Child exit = Wait.waitid(Wait.P_PID, pid, Wait.WEXITED);
        if (exit == null || exit.code() != Wait.CLD_EXITED || exit.status() != 0) throw new IllegalStateException("/bin/true failed: " + exit);
        return exit.status();
    }

    private static void report(String name, int n, IntSupplier spawnAndWait) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++)
            if (spawnAndWait.getAsInt() != 0) throw new IllegalStateException(name + ": /bin/true failed");
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%-42s %6d spawns in %6.2f s  %8.0f spawns/s  %7.1f us each%n",
                name, n, seconds, n / seconds, seconds * 1e6 / n);
    }
}
