package dev.jinit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class ProtocolProperties {
    @Provide
    Arbitrary<LogLine> lines() {
        return Combinators.combine(Arbitraries.longs().between(0, 4_000_000_000L), Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10), Arbitraries.of("stdout", "stderr", "jinit"),
                Arbitraries.strings().all().ofMaxLength(60))
                .as((s, n, u, st, t) -> new LogLine(Instant.ofEpochSecond(s, n), u + ".service", Stream.ofTag(st), t));
    }

    @Provide
    Arbitrary<UnitStatus> units() {
        return Combinators.combine(Arbitraries.strings().alpha().numeric().withChars("-_@").ofMinLength(1).ofMaxLength(20),
                Arbitraries.of(LoadState.class), Arbitraries.of(ActiveState.class), Arbitraries.of(UnitStatus.SUB_STATES),
                Arbitraries.integers().between(0, 4_000_000), Arbitraries.integers().between(0, 1000),
                Arbitraries.strings().all().ofMaxLength(40))
                .as((n, l, a, s, p, r, d) -> new UnitStatus(n + ".service", l, a, s, p, r, null, d, null));
    }

    @Property
    void logLinesSurviveTheWireWhateverTheirText(@ForAll("lines") LogLine line) {
        String wire = Protocol.encode(line);
        assertEquals(-1, wire.indexOf('\n'));
        assertEquals(line, Protocol.decodeLogLine(wire));
    }

    @Property
    void responsesSurviveTheWire(@ForAll @Size(max = 5) List<@From("units") UnitStatus> units,
            @ForAll @Size(max = 5) List<@From("lines") LogLine> lines) {
        Response r = new Response(units, lines, List.of(), null);
        assertEquals(r, Protocol.decodeResponse(Protocol.encode(r)));
    }

    @Property
    void requestsSurviveTheWire(@ForAll Command cmd, @ForAll("names") List<String> units, @ForAll boolean follow) {
        List<String> names = cmd.takesNoUnits() ? List.of() : cmd.needsUnits() && units.isEmpty() ? List.of("x.service") : units;
        Request r = new Request(cmd, names, 7, follow && cmd == Command.LOGS);
        assertEquals(r, Protocol.decodeRequest(Protocol.encode(r)));
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.strings().alpha().numeric().withChars("-_@.").ofMinLength(1).ofMaxLength(30).list().ofMaxSize(5);
    }
}
