package dev.jinit.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .timer units (systemd.timer(5)), the built-in standard targets (systemd.special(7)) and DefaultDependencies=. */
class TimerUnitsTest {
    private static LoadResult load(Map<String, String> texts) {
        return UnitLoader.loadTexts(Path.of("/u"), texts, Fixtures.CTX);
    }

    @Test
    void aTimerLoadsWithEveryTriggerAndActivatesItsService() {
        LoadResult r = load(Map.of("backup.timer", """
                [Unit]
                Description=Nightly backup
                [Timer]
                OnActiveSec=1s
                OnBootSec=15min
                OnStartupSec=2min
                OnUnitActiveSec=1d
                OnUnitInactiveSec=1h
                OnCalendar=Mon..Fri *-*-* 02:00
                OnCalendar=weekly
                AccuracySec=1h
                RandomizedDelaySec=30min
                Persistent=true
                [Install]
                WantedBy=timers.target
                """, "backup.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"));
        TimerUnit t = assertInstanceOf(TimerUnit.class, r.unit("backup.timer").orElseThrow());
        TimerUnit.Timer x = t.timer();
        assertEquals(List.of(Duration.ofSeconds(1)), x.onActive());
        assertEquals(List.of(Duration.ofMinutes(15)), x.onBoot());
        assertEquals(List.of(Duration.ofMinutes(2)), x.onStartup());
        assertEquals(List.of(Duration.ofDays(1)), x.onUnitActive());
        assertEquals(List.of(Duration.ofHours(1)), x.onUnitInactive());
        assertEquals(List.of("Mon..Fri *-*-* 02:00:00", "Mon *-*-* 00:00:00"), x.onCalendar().stream().map(Object::toString).toList());
        assertEquals(Duration.ofHours(1), x.accuracy());
        assertEquals(Duration.ofMinutes(30), x.randomizedDelay());
        assertTrue(x.persistent());
        assertEquals("backup.service", x.unit());
        // systemd.timer(5): Before= its service; with default dependencies Requires=/After= sysinit.target,
        // Before= timers.target, After= time-set.target and time-sync.target (calendar), Conflicts=/Before= shutdown.target.
        assertEquals(List.of("backup.service", "timers.target", "shutdown.target"), t.info().before());
        assertEquals(List.of("sysinit.target", "time-set.target", "time-sync.target"), t.info().after());
        assertEquals(List.of("sysinit.target"), t.info().requires());
        assertEquals(List.of("shutdown.target"), t.info().conflicts());
        // The target it is wanted by exists although no file says so.
        assertInstanceOf(TargetUnit.class, r.unit("timers.target").orElseThrow());
        assertTrue(new UnitGraph(r).startupSet().contains("backup.timer"), "timers.target is pulled in by basic.target");
    }

    @Test
    void unitResetsAndBadTimersFailWithTheirLine() {
        LoadResult r = load(Map.of(
                "a.timer", "[Timer]\nOnCalendar=daily\nUnit=other.service\n",
                "none.timer", "[Unit]\nDescription=x\n[Timer]\nOnCalendar=daily\nOnCalendar=\nPersistent=yes\n",
                "badcal.timer", "[Timer]\nOnCalendar=Moonday\n",
                "self.timer", "[Timer]\nOnActiveSec=1\nUnit=a.timer\n",
                "inst@.timer", "[Timer]\nOnActiveSec=5\n"));
        assertEquals("other.service", ((TimerUnit) r.unit("a.timer").orElseThrow()).timer().unit());
        LoadedUnit.Failed none = assertInstanceOf(LoadedUnit.Failed.class, r.get("none.timer").orElseThrow());
        assertTrue(none.reasons().getFirst().contains("/u/none.timer:4: timer has no OnActiveSec="), none.reasons().toString());
        LoadedUnit.Failed bad = assertInstanceOf(LoadedUnit.Failed.class, r.get("badcal.timer").orElseThrow());
        assertEquals("/u/badcal.timer:2: OnCalendar=Moonday: invalid calendar event 'Moonday': unknown weekday 'Moonday'", bad.reasons().getFirst());
        LoadedUnit.Failed self = assertInstanceOf(LoadedUnit.Failed.class, r.get("self.timer").orElseThrow());
        assertTrue(self.reasons().getFirst().endsWith("Unit=a.timer: a timer cannot activate another timer"), self.reasons().toString());
        LoadResult i = r.with("inst@db.timer");
        assertEquals("inst@db.service", ((TimerUnit) i.unit("inst@db.timer").orElseThrow()).timer().unit());
    }

