package dev.jinit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.control.UnitStatus;
import dev.jinit.state.ActiveState;
import dev.jinit.unit.LoadState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text format: every sample line parses as Prometheus' exposition format 0.0.4 requires. */
class MetricsPageTest {
    @Test
    void samplesAreWellFormedAndLabelsEscaped() {
        UnitStatus odd = new UnitStatus("we\"ird\\name.service", LoadState.of("loaded"), ActiveState.of("failed"), "failed", 0, 3,
                null, "", null);
        UnitStatus ok = new UnitStatus("web.service", LoadState.of("loaded"), ActiveState.of("active"), "running", 42, 0,
                null, "", null);
        var logs = new java.util.TreeMap<String, dev.jinit.log.LogPump.Counts>();
        logs.put("web.service", new dev.jinit.log.LogPump.Counts(12, 3456));
        String text = new MetricsPage(new SocketCounters()).render(List.of(odd, ok),
                u -> u.pid() > 0 ? new UnitResources(1.5, 4096, "proc") : UnitResources.NONE,
                new MetricsPage.Counters(7, 2, logs));
        assertTrue(text.contains("\njinit_processes_reaped_total 7\n"), text);
        assertTrue(text.contains("\njinit_orphans_reaped_total 2\n"), text);
        assertTrue(text.contains("\njinit_unit_log_lines_total{unit=\"web.service\"} 12\n"), text);
        assertTrue(text.contains("\njinit_unit_log_bytes_total{unit=\"web.service\"} 3456\n"), text);
        assertTrue(text.contains("# TYPE jinit_unit_log_bytes_total counter\n"), text);
        assertTrue(text.contains("jinit_unit_active{unit=\"we\\\"ird\\\\name.service\",state=\"failed\",sub=\"failed\"} 1\n"), text);
        assertTrue(text.contains("jinit_unit_restarts_total{unit=\"we\\\"ird\\\\name.service\"} 3\n"), text);
        assertTrue(text.contains("jinit_unit_cpu_seconds_total{unit=\"web.service\"} 1.500000\n"), text);
        assertTrue(text.contains("jinit_unit_memory_bytes{unit=\"web.service\"} 4096\n"), text);
        assertTrue(!text.contains("jinit_unit_memory_bytes{unit=\"we\\\""), "unknown values are left out, not reported as 0");
        String sample = "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? -?[0-9.e+-]+";
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertTrue(line.matches(sample), "not a sample line: " + line);
        }
        assertEquals(text.lines().filter(l -> l.startsWith("# TYPE ")).count(), text.lines().filter(l -> l.startsWith("# HELP ")).count());
    }
}
