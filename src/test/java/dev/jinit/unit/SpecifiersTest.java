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
        assertEquals("getty/x|getty-x|x", s.expand("%P|%p|%J"), "%P undoes the escaping: a plain dash is a slash");
    }

    /** systemd's unit_name_unescape: "-" is "/", "\\xNN" a byte; so postgresql@15-main has %I = 15/main. */
    @Test
    void unescapedInstanceTurnsDashesIntoSlashes() {
        Specifiers pg = new Specifiers(UnitName.parse("postgresql@15-main.service"), Fixtures.CTX);
        assertEquals("15-main 15/main /15/main", pg.expand("%i %I %f"));
        Specifiers mixed = new Specifiers(UnitName.parse("x@a-b\\x2dc\\x20d.service"), Fixtures.CTX);
        assertEquals("a/b-c d", mixed.expand("%I"), "plain dash → slash, \\x2d → dash, \\x20 → space");
        Specifiers root = new Specifiers(UnitName.parse("mnt@-.service"), Fixtures.CTX);
        assertEquals("/", root.expand("%f"), "the root path escapes to a lone dash");
    }

    /** Every row of systemd.unit(5)'s table 4 (systemd 252), against a pinned system. */
    @Test
    void everySpecifierOfSystemdsTable() {
        SystemContext ctx = new SystemContext("svc", 1000, "svcgrp", 1001, "/home/svc", "/bin/zsh", "/run/user/1000",
                "box.example.org", "Pretty Box", "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210",
                "6.1.0-test", "x86-64", java.util.Map.of("ID", "debian", "VERSION_ID", "12", "VARIANT_ID", "cloud",
                "IMAGE_ID", "img", "IMAGE_VERSION", "7", "BUILD_ID", "b42"), "/scratch", "/scratch");
        Specifiers s = new Specifiers(UnitName.parse("foo-bar@in\\x2dst.service"), ctx, java.nio.file.Path.of("/etc/units/foo-bar@.service"));
        String[][] table = {
                {"%a", "x86-64"}, {"%A", "7"}, {"%b", "fedcba9876543210fedcba9876543210"}, {"%B", "b42"},
                {"%C", "/var/cache"}, {"%d", "/run/user/1000/credentials/foo-bar@in\\x2dst.service"}, {"%E", "/etc"},
                {"%f", "/in-st"}, {"%g", "svcgrp"}, {"%G", "1001"}, {"%h", "/home/svc"}, {"%H", "box.example.org"},
                {"%i", "in\\x2dst"}, {"%I", "in-st"}, {"%j", "bar"}, {"%J", "bar"}, {"%l", "box"}, {"%L", "/var/log"},
                {"%m", "0123456789abcdef0123456789abcdef"}, {"%M", "img"}, {"%n", "foo-bar@in\\x2dst.service"},
                {"%N", "foo-bar@in\\x2dst"}, {"%o", "debian"}, {"%p", "foo-bar"}, {"%P", "foo/bar"}, {"%q", "Pretty Box"},
                {"%s", "/bin/zsh"}, {"%S", "/var/lib"}, {"%t", "/run/user/1000"}, {"%T", "/scratch"}, {"%u", "svc"},
                {"%U", "1000"}, {"%v", "6.1.0-test"}, {"%V", "/scratch"}, {"%w", "12"}, {"%W", "cloud"},
                {"%y", "/etc/units/foo-bar@.service"}, {"%Y", "/etc/units"}, {"%%", "%"}};
        for (String[] row : table) assertEquals(row[1], s.expand(row[0]), row[0]);
        assertEquals(39, table.length, "the table has 39 rows");
        SystemContext plain = new SystemContext("root", 0, "/root", "/run", "box.example.org", "", "", "6.1");
        assertEquals("box", new Specifiers(UnitName.parse("a.service"), plain).expand("%q"), "no pretty name: the short host name");
        assertEquals("root 0 /bin/sh", new Specifiers(UnitName.parse("a.service"), plain).expand("%g %G %s"),
                "systemd synthesizes root's group and shell");
        assertTrue(assertThrows(BadValueException.class, () -> new Specifiers(UnitName.parse("a.service"), plain).expand("%y"))
                .getMessage().contains("no unit file"));
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
        assertTrue(assertThrows(BadValueException.class, () -> s.expand("x%z")).getMessage().contains("%z"));
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