    @Test
    void standardTargetsExistWithoutFilesAndAFileReplacesThem() {
        LoadResult r = load(Map.of(
                "dnsmasq.service", "[Unit]\nRequires=network.target\nWants=nss-lookup.target\nAfter=network.target\n[Service]\nExecStart=/bin/d\n"
                        + "[Install]\nWantedBy=multi-user.target\n",
                "haveged.service", "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/bin/h\n[Install]\nWantedBy=sysinit.target\n",
                "network-online.target", "[Unit]\nDescription=Mine\n"));
        UnitGraph g = new UnitGraph(r);
        assertEquals(List.of(), g.startProblems("dnsmasq.service"), "network.target is built in");
        assertEquals("Mine", r.unit("network-online.target").orElseThrow().description());
        assertEquals(BuiltinTargets.path("network.target"), r.unit("network.target").orElseThrow().source());
        // haveged (DefaultDependencies=no, WantedBy=sysinit.target) starts before sysinit.target is reached, and
        // every service with default dependencies after it.
        List<String> s = g.startupSet();
        assertTrue(s.indexOf("haveged.service") < s.indexOf("sysinit.target"), s.toString());
        assertTrue(s.indexOf("sysinit.target") < s.indexOf("basic.target"), s.toString());
        assertTrue(s.indexOf("basic.target") < s.indexOf("dnsmasq.service"), s.toString());
        assertTrue(s.indexOf("dnsmasq.service") < s.indexOf("multi-user.target"), s.toString());
        // A service's default dependencies, and none with DefaultDependencies=no.
        Unit.UnitInfo d = r.unit("dnsmasq.service").orElseThrow().info();
        assertEquals(List.of("network.target", "sysinit.target"), d.requires());
        assertEquals(List.of("network.target", "sysinit.target", "basic.target"), d.after());
        assertEquals(List.of("shutdown.target"), d.conflicts());
        assertEquals(UnitBuilder.DEFAULT_DEPENDENCY, d.origin("After", "basic.target"));
        Unit.UnitInfo h = r.unit("haveged.service").orElseThrow().info();
        assertEquals(List.of(), h.after());
        assertEquals(List.of(), h.conflicts());
    }

    @Test
    void debiansOwnTimersLoadAndHaveANextElapse() throws Exception {
        Path sys = Path.of("/lib/systemd/system");
        List<String> names = List.of("apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer",
                "man-db.timer", "dpkg-db-backup.timer", "systemd-tmpfiles-clean.timer");
        List<String> present = names.stream().filter(n -> Files.isRegularFile(sys.resolve(n))).toList();
        assumeTrue(!present.isEmpty(), "no Debian timer installed");
        java.util.Map<String, String> texts = new java.util.TreeMap<>();
        for (String n : present) {
            texts.put(n, Files.readString(sys.resolve(n)));
            Path svc = sys.resolve(n.replace(".timer", ".service"));
            if (Files.isRegularFile(svc)) texts.put(svc.getFileName().toString(), Files.readString(svc));
        }
        LoadResult r = UnitLoader.loadTexts(sys, texts, SystemContext.current());
        java.time.Instant now = java.time.Instant.parse("2026-12-04T18:30:00Z");
        for (String n : present) {
            TimerUnit t = assertInstanceOf(TimerUnit.class, r.unit(n).orElse(null), () -> n + ": " + r.get(n) + " " + r.diagnostics());
            for (CalendarSpec c : t.timer().onCalendar()) {
                java.time.Instant next = c.next(now, java.time.ZoneOffset.UTC).orElseThrow();
                assertTrue(next.isAfter(now) && next.isBefore(now.plus(Duration.ofDays(8))), n + ": " + c + " next " + next);
            }
        }
        if (present.contains("apt-daily.timer")) {
            TimerUnit apt = (TimerUnit) r.unit("apt-daily.timer").orElseThrow();
            assertEquals("*-*-* 06,18:00:00", apt.timer().onCalendar().getFirst().toString());
            assertEquals(java.time.Instant.parse("2026-12-05T06:00:00Z"),
                    apt.timer().onCalendar().getFirst().next(now, java.time.ZoneOffset.UTC).orElseThrow());
            assertEquals(Duration.ofHours(12), apt.timer().randomizedDelay());
        }
    }
}
