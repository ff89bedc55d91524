package dev.jinit.unit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SpecifiersTest {
    @Test
    void unitSpecifiers() {
        Specifiers s = new Specifiers(UnitName.parse("getty-x@tty\\x2d1.service"), Fixtures.CTX);
        assertEquals("getty-x@tty\\x2d1.service|getty-x@tty\\x2d1|getty-x|tty\\x2d1|tty-1|x|%",
                s.expand("%n|%N|%p|%i|%I|%j|%%"));
        assertEquals("/tty-1", s.expand("%f"), "an escaped dash stays a dash; plain dashes would become slashes");
    }

    @Test
    void systemSpecifiers() {
        Specifiers s = new Specifiers(UnitName.parse("a.service"), Fixtures.CTX);
        assertEquals("/run /root root 0 box.example.org box 0123456789abcdef0123456789abcdef fedcba9876543210fedcba9876543210 6.1.0-test",
                s.expand("%t %h %u %U %H %l %m %b %v"));
        assertEquals("/var/lib /var/cache /var/log /etc /tmp /var/tmp", s.expand("%S %C %L %E %T %V"));
        assertEquals("", s.expand("%i"), "%i of a unit that is not an instance is empty");
    }

    @Test
    void unknownOrDanglingSpecifierIsAnError() {
        Specifiers s = new Specifiers(UnitName.parse("a.service"), Fixtures.CTX);
        assertTrue(assertThrows(BadValueException.class, () -> s.expand("x%q")).getMessage().contains("%q"));
        assertTrue(assertThrows(BadValueException.class, () -> s.expand("x%")).getMessage().contains("lone %"));
    }

    @Test
    void currentContextIsReadable() {
        SystemContext c = SystemContext.current();
        assertFalse(c.runtimeDir().isEmpty());
        assertFalse(c.home().isEmpty());
        assertTrue(c.uid() >= 0, "uid read from /proc/self/status");
    }
}
