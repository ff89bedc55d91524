package dev.jinit.exec.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MountPlanTest {
    @Test
    void strictIsARreadOnlyRootWithTheApiFileSystemsWritableAfterIt() {
        Sandbox.Builder b = new Sandbox.Builder();
        b.protectSystem = Sandbox.ProtectSystem.STRICT;
        b.privateDevices = true;
        b.readWrite.add(new Sandbox.PathRule(Path.of("/var/lib/app"), false));
        List<MountStep> steps = MountPlan.of(b.build(), null);
        assertEquals(List.of(new MountStep.ReadOnly(Path.of("/"), false), new MountStep.PrivateDev(Path.of("/dev")),
                new MountStep.ReadWrite(Path.of("/proc"), true, true), new MountStep.ReadWrite(Path.of("/sys"), true, true),
                new MountStep.ReadWrite(Path.of("/var/lib/app"), false, false)), steps,
                "the private /dev wins over the implicit writable /dev");
    }

    @Test
    void theMoreRestrictiveDirectiveWinsOnOnePath() {
        Sandbox.Builder b = new Sandbox.Builder();
        b.readWrite.add(new Sandbox.PathRule(Path.of("/srv"), false));
        b.readOnly.add(new Sandbox.PathRule(Path.of("/srv"), false));
        b.inaccessible.add(new Sandbox.PathRule(Path.of("/srv/"), false));
        assertEquals(List.of(new MountStep.Inaccessible(Path.of("/srv"), false)), MountPlan.of(b.build(), null));
        b.inaccessible.clear();
        assertInstanceOf(MountStep.ReadOnly.class, MountPlan.of(b.build(), null).getFirst(), "ReadOnlyPaths= beats ReadWritePaths=");
    }

    @Test
    void protectionsExpandToSystemdsPaths() {
        Sandbox.Builder b = new Sandbox.Builder();
        b.protectSystem = Sandbox.ProtectSystem.FULL;
        b.protectHome = Sandbox.ProtectHome.TMPFS;
        List<MountStep> steps = MountPlan.of(b.build(), null);
        assertEquals(List.of("/boot", "/efi", "/etc", "/home", "/root", "/run/user", "/usr"),
                steps.stream().map(s -> s.path().toString()).toList());
        assertTrue(steps.stream().filter(s -> s.path().startsWith("/home")).allMatch(s -> s instanceof MountStep.Tmpfs t && t.readOnly()));
    }

    @Test
    void targetsLieUnderTheRootDirectoryWhileBindSourcesStayHostPaths() {
        Sandbox.Builder b = new Sandbox.Builder();
        b.protectSystem = Sandbox.ProtectSystem.STRICT;
        b.binds.add(new Sandbox.Bind(Path.of("/srv/data"), Path.of("/data"), true, true, false));
        List<MountStep> steps = MountPlan.of(b.build(), Path.of("/jail"));
        assertEquals(new MountStep.ReadOnly(Path.of("/jail"), false), steps.getFirst());
        assertTrue(steps.contains(new MountStep.BindTree(Path.of("/srv/data"), Path.of("/jail/data"), true, true, false)), steps.toString());
    }

    /** Whatever is asked, a path is mounted on only once, and never before a path above it. */
    @Property
    void parentsComeFirstAndPathsAreUnique(@ForAll("sandboxes") Sandbox s) {
        List<MountStep> steps = MountPlan.of(s, null);
        for (int i = 0; i < steps.size(); i++)
            for (int j = i + 1; j < steps.size(); j++) {
                assertTrue(!steps.get(i).path().equals(steps.get(j).path()), steps.toString());
                assertTrue(!steps.get(i).path().startsWith(steps.get(j).path()), "child before parent: " + steps);
            }
    }

    @Provide
    Arbitrary<Sandbox> sandboxes() {
        Arbitrary<Path> paths = Arbitraries.of("/", "/a", "/a/b", "/a-b", "/a/b/c", "/usr", "/etc", "/proc/sys", "/dev", "/home")
                .map(Path::of);
        Arbitrary<List<Sandbox.PathRule>> rules = paths.map(p -> new Sandbox.PathRule(p, false)).list().ofMaxSize(4);
        return net.jqwik.api.Combinators.combine(Arbitraries.of(Sandbox.ProtectSystem.class), Arbitraries.of(Sandbox.ProtectHome.class),
                Arbitraries.of(true, false), rules, rules, rules, Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((ps, ph, dev, rw, ro, hidden, tunables, cgroups) -> {
                    Sandbox.Builder b = new Sandbox.Builder();
                    b.protectSystem = ps;
                    b.protectHome = ph;
                    b.privateDevices = dev;
                    b.readWrite.addAll(rw);
                    b.readOnly.addAll(ro);
                    b.inaccessible.addAll(hidden);
                    b.protectKernelTunables = tunables;
                    b.protectControlGroups = cgroups;
                    return b.build();
                });
    }
}
