package dev.jinit.unit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class UnitNameTest {
    @Test
    void plainTemplateAndInstance() {
        UnitName a = UnitName.parse("cron.service");
        assertEquals("cron", a.prefix());
        assertNull(a.instance());
        assertEquals(UnitKind.SERVICE, a.kind());
        UnitName t = UnitName.parse("redis-server@.service");
        assertTrue(t.isTemplate());
        UnitName i = UnitName.parse("redis-server@main.service");
        assertTrue(i.isInstance());
        assertEquals("redis-server@.service", i.templateName());
        assertEquals("redis-server@main", i.withoutSuffix());
        assertEquals(UnitKind.TARGET, UnitName.parse("multi-user.target").kind());
        UnitName nested = UnitName.parse("a@b@c.service");
        assertEquals("a", nested.prefix());
        assertEquals("b@c", nested.instance());
    }

    @Test
    void otherTypesAreValidNamesButNotRunnable() {
        UnitName s = UnitName.parse("tmp.mount");
        assertFalse(s.isSupported());
        assertTrue(assertThrows(BadValueException.class, s::kind).getMessage().contains(".mount"));
    }

    @Test
    void invalidNames() {
        for (String bad : new String[]{"", "noext", ".service", "a b.service", "a.unknown", "@x.service",
                "x".repeat(250) + ".service"})
            assertThrows(BadValueException.class, () -> UnitName.parse(bad), bad);
    }

    @Test
    void unescape() {
        assertEquals("a-b/c", UnitName.unescape("a\\x2db/c"));
        assertEquals("\\xzz", UnitName.unescape("\\xzz"));
        assertEquals("/dev/sda1", UnitName.unescapePath("dev-sda1"));
    }
}
