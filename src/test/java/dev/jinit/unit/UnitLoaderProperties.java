package dev.jinit.unit;

import net.jqwik.api.*;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Loading any set of unit files never throws, and every unit that does not load says why. */
class UnitLoaderProperties {
    @Provide
    Arbitrary<Map<String, String>> directories() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("a.service", "b.service", "c.target", "t@.service", "t@x.service", "bad name.service",
                        "multi-user.target", "t@y%.service", "@.service", "x.socket.service"),
                Arbitraries.strings().withChars("abc@.-_\\ %").ofMinLength(1).ofMaxLength(6).map(s -> s + ".service"));
        Arbitrary<String> lines = Arbitraries.of("[Unit]", "[Service]", "[Install]", "Requires=a.service", "Wants=t@z.service",
                "After=b.service", "Before=a.service", "After=a.service", "BindsTo=c.target", "Conflicts=b.service",
                "WantedBy=multi-user.target", "RequiredBy=c.target", "Alias=d.service", "ExecStart=/bin/true %i",
                "ExecStart=/bin/x", "Type=oneshot", "Type=bogus", "Restart=always", "Description=%n on %H", "Foo=bar",
                "After=t@%i.service", "Requires=t@.service", "User=nobody", "LimitNOFILE=x", "");
        Arbitrary<String> texts = lines.list().ofMaxSize(10).map(l -> String.join("\n", l));
        return Arbitraries.maps(names, texts).ofMaxSize(6);
    }

    @Property(tries = 200)
    void loadingIsTotalAndFailuresAlwaysSayWhy(@ForAll("directories") Map<String, String> files) {
        LoadResult r = UnitLoader.loadTexts(Path.of("/mem"), files, Fixtures.CTX);
        for (var e : r.units().entrySet()) {
            LoadedUnit u = e.getValue();
            assertEquals(e.getKey(), u.name());
            if (u instanceof LoadedUnit.Failed f && f.loadState() != LoadState.MASKED)
                assertFalse(f.reasons().isEmpty(), f.toString());
        }
        UnitGraph g = new UnitGraph(r);
        for (String n : r.units().keySet()) {
            g.startProblems(n);
            g.closure(n);
            LoadResult more = r.with(n.replace(".service", "") + "@more.service");
            assertNotNull(more.units());
        }
        assertEquals(g.startupSet().size(), Set.copyOf(g.startupSet()).size(), "no duplicates");
    }

    @Property
    void specifiersThrowOnlyBadValue(@ForAll("specText") String s) {
        Specifiers sp = new Specifiers(UnitName.parse("a-b@c\\x2dd.service"), Fixtures.CTX);
        try {
            String out = sp.expand(s);
            if (!s.contains("%")) assertEquals(s, out);
        } catch (BadValueException expected) {
            assertTrue(expected.getMessage().contains("%"));
        }
    }

    @Provide
    Arbitrary<String> specText() {
        return Arbitraries.strings().withChars("%nNpPiIjJftuUhHlmbvSCLETVqz x").ofMaxLength(12);
    }
}
