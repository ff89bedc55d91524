package dev.jinit.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.log.LogLine;
import dev.jinit.log.Stream;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolTest {
    static String error(String line) {
        return assertThrows(IllegalArgumentException.class, () -> Protocol.decodeRequest(line)).getMessage();
    }

    @Test
    void requestWireForm() {
        Request r = new Request(Command.LOGS, List.of("a.service", "b.service"), 20, true);
        assertEquals("{\"cmd\":\"logs\",\"units\":[\"a.service\",\"b.service\"],\"lines\":20,\"follow\":true}", Protocol.encode(r));
        assertEquals(r, Protocol.decodeRequest(Protocol.encode(r)));
        // Absent optional fields and unknown fields are fine.
        assertEquals(new Request(Command.STATUS, List.of(), 0, false), Protocol.decodeRequest("{\"cmd\":\"status\",\"x\":1}"));
    }

    @Test
    void logLineWireForm() {
        LogLine whole = new LogLine(Instant.parse("2026-11-27T09:00:00Z"), "web.service", Stream.STDERR, "hi");
        assertEquals("{\"time\":\"2026-11-27T09:00:00Z\",\"unit\":\"web.service\",\"stream\":\"stderr\",\"text\":\"hi\"}",
                Protocol.encode(whole));
        LogLine piece = new LogLine(whole.time(), "web.service", Stream.STDOUT, "abc", true);
        assertTrue(Protocol.encode(piece).endsWith(",\"cut\":true}"), Protocol.encode(piece));
        assertEquals(piece, Protocol.decodeLogLine(Protocol.encode(piece)));
        assertEquals("unknown stream 'tty' (expected stdout, stderr or jinit)", assertThrows(IllegalArgumentException.class,
                () -> Protocol.decodeLogLine("{\"time\":\"2026-11-27T09:00:00Z\",\"unit\":\"a.service\",\"stream\":\"tty\",\"text\":\"\"}"))
                .getMessage());
    }

    @Test
    void badRequestsNameTheProblem() {
        assertTrue(error("not json").startsWith("malformed request"), error("not json"));
        assertEquals("request is not a JSON object", error("[1]"));
        assertEquals("missing 'cmd'", error("{}"));
        assertEquals("unknown command 'explode'", error("{\"cmd\":\"explode\"}"));
        assertEquals("'units' must hold strings, not 3", error("{\"cmd\":\"start\",\"units\":[3]}"));
        assertEquals("start needs at least one unit", error("{\"cmd\":\"start\"}"));
        assertEquals("'lines' is not a number: \"x\"", error("{\"cmd\":\"logs\",\"lines\":\"x\"}"));
        assertEquals("'lines' is not a 32-bit integer: 1e20", error("{\"cmd\":\"logs\",\"lines\":1e20}"));
        assertEquals("lines out of range 0..100000: -1", error("{\"cmd\":\"logs\",\"lines\":-1}"));
        assertEquals("follow is only for logs, not status", error("{\"cmd\":\"status\",\"follow\":true}"));
        assertEquals("invalid unit name '../x'", error("{\"cmd\":\"stop\",\"units\":[\"../x\"]}"));
        assertEquals("daemon-reload takes no unit names", error("{\"cmd\":\"daemon-reload\",\"units\":[\"a.service\"]}"));
    }

    @Test
    void responseRoundTripsWithDetailsAndNulls() {
        Response r = new Response(List.of(Samples.web(), Samples.once(), Samples.multi()),
                List.of(Samples.line(1, "web.service", "stdout", "a \"quoted\"\nline")),
                List.of(Failure.notFound("nope.service")), null);
        String wire = Protocol.encode(r);
        assertTrue(wire.indexOf('\n') < 0, "one response is one line");
        assertTrue(wire.contains("\"since\":null"), wire);
        assertEquals(r, Protocol.decodeResponse(wire));
        Response e = Response.error("permission denied");
        assertEquals(e, Protocol.decodeResponse(Protocol.encode(e)));
    }

    @Test
    void statusDocumentHasSystemdWords() {
        String doc = Protocol.statusDocument(List.of(Samples.crash().summary()));
        assertEquals("{\"units\":[{\"name\":\"crash.service\",\"load\":\"loaded\",\"active\":\"failed\",\"sub\":\"failed\","
                + "\"pid\":0,\"restarts\":5,\"since\":\"2026-11-27T09:00:30Z\",\"description\":\"Crash loop\"}]}", doc);
    }

    @Test
    void modelValidation() {
        assertEquals("web.service: unknown sub state 'sleeping'", assertThrows(IllegalArgumentException.class,
                () -> new UnitStatus("web.service", LoadState.LOADED, ActiveState.ACTIVE, "sleeping", 0, 0, null, "", null)).getMessage());
        assertEquals("unknown load state 'gone'", assertThrows(IllegalArgumentException.class, () -> LoadState.of("gone")).getMessage());
        assertEquals("unknown active state 'busy'", assertThrows(IllegalArgumentException.class, () -> ActiveState.of("busy")).getMessage());
        assertEquals(LoadState.BAD_SETTING, LoadState.of("bad-setting"));
        assertEquals(Failure.Reason.NOT_FOUND, Failure.Reason.of("not-found"));
    }
}
