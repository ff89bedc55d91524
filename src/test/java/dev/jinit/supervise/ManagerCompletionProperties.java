package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.ExitStatus;
import dev.jinit.linux.Signals;
import dev.jinit.supervise.ServiceConfig.Command;
import dev.jinit.unit.ServiceType;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * No request ever waits forever: on random unit sets (services and targets, DefaultDependencies=no,
 * random Wants=/Requires=/After=/Before=/Conflicts=/WantedBy=, ordering cycles included), every
 * start completes (done, or failed with a reason) and stopping everything completes with every unit
 * down. Fake processes end when signalled; the fake clock never moves, so nothing completes by a
 * timeout: only the job logic can complete them.
 */
class ManagerCompletionProperties {
    /** One unit: a target or a simple service, and its dependency lists as indexes of other units. */
    record Spec(boolean target, boolean defaultDependencies, Set<Integer> wants, Set<Integer> requires,
                Set<Integer> after, Set<Integer> before, Set<Integer> conflicts, Set<Integer> wantedBy) {}

    record Case(List<Spec> units, List<Integer> startOrder) {}

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.integers().between(2, 7).flatMap(n -> {
            Arbitrary<Set<Integer>> some = Arbitraries.integers().between(0, n - 1).set().ofMaxSize(3);
            Arbitrary<Set<Integer>> rare = Arbitraries.integers().between(0, n - 1).set().ofMaxSize(1);
            Arbitrary<Spec> spec = Combinators.combine(Arbitraries.integers().between(0, 3).map(k -> k == 0),
                    Arbitraries.integers().between(0, 3).map(k -> k != 0), some, rare, some, rare, rare, some)
                    .as(Spec::new);
            return Combinators.combine(spec.list().ofSize(n),
                    Arbitraries.integers().between(0, n - 1).list().ofMinSize(1).ofMaxSize(n)).as(Case::new);
        });
    }

    static String name(List<Spec> units, int i) {
        return "u" + i + (units.get(i).target() ? ".target" : ".service");
    }

    static List<String> names(List<Spec> units, Set<Integer> idx) {
        return idx.stream().sorted().map(i -> name(units, i)).toList();
    }

    @Property(tries = 60)
    void everyStartAndTheStopOfEverythingComplete(@ForAll("cases") Case c) throws Exception {
        List<Spec> specs = c.units();
        FakeKernel fake = new FakeKernel();
        EventLoop loop = fake.loop("prop-completion");
        Manager manager = new Manager(loop, ManagerTest.OPTIONS, fake.ports(), new PrintStream(OutputStream.nullOutputStream()));
        try {
            List<UnitDefinition> defs = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                String name = name(specs, i);
                UnitDefinition.Dependencies deps = new UnitDefinition.Dependencies(names(specs, s.requires()),
                        names(specs, s.wants()), List.of(), names(specs, s.after()), names(specs, s.before()),
                        names(specs, s.conflicts()), names(specs, s.wantedBy()), List.of())
                        .withDefaultDependencies(s.defaultDependencies());
                defs.add(s.target() ? ManagerTest.target(name, deps)
                        : ManagerTest.service(name, ServiceConfig.builder(name, ServiceType.SIMPLE)
                                .start(Command.of("/bin/" + name)), deps));
            }
            manager.load(defs).get(10, TimeUnit.SECONDS);
            for (int i : c.startOrder()) {
                String unit = name(specs, i);
                JobOutcome o = drive(fake, manager.start(unit), "start " + unit + " in " + specs);
                assertTrue(o.ok() || o.kind() == JobOutcome.Kind.FAILED || o.kind() == JobOutcome.Kind.CANCELED, o.toString());
                if (!o.ok()) assertTrue(!o.message().isBlank(), "a failure says why: " + o);
            }
            List<JobOutcome> down = drive(fake, manager.stopAll(), "stop-all of " + specs);
            assertTrue(down.stream().allMatch(JobOutcome::ok), down.toString());
            for (UnitSnapshot s : manager.snapshot().get(10, TimeUnit.SECONDS))
                assertEquals("inactive", s.active().word(), s.name() + " after stop-all");
        } finally {
            manager.close();
        }
    }

    /** Ends every process that was told to stop, until the request completes; a hang fails after 20 s. */
    private static <T> T drive(FakeKernel fake, CompletableFuture<T> request, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!request.isDone()) {
            for (int pid : fake.signalledAndAlive()) fake.exitPid(pid, ExitStatus.killed(Signals.SIGTERM, false));
            if (System.nanoTime() > deadline) throw new AssertionError("never completed: " + what);
            Thread.sleep(1);
        }
        return request.get();
    }
}
