package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.linux.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Type=dbus, BusName=, Type=notify-reload and ReloadSignal= at load, as systemd.service(5) reads them. */
class DbusUnitTest {
    @Test
    void debiansAvahiUnitLoadsAsDbusAndNeedsTheBusSocket() throws Exception {
        Path file = Path.of("/lib/systemd/system/avahi-daemon.service");
        Assumptions.assumeTrue(Files.exists(file), "avahi-daemon is installed by .ci/run");
        UnitBuilder.Result r = Fixtures.build("avahi-daemon.service", Files.readString(file));
        assertTrue(!r.failed(), r.diagnostics().toString());
        Service s = ((ServiceUnit) r.unit()).service();
        assertEquals(ServiceType.DBUS, s.type());
        assertEquals("org.freedesktop.Avahi", s.busName());
        Unit.UnitInfo i = r.unit().info();
        assertTrue(i.requires().containsAll(List.of("avahi-daemon.socket", "dbus.socket")), i.requires().toString());
        assertTrue(i.after().contains("dbus.socket"), i.after().toString());
        assertEquals("(Type=dbus)", i.origin("Requires", "dbus.socket"));
    }

    @Test
    void busNameAloneImpliesDbusAndTheBusIsNeededEvenWithoutDefaultDependencies() {
        Unit.UnitInfo i = Fixtures.info("b.service", "[Unit]\nDefaultDependencies=no\n[Service]\nBusName=org.example.B\nExecStart=/bin/b\n");
        assertTrue(i.requires().contains("dbus.socket") && i.after().contains("dbus.socket"), i.toString());
        Service s = Fixtures.service("[Service]\nBusName=org.example.B\nExecStart=/bin/b\n");
        assertEquals(ServiceType.DBUS, s.type());
        // With another Type=, BusName= is only a name: no bus dependency.
        Unit.UnitInfo simple = Fixtures.info("c.service", "[Service]\nType=simple\nBusName=org.example.C\nExecStart=/bin/c\n");
        assertTrue(!simple.requires().contains("dbus.socket"), simple.requires().toString());
    }

    @Test
    void dbusWithoutBusNameOrWithABadOneFailsWithFileAndLine() {
        UnitBuilder.Result r = Fixtures.build("d.service", "[Service]\nType=dbus\nExecStart=/bin/d\n");
        assertTrue(r.failed());
        assertEquals(List.of("/u/d.service:2: Type=dbus needs BusName= (systemd: \"Service is of type D-Bus but no D-Bus "
                + "service name has been specified. Refusing.\")"), r.errors().stream().map(Diagnostic::toString).toList());
        for (String bad : List.of("nodots", "org..example", "org.1example", "org.exa mple", "org.exämple")) {
            UnitBuilder.Result b = Fixtures.build("e.service", "[Service]\nType=dbus\nBusName=" + bad + "\nExecStart=/bin/e\n");
            assertTrue(b.failed(), bad);
            assertTrue(b.errors().getFirst().toString().startsWith("/u/e.service:3: BusName=" + bad + ": not a D-Bus name: "),
                    b.errors().toString());
        }
        assertEquals(":1.42", UnitBuilder.busName(":1.42"));
    }

    @Test
    void notifyReloadTakesItsReloadSignalAndNotifyAccessMain() {
        Service s = Fixtures.service("[Service]\nType=notify-reload\nReloadSignal=SIGUSR2\nExecStart=/bin/n\n");
        assertEquals(ServiceType.NOTIFY_RELOAD, s.type());
        assertEquals(Signals.SIGUSR2, s.reloadSignal());
        assertEquals(NotifyAccess.MAIN, s.notifyAccess());
        assertEquals(Signals.SIGHUP, Fixtures.service("[Service]\nType=notify-reload\nExecStart=/bin/n\n").reloadSignal());
        UnitBuilder.Result bad = Fixtures.build("f.service", "[Service]\nType=notify-reload\nReloadSignal=SIGNOPE\nExecStart=/bin/n\n");
        assertTrue(bad.failed());
        assertTrue(bad.errors().getFirst().toString().startsWith("/u/f.service:3: ReloadSignal=SIGNOPE: "), bad.errors().toString());
    }
}
