package dev.jinit.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifyMessageTest {
    static NotifyMessage parse(String s) {
        return NotifyMessage.parse(10, 20, 30, s.getBytes(StandardCharsets.UTF_8));
    }

    static String error(String s) {
        return assertThrows(IllegalArgumentException.class, () -> parse(s)).getMessage();
    }

    @Test
    void typedFields() {
        NotifyMessage m = parse("READY=1\nRELOADING=1\nSTOPPING=1\nSTATUS=a=b c\nMAINPID=77\nWATCHDOG=trigger\n"
                + "WATCHDOG_USEC=5000000\nEXTEND_TIMEOUT_USEC=30000000\nERRNO=2\nBARRIER=1\n");
        assertEquals(10, m.pid());
        assertEquals(20, m.uid());
        assertEquals(30, m.gid());
        assertTrue(m.ready() && m.reloading() && m.stopping());
        assertEquals("a=b c", m.status().orElseThrow());
        assertEquals(77, m.mainPid().getAsInt());
        assertEquals(NotifyMessage.Watchdog.TRIGGER, m.watchdog());
        assertEquals(5_000_000L, m.watchdogUsec().getAsLong());
        assertEquals(30_000_000L, m.extendTimeoutUsec().getAsLong());
        assertEquals(2, m.errno().getAsInt());
        assertEquals(Map.of("BARRIER", "1"), m.unknown());
        assertEquals(List.of("READY", "RELOADING", "STOPPING", "STATUS", "MAINPID", "WATCHDOG", "WATCHDOG_USEC",
                "EXTEND_TIMEOUT_USEC", "ERRNO", "BARRIER"), List.copyOf(m.fields().keySet()));
    }

    @Test
    void absentFieldsAreEmpty() {
        NotifyMessage m = parse("STATUS=");
        assertFalse(m.ready() || m.reloading() || m.stopping());
        assertEquals("", m.status().orElseThrow());
        assertTrue(m.mainPid().isEmpty() && m.errno().isEmpty() && m.watchdogUsec().isEmpty());
        assertEquals(NotifyMessage.Watchdog.NONE, m.watchdog());
    }

    @Test
    void laterValueWinsAndBlankLinesAreIgnored() {
        NotifyMessage m = parse("\nSTATUS=one\n\nSTATUS=two\n\n");
        assertEquals("two", m.status().orElseThrow());
        assertEquals(1, m.fields().size());
    }

    @Test
    void malformedDatagramsAreRefusedWithTheReason() {
        assertEquals("empty notification", error(""));
        assertEquals("empty notification", error("\n\n"));
        assertEquals("notification line 2 has no '=': hello", error("READY=1\nhello"));
        assertEquals("invalid field name ''", error("=1"));
        assertEquals("invalid field name 'A B'", error("A B=1"));
        assertEquals("invalid READY=yes: only 1 is meaningful", error("READY=yes"));
        assertEquals("invalid WATCHDOG=2: expected 1 or trigger", error("WATCHDOG=2"));
        assertEquals("invalid MAINPID=0: a pid is positive", error("MAINPID=0"));
        assertEquals("invalid MAINPID=-5: not a non-negative decimal number", error("MAINPID=-5"));
        assertEquals("invalid MAINPID=4294967296: out of range", error("MAINPID=4294967296"));
        assertEquals("invalid EXTEND_TIMEOUT_USEC=1s: not a non-negative decimal number", error("EXTEND_TIMEOUT_USEC=1s"));
        assertEquals("invalid WATCHDOG_USEC=99999999999999999999: not a non-negative decimal number",
                error("WATCHDOG_USEC=99999999999999999999"));
        assertEquals("notification contains a NUL byte", error("READY=1\0"));
        assertEquals("notification is not UTF-8 text", assertThrows(IllegalArgumentException.class,
                () -> NotifyMessage.parse(1, 0, 0, new byte[] {'A', '=', (byte) 0xff})).getMessage());
        assertEquals("notification too large (4097 bytes, limit 4096)", assertThrows(IllegalArgumentException.class,
                () -> NotifyMessage.parse(1, 0, 0, new byte[4097])).getMessage());
    }
}
