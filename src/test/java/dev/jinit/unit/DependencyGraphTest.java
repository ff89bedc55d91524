package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of the one dependency model, as systemd.unit(5) and systemd.target(5) state them. */
class DependencyGraphTest {
    static DependencyGraph.Node unit(String name, boolean defaults, List<String> wants, List<String> after,
                                     List<String> before, List<String> wantedBy) {
        return new DependencyGraph.Node(name, true, name.endsWith(".target"), defaults, List.of(), wants, List.of(),
                List.of(), List.of(), List.of(), after, before, wantedBy, List.of());
    }

    @Test
    void aTargetIsOrderedAfterWhatItPullsIn() {
        DependencyGraph g = DependencyGraph.of(List.of(unit("t.target", true, List.of("a.service"), List.of(), List.of(), List.of()),
                unit("a.service", true, List.of(), List.of(), List.of(), List.of()),
                unit("b.service", true, List.of(), List.of(), List.of(), List.of("t.target"))));
        assertEquals(Set.of("a.service", "b.service"), g.after("t.target"));
        assertTrue(g.why("a.service", "t.target") instanceof DependencyGraph.Why.TargetDefault);
    }

    /** The deadlock of issue 6: x is wanted by t and ordered after it; t must not be ordered after x. */
    @Test
    void notWhenTheUnitIsOrderedAfterTheTargetEitherWay() {
        DependencyGraph g = DependencyGraph.of(List.of(unit("t.target", true, List.of(), List.of(), List.of("y.service"), List.of()),
                unit("x.service", true, List.of(), List.of("t.target"), List.of(), List.of("t.target")),
                unit("y.service", true, List.of(), List.of(), List.of(), List.of("t.target"))));
        assertEquals(Set.of(), g.after("t.target"));
        assertEquals(Set.of("t.target"), g.after("x.service"));
        assertEquals(Set.of("t.target"), g.after("y.service"));
    }

    @Test
    void notWhenEitherSideHasDefaultDependenciesNo() {
        DependencyGraph g = DependencyGraph.of(List.of(unit("t.target", false, List.of("a.service"), List.of(), List.of(), List.of()),
                unit("a.service", true, List.of(), List.of(), List.of(), List.of()),
                unit("u.target", true, List.of("a.service", "b.service"), List.of(), List.of(), List.of()),
                unit("b.service", false, List.of(), List.of(), List.of(), List.of())));
        assertEquals(Set.of(), g.after("t.target"));
        assertEquals(Set.of("a.service"), g.after("u.target"));
    }

    @Test
    void partOfRequisiteRequiresAndBindsToPropagateStops() {
        DependencyGraph g = DependencyGraph.of(List.of(
                new DependencyGraph.Node("base.service", true, false, true, List.of(), List.of(), List.of(), List.of(),
                        List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("part.service", true, false, true, List.of(), List.of(), List.of(), List.of(),
                        List.of("base.service"), List.of(), List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("req.service", true, false, true, List.of("base.service"), List.of(), List.of(),
                        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("bound.service", true, false, true, List.of(), List.of(), List.of("base.service"),
                        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("needs.service", true, false, true, List.of(), List.of(), List.of(),
                        List.of("base.service"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("wants.service", true, false, true, List.of(), List.of("base.service"), List.of(),
                        List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of())));
        assertEquals(Set.of("part.service", "req.service", "bound.service", "needs.service"), g.stopsWith("base.service"));
        assertEquals(Set.of("bound.service"), g.boundBy("base.service"));
        assertFalse(g.stopsWith("base.service").contains("wants.service"));
    }

    @Test
    void aUnitThatFailedToLoadOrdersNothingButItsInstallLinesCount() {
        DependencyGraph g = DependencyGraph.of(List.of(unit("t.target", true, List.of(), List.of(), List.of(), List.of()),
                new DependencyGraph.Node("bad.service", false, false, true, List.of("x.service"), List.of(), List.of(),
                        List.of(), List.of(), List.of(), List.of("t.target"), List.of(), List.of("t.target"), List.of())));
        assertEquals(List.of("bad.service"), g.wantsOf("t.target"));
        assertEquals(List.of(), g.requiresOf("bad.service"));
        assertEquals(Set.of(), g.after("bad.service"));
    }

    /** From unit files: the loader's graph is the same model (PartOf=/Requisite= read, the deadlock case has no cycle). */
    @Test
    void theLoadersGraphUsesTheSameRules() {
        UnitGraph g = new UnitGraph(UnitLoader.loadTexts(java.nio.file.Path.of("/mem"), java.util.Map.of(
                "t.target", "[Unit]\nDescription=t\n",
                "x.service", "[Unit]\nAfter=t.target\nPartOf=t.target\nRequisite=y.service\n[Service]\nExecStart=/bin/true\n"
                        + "[Install]\nWantedBy=t.target\n",
                "y.service", "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=t.target\n"), Fixtures.CTX));
        assertEquals(List.of(), g.cycles());
        assertEquals(Set.of("y.service"), g.orderedAfter("t.target"));
        assertEquals(List.of("y.service", "t.target", "x.service"), g.startOrder(List.of("x.service", "t.target", "y.service")));
        assertEquals(Set.of("x.service"), g.requiredBy("t.target"));
        assertEquals(List.of("y.service"), g.dependencyGraph().requisiteOf("x.service"));
    }
}
