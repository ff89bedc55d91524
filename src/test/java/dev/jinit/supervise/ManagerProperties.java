package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.ServiceType;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The manager's ordering on random dependency graphs, with fake processes (see {@link ManagerTest}):
 * no unit starts before every unit it is ordered after is ready, and at shutdown no unit is stopped
 * before every unit ordered after it is down, whatever order the processes get ready or exit in.
 */
class ManagerProperties {
    /** Unit i is ordered after (and wants) each unit in {@code after.get(i)}, all of them lower: a DAG. */
    record Graph(List<Set<Integer>> after, List<Integer> choices) {}

    @Provide
    Arbitrary<Graph> graphs() {
        return Arbitraries.integers().between(2, 6).flatMap(n -> {
            List<Arbitrary<Set<Integer>>> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rows.add(i == 0 ? Arbitraries.just(Set.of()) : Arbitraries.integers().between(0, i - 1).set().ofMaxSize(i));
            }
            return net.jqwik.api.Combinators.combine(rows).as(l -> l).flatMap(after ->
                    Arbitraries.integers().between(0, 1000).list().ofSize(4 * n).map(choices -> new Graph(after, choices)));
        });
    }

    static String name(int i) {
        return "u" + i + ".service";
    }

    @Property(tries = 25)
    void orderingHoldsForAnyReadinessAndExitOrder(@ForAll("graphs") Graph g) throws Exception {
        int n = g.after().size();
        FakeKernel fake = new FakeKernel();
        EventLoop loop = fake.loop("prop-manager");
        Manager manager = new Manager(loop, ManagerTest.OPTIONS, fake.ports(), new PrintStream(OutputStream.nullOutputStream()));
        try {
            List<UnitDefinition> defs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<String> after = g.after().get(i).stream().map(ManagerProperties::name).toList();
                defs.add(ManagerTest.service(name(i),
                        ServiceConfig.builder(name(i), ServiceType.NOTIFY).start(Command.of("/bin/" + name(i))),
                        new UnitDefinition.Dependencies(List.of(), after, List.of(), after, List.of(), List.of(),
                                List.of("multi-user.target"), List.of())));
            }
            manager.load(defs).get(10, TimeUnit.SECONDS);
            CompletableFuture<List<JobOutcome>> up = manager.startup();
            Set<String> ready = new HashSet<>();
            int step = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!up.isDone()) {
                // Every spawned unit's predecessors must have been told ready before it was spawned.
                List<String> spawned;
                synchronized (fake.spawned) {
                    spawned = List.copyOf(fake.spawned);
                }
                for (String program : spawned) {
                    int i = Integer.parseInt(program.substring("/bin/u".length(), program.indexOf('.')));
                    for (int p : g.after().get(i))
                        assertTrue(ready.contains(name(p)), name(i) + " started before " + name(p) + " was ready");
                }
                List<String> waiting = new ArrayList<>();
                for (String program : spawned) {
                    String unit = program.substring("/bin/".length());
                    if (!ready.contains(unit)) waiting.add(unit);
                }
                if (waiting.isEmpty()) {
                    if (System.nanoTime() > deadline) throw new AssertionError("startup stalled; ready " + ready);
                    Thread.sleep(1);
                    continue;
                }
                String pick = waiting.get(g.choices().get(step++ % g.choices().size()) % waiting.size());
                ready.add(pick);
                manager.notifyMessage(fake.pidOf.get("/bin/" + pick), Map.of("READY", "1"));
            }
            assertTrue(up.get().stream().allMatch(JobOutcome::ok), up.get().toString());

            CompletableFuture<List<JobOutcome>> down = manager.stopAll();
            Set<String> exited = new HashSet<>();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!down.isDone()) {
                Map<String, String> sub = new java.util.HashMap<>();
                for (UnitSnapshot s : manager.snapshot().get(10, TimeUnit.SECONDS)) sub.put(s.name(), s.sub());
                // A unit being stopped: everything ordered after it is already down.
                for (int i = 0; i < n; i++) {
                    if (sub.get(name(i)).equals("running")) continue;
                    for (int j = 0; j < n; j++)
                        if (g.after().get(j).contains(i))
                            assertEquals("dead", sub.get(name(j)), name(i) + " stopping while " + name(j) + " (after it) is not down");
                }
                List<String> stopping = new ArrayList<>();
                for (int i = 0; i < n; i++) if (sub.get(name(i)).equals("stop-sigterm") && !exited.contains(name(i))) stopping.add(name(i));
                if (stopping.isEmpty()) {
                    if (System.nanoTime() > deadline) throw new AssertionError("shutdown stalled: " + sub);
                    Thread.sleep(1);
                    continue;
                }
                String pick = stopping.get(g.choices().get(step++ % g.choices().size()) % stopping.size());
                exited.add(pick);
                fake.exit("/bin/" + pick, ExitStatus.killed(Signals.SIGTERM, false));
            }
            assertTrue(down.get().stream().allMatch(JobOutcome::ok), down.get().toString());
        } finally {
            manager.close();
        }
    }
}
