package dev.jinit.unit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class UnitGraphTest {
    @TempDir
    Path dir;

    private void unit(String name, String unitSection, String install) throws IOException {
        String text = "[Unit]\n" + unitSection + "\n" + (name.endsWith(".service") ? "[Service]\nExecStart=/bin/true\n" : "")
                + "[Install]\n" + install + "\n";
        Files.writeString(dir.resolve(name), text);
    }

    private UnitGraph graph() throws IOException {
        return new UnitGraph(UnitLoader.load(dir, Fixtures.CTX));
    }

    @Test
    void startupSetIsWhatTheBootTargetsPullIn() throws IOException {
        unit("web.service", "Requires=db.service\nWants=cache.service\nAfter=db.service cache.service", "WantedBy=multi-user.target");
        unit("db.service", "", "");
        unit("cache.service", "", "");
        unit("job.service", "", "WantedBy=default.target");
        unit("manual.service", "Wants=web.service", "");
        unit("extra.service", "", "WantedBy=app.target");
        unit("app.target", "", "WantedBy=multi-user.target");
        UnitGraph g = graph();
        List<String> s = g.startupSet();
        assertEquals(Set.of("web.service", "db.service", "cache.service", "job.service", "app.target", "extra.service"), Set.copyOf(Fixtures.own(g.units(), s)));
        assertTrue(s.indexOf("db.service") < s.indexOf("web.service"));
        assertTrue(s.indexOf("cache.service") < s.indexOf("web.service"));
        assertTrue(s.indexOf("extra.service") < s.indexOf("app.target"), "targets are ordered after what they pull in");
        assertFalse(s.contains("manual.service"), "units nobody wants start only on request");
        assertEquals(Set.of("manual.service", "web.service", "db.service", "cache.service"), Set.copyOf(Fixtures.own(g.units(), g.closure("manual.service"))));
    }

    @Test
    void afterIsOnlyOrderingAndRequiresOnlyPullIn() throws IOException {
        unit("a.service", "After=b.service", "WantedBy=multi-user.target");
        unit("b.service", "", "");
        unit("c.service", "Requires=d.service", "WantedBy=multi-user.target");
        unit("d.service", "", "");
        UnitGraph g = graph();
        assertEquals(Set.of("a.service", "c.service", "d.service"), Set.copyOf(Fixtures.own(g.units(), g.startupSet())), "After= pulls nothing in");
        assertEquals(Set.of("b.service"), Set.copyOf(Fixtures.own(g.units(), g.orderedAfter("a.service"))));
        assertEquals(Set.of("a.service"), Set.copyOf(Fixtures.own(g.units(), g.orderedBefore("b.service"))));
        assertEquals(Set.of(), Set.copyOf(Fixtures.own(g.units(), g.orderedAfter("c.service"))), "Requires= alone does not order");
        assertEquals(List.of("b.service", "a.service"), g.startOrder(List.of("a.service", "b.service")));
        assertEquals(List.of("a.service", "b.service"), g.stopOrder(List.of("a.service", "b.service")));
    }

    @Test
    void beforeIsTheMirrorOfAfterAndOrderIsTransitiveThroughOtherUnits() throws IOException {
        unit("a.service", "Before=b.service", "");
        unit("b.service", "Before=c.service", "");
        unit("c.service", "", "");
        UnitGraph g = graph();
        assertEquals(List.of("a.service", "c.service"), g.startOrder(List.of("c.service", "a.service")));
        assertEquals(List.of("c.service", "b.service", "a.service"), g.stopOrder(Set.of("a.service", "b.service", "c.service")));
    }

    @Test
    void cyclesFailEveryUnitOnThemAndNothingElse() throws IOException {
        unit("a.service", "After=b.service", "WantedBy=multi-user.target");
        unit("b.service", "Description=b\nBefore=a.service\nAfter=c.service", "WantedBy=multi-user.target");
        unit("c.service", "After=a.service", "WantedBy=multi-user.target");
        unit("self.service", "After=self.service", "");
        unit("ok.service", "After=a.service", "WantedBy=multi-user.target");
        unit("base.service", "", "");
        unit("top.service", "After=base.service", "");
        UnitGraph g = graph();
        String a = dir.resolve("a.service").toString(), b = dir.resolve("b.service").toString(), c = dir.resolve("c.service").toString();
        assertEquals("ordering cycle: a.service -> b.service -> c.service -> a.service [a.service After=b.service (" + a
                + ":2); b.service After=c.service (" + b + ":4); c.service After=a.service (" + c + ":2)]", g.failure("a.service"));
        assertTrue(g.failure("b.service").startsWith("ordering cycle: b.service -> c.service -> a.service -> b.service ["));
        assertTrue(g.failure("c.service").startsWith("ordering cycle: c.service -> a.service -> b.service -> c.service ["));
        LoadedUnit.Failed fa = (LoadedUnit.Failed) g.units().get("a.service").orElseThrow();
        assertEquals(LoadState.BAD_SETTING, fa.loadState(), "the loader fails the units of a cycle");
        assertEquals(List.of(g.failure("a.service")), fa.reasons());
        assertTrue(g.units().diagnostics().stream().anyMatch(d -> d.isError() && d.file().equals(dir.resolve("a.service")) && d.message().startsWith("ordering cycle: a.service -> ")));
        assertNull(g.failure("ok.service"));
        assertNull(g.failure("self.service"), "a unit ordered after itself is ignored like systemd does");
        assertTrue(g.notes().contains("self.service: ordered against itself, ignoring"), g.notes().toString());
        assertEquals(List.of(List.of("a.service", "b.service", "c.service", "a.service")), g.cycles());
        assertEquals(List.of("base.service", "ok.service", "top.service"), g.startOrder(List.of("top.service", "ok.service", "base.service")));
        assertTrue(g.startProblems("a.service").getFirst().startsWith("load state bad-setting (ordering cycle: a.service -> b.service"),
                g.startProblems("a.service").toString());
        List<String> s = Fixtures.own(g.units(), g.startupSet());
        assertEquals("ok.service", s.getFirst());
        assertEquals(List.of("a.service", "b.service", "c.service"), s.subList(1, 4), "units that cannot start come last");
    }

    @Test
    void anInstanceLoadedLaterThatClosesACycleIsFound() throws IOException {
        unit("a.service", "After=w@1.service", "");
        Files.writeString(dir.resolve("w@.service"), "[Unit]\nAfter=a.service\n[Service]\nExecStart=/bin/w %i\n");
        LoadResult r = UnitLoader.load(dir, Fixtures.CTX);
        assertInstanceOf(LoadedUnit.Failed.class, r.get("w@1.service").orElseThrow(), "referenced instances are loaded with the directory");
        r = r.with("w@2.service");
        assertInstanceOf(LoadedUnit.Ok.class, r.get("w@2.service").orElseThrow());
        assertEquals(1, r.cycles().size());
    }

    @Test
    void missingRequirementsFailAtStartMissingWantsAreNotes() throws IOException {
        unit("a.service", "Requires=gone.service\nWants=absent.service", "WantedBy=multi-user.target");
        unit("b.service", "BindsTo=a.service", "");
        unit("c.service", "Wants=gone.service", "");
        Files.writeString(dir.resolve("broken.service"), "[Service]\nType=bogus\nExecStart=/bin/true\n");
        unit("d.service", "Requires=broken.service", "");
        UnitGraph g = graph();
        assertEquals(List.of("required unit gone.service: not found"), g.startProblems("a.service"));
        assertEquals(List.of("required unit gone.service: not found"), g.startProblems("b.service"), "transitively");
        assertEquals(List.of(), g.startProblems("c.service"));
        assertTrue(g.startProblems("d.service").getFirst().startsWith("required unit broken.service: load state bad-setting ("
                + dir.resolve("broken.service") + ":2: Type=bogus"), g.startProblems("d.service").toString());
        assertTrue(g.notes().contains("a.service: wants absent.service, which does not exist; ignoring"), g.notes().toString());
        assertTrue(g.notes().contains("c.service: wants gone.service, which does not exist; ignoring"), g.notes().toString());
        assertEquals(Set.of("b.service"), g.requiredBy("a.service"));
        assertEquals(Set.of("b.service"), g.boundBy("a.service"));
    }

    @Test
    void aBrokenUnitStillShowsWhereItWouldHaveStarted() throws IOException {
        Files.writeString(dir.resolve("broken.service"), "[Unit]\nRequires=dep.service\n[Service]\nType=bogus\n"
                + "ExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        unit("dep.service", "", "");
        UnitGraph g = graph();
        assertEquals(List.of("broken.service"), Fixtures.own(g.units(), g.startupSet()), "in the startup set, but pulling nothing in");
        assertTrue(g.startProblems("broken.service").getFirst().startsWith("load state bad-setting ("), g.startProblems("broken.service").toString());
        LoadedUnit.Failed f = (LoadedUnit.Failed) g.units().get("broken.service").orElseThrow();
        assertEquals(List.of("multi-user.target"), f.partial().wantedBy());
    }

    @Test
    void conflictsAreSymmetricAndAliasesResolve() throws IOException {
        unit("a.service", "Conflicts=bee.service", "");
        unit("b.service", "", "Alias=bee.service");
        UnitGraph g = graph();
        assertEquals(Set.of("b.service"), Set.copyOf(Fixtures.own(g.units(), g.conflicts("a.service"))));
        assertEquals(Set.of("a.service"), Set.copyOf(Fixtures.own(g.units(), g.conflicts("bee.service"))));
    }

    @Test
    void targetWithoutDefaultDependenciesIsNotOrderedAfterItsUnits() throws IOException {
        unit("a.service", "", "WantedBy=plain.target");
        unit("plain.target", "DefaultDependencies=no", "WantedBy=multi-user.target");
        unit("b.service", "", "WantedBy=ordered.target");
        unit("ordered.target", "", "WantedBy=multi-user.target");
        UnitGraph g = graph();
        assertEquals(Set.of(), g.orderedAfter("plain.target"));
        assertEquals(Set.of("b.service"), g.orderedAfter("ordered.target"));
    }

    @Test
    void unitOrderedAfterItsTargetDoesNotLoop() throws IOException {
        unit("late.service", "After=multi-user.target", "WantedBy=multi-user.target");
        unit("multi-user.target", "", "");
        UnitGraph g = graph();
        assertTrue(g.cycles().isEmpty(), g.cycles().toString());
        assertEquals(List.of("multi-user.target", "late.service"), Fixtures.own(g.units(), g.startupSet()));
    }
}
