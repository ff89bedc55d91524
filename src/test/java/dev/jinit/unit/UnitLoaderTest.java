package dev.jinit.unit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class UnitLoaderTest {
    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private LoadResult load() throws IOException {
        return UnitLoader.load(dir, Fixtures.CTX);
    }

    @Test
    void oneBrokenUnitNeverStopsTheOthers() throws IOException {
        write("good.service", "[Service]\nExecStart=/bin/true\n");
        write("bad.service", "[Service]\nExecStart=/bin/true\nRestart=sometimes\nKillSignal=NOPE\n");
        write("warned.service", "[Service]\nExecStart=/bin/true\nIPAddressDeny=any\nIPAddressDeny=10.0.0.0/8\n");
        write("grouping.target", "[Unit]\nDescription=group\n");
        write("ignored.automount", "[Automount]\nWhere=/mnt\n");
        LoadResult r = load();
        assertEquals(List.of("bad.service", "good.service", "grouping.target", "warned.service"), Fixtures.own(r, r.units().keySet()));
        assertEquals(LoadState.LOADED, r.units().get("good.service").loadState());
        assertInstanceOf(TargetUnit.class, r.unit("grouping.target").orElseThrow());
        LoadedUnit.Failed bad = (LoadedUnit.Failed) r.units().get("bad.service");
        assertEquals(LoadState.BAD_SETTING, bad.loadState());
        assertEquals("bad-setting", bad.loadState().word());
        Path badFile = dir.resolve("bad.service");
        assertEquals(List.of(badFile + ":3: Restart=sometimes: not a restart policy (no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always)",
                badFile + ":4: KillSignal=NOPE: not a signal name or number"), bad.reasons());
        // A protection jinit does not apply is named with each value, never dropped silently.
        assertEquals(List.of(dir.resolve("warned.service") + ":3: IPAddressDeny=any " + UnitBuilder.NOT_ENFORCED_NOTE,
                        dir.resolve("warned.service") + ":4: IPAddressDeny=10.0.0.0/8 " + UnitBuilder.NOT_ENFORCED_NOTE),
                r.warnings().stream().map(Diagnostic::toString).toList());
        assertEquals(LoadState.LOADED, r.units().get("warned.service").loadState());
    }

    /**
     * A FIFO opened with a blocking open() waits for a writer forever: the loader must refuse it (and a
     * device behind a symlink) as "not a regular file", and still load the others. Under a timeout, so
     * that the old, blocking behaviour fails this test instead of hanging the build.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void fifosAndDevicesAreLoadErrorsNotHangs() throws IOException {
        write("good.service", "[Service]\nExecStart=/bin/true\n");
        write("ticker.service", "[Service]\nExecStart=/bin/true\n");
        write("tick@.service", "[Service]\nExecStart=/bin/echo %i\n");
        dev.jinit.linux.Fs.mkfifo(dir.resolve("fifo.service").toString(), 0644);
        Files.createDirectories(dir.resolve("ticker.service.d"));
        dev.jinit.linux.Fs.mkfifo(dir.resolve("ticker.service.d/x.conf").toString(), 0644);
        Files.createDirectories(dir.resolve("tick@.service.d"));
        dev.jinit.linux.Fs.mkfifo(dir.resolve("tick@.service.d/y.conf").toString(), 0644);
        Files.createSymbolicLink(dir.resolve("zero.service"), Path.of("/dev/zero"));
        write("linked-target/linked.service", "[Service]\nExecStart=/bin/true\n");
        Files.createSymbolicLink(dir.resolve("linked.service"), dir.resolve("linked-target/linked.service"));
        LoadResult r = load();
        assertEquals(LoadState.LOADED, r.units().get("good.service").loadState());
        assertEquals(LoadState.LOADED, r.units().get("linked.service").loadState(), "a symlinked unit file is followed");
        LoadedUnit.Failed fifo = (LoadedUnit.Failed) r.units().get("fifo.service");
        assertEquals(LoadState.ERROR, fifo.loadState());
        assertTrue(fifo.reasons().getFirst().contains(dir.resolve("fifo.service") + " is a FIFO, not a regular file"), fifo.reasons().toString());
        LoadedUnit.Failed ticker = (LoadedUnit.Failed) r.units().get("ticker.service");
        assertEquals(LoadState.ERROR, ticker.loadState());
        assertTrue(ticker.reasons().getFirst().contains("drop-in " + dir.resolve("ticker.service.d/x.conf")), ticker.reasons().toString());
        assertTrue(ticker.reasons().getFirst().contains("is a FIFO"), ticker.reasons().toString());
        LoadedUnit.Failed zero = (LoadedUnit.Failed) r.units().get("zero.service");
        assertTrue(zero.reasons().getFirst().contains("/dev/zero is a character device, not a regular file"), zero.reasons().toString());
        assertEquals(LoadState.ERROR, LoadResult.load(UnitDirectory.read(dir, Fixtures.CTX), List.of("tick@a.service"))
                .units().get("tick@a.service").loadState(), "a template's unreadable drop-in fails its instances");
    }

    @Test
    void unreadableAndBadlyNamedFilesAreErrors() throws IOException {
        Files.write(dir.resolve("binary.service"), new byte[]{'[', (byte) 0xff, (byte) 0xfe, ']'});
        write("bad name.service", "[Service]\nExecStart=/bin/true\n");
        write("tmpl@.service", "[Service]\nExecStart=/bin/echo %i\n");
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("huge.service"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'#'}), UnitDirectory.MAX_FILE); // sparse: no disk used
        }
        LoadResult r = load();
        LoadedUnit.Failed huge = (LoadedUnit.Failed) r.units().get("huge.service");
        assertEquals(LoadState.ERROR, huge.loadState());
        assertTrue(huge.reasons().getFirst().contains("is larger than"), huge.reasons().toString());
        LoadedUnit.Failed bin = (LoadedUnit.Failed) r.units().get("binary.service");
        assertEquals(LoadState.ERROR, bin.loadState());
        assertTrue(bin.reasons().getFirst().contains("cannot read " + dir.resolve("binary.service")), bin.reasons().toString());
        LoadedUnit.Failed named = (LoadedUnit.Failed) r.units().get("bad name.service");
        assertEquals(LoadState.ERROR, named.loadState());
        assertTrue(named.reasons().getFirst().contains("invalid character ' '"), named.reasons().toString());
        assertFalse(r.units().containsKey("tmpl@.service"), "templates are not units by themselves");
    }

    @Test
    void templatesAreInstantiatedWhenReferencedOrRequested() throws IOException {
        write("web@.service", "[Unit]\nDescription=web on port %i\n[Service]\nExecStart=/bin/web --port=%i\n");
        write("front.service", "[Unit]\nRequires=web@8080.service\n[Service]\nExecStart=/bin/front\n");
        Files.createDirectories(dir.resolve("multi-user.target.wants"));
        Files.createSymbolicLink(dir.resolve("multi-user.target.wants/web@9090.service"), Path.of("../web@.service"));
        LoadResult r = load();
        Unit w = r.unit("web@8080.service").orElseThrow();
        assertEquals("web on port 8080", w.description());
        assertEquals(dir.resolve("web@.service"), w.source());
        assertEquals(List.of("--port=8080"), ((ServiceUnit) w).service().execStart().getFirst().words());
        assertEquals(List.of("multi-user.target"), r.unit("web@9090.service").orElseThrow().info().wantedBy());
        assertTrue(r.get("web@7070.service").isEmpty());
        LoadResult more = r.with("web@7070.service");
        assertEquals("web on port 7070", more.unit("web@7070.service").orElseThrow().description());
        assertTrue(r.get("web@7070.service").isEmpty(), "results are immutable");
        LoadResult missing = r.with("nope.service");
        assertEquals(LoadState.NOT_FOUND, missing.get("nope.service").orElseThrow().loadState());
        LoadedUnit.Failed tmpl = (LoadedUnit.Failed) r.with("web@.service").get("web@.service").orElseThrow();
        assertTrue(tmpl.reasons().getFirst().contains("is a template"), tmpl.reasons().toString());
    }

    @Test
    void dropInsApplyInNameOrderAfterTheUnitAndTemplateDropInsToInstances() throws IOException {
        write("a.service", "[Unit]\nDescription=base\n[Service]\nExecStart=/bin/a\nEnvironment=X=1\n");
        write("a.service.d/20-later.conf", "[Service]\nEnvironment=Y=2\n");
        write("a.service.d/10-first.conf", "[Unit]\nDescription=override\n[Service]\nExecStart=\nExecStart=/bin/b\n");
        write("a.service.d/ignored.txt", "[Unit]\nDescription=not a conf\n");
        write("t@.service", "[Service]\nExecStart=/bin/t\n");
        write("t@.service.d/10-all.conf", "[Unit]\nDescription=all instances\n");
        write("t@.service.d/20-x.conf", "[Service]\nRestart=always\n");
        write("t@one.service.d/20-x.conf", "[Service]\nRestart=on-failure\n");
        write("b.service", "[Unit]\nWants=t@one.service t@two.service\n[Service]\nExecStart=/bin/b\n");
        LoadResult r = load();
        ServiceUnit a = (ServiceUnit) r.unit("a.service").orElseThrow();
        assertEquals("override", a.description());
        assertEquals("/bin/b", a.service().execStart().getFirst().path());
        assertEquals(Map.of("X", "1", "Y", "2"), a.service().environment());
        assertEquals(List.of(dir.resolve("a.service.d/10-first.conf"), dir.resolve("a.service.d/20-later.conf")), a.info().dropIns());
        ServiceUnit one = (ServiceUnit) r.unit("t@one.service").orElseThrow();
        ServiceUnit two = (ServiceUnit) r.unit("t@two.service").orElseThrow();
        assertEquals("all instances", one.description());
        assertEquals(RestartPolicy.ON_FAILURE, one.service().restart(), "the instance's drop-in replaces the template's of the same name");
        assertEquals(RestartPolicy.ALWAYS, two.service().restart());
    }

    @Test
    void dropInErrorsNameTheDropIn() throws IOException {
        write("a.service", "[Service]\nExecStart=/bin/a\n");
        write("a.service.d/override.conf", "[Service]\n\nRestartSec=never\n");
        LoadedUnit.Failed f = (LoadedUnit.Failed) load().get("a.service").orElseThrow();
        assertEquals(List.of(dir.resolve("a.service.d/override.conf") + ":3: RestartSec=never: not a time span: never"), f.reasons());
    }

    @Test
    void maskedUnitsAndLinkDirectories() throws IOException {
        Files.createSymbolicLink(dir.resolve("masked.service"), Path.of("/dev/null"));
        write("empty.service", "");
        write("db.service", "[Service]\nExecStart=/bin/db\n");
        write("app.target", "[Unit]\nDescription=app\n");
        Files.createDirectories(dir.resolve("app.target.requires"));
        Files.createSymbolicLink(dir.resolve("app.target.requires/db.service"), Path.of("../db.service"));
        LoadResult r = load();
        assertEquals(LoadState.MASKED, r.get("masked.service").orElseThrow().loadState());
        assertEquals(LoadState.MASKED, r.get("empty.service").orElseThrow().loadState());
        assertEquals(List.of("app.target"), r.unit("db.service").orElseThrow().info().requiredBy());
    }

    @Test
    void aliasesFindTheirUnit() throws IOException {
        write("ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nAlias=sshd.service\n");
        LoadResult r = load();
        assertEquals("ssh.service", r.unit("sshd.service").orElseThrow().name());
        assertEquals(Map.of("sshd.service", "ssh.service"), r.aliases());
    }

    @Test
    void symlinksToOtherUnitFilesAreAliasesNotSecondCopies(@TempDir Path elsewhere) throws IOException {
        write("ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
        Files.createSymbolicLink(dir.resolve("sshd.service"), Path.of("ssh.service"));
        Files.writeString(elsewhere.resolve("cron.service"), "[Service]\nExecStart=/usr/sbin/cron -f\n");
        Files.createSymbolicLink(dir.resolve("crond.service"), elsewhere.resolve("cron.service"));
        Files.createDirectories(dir.resolve("multi-user.target.wants"));
        Files.createSymbolicLink(dir.resolve("multi-user.target.wants/sshd.service"), Path.of("../sshd.service"));
        write("user.service", "[Unit]\nRequires=sshd.service crond.service\n[Service]\nExecStart=/bin/u\n");
        LoadResult r = load();
        assertEquals(List.of("cron.service", "ssh.service", "user.service"), Fixtures.own(r, r.units().keySet()));
        assertEquals(Map.of("sshd.service", "ssh.service", "crond.service", "cron.service"), r.aliases());
        assertEquals(List.of("multi-user.target"), r.unit("ssh.service").orElseThrow().info().wantedBy());
        assertEquals(elsewhere.resolve("cron.service").toRealPath(), r.unit("crond.service").orElseThrow().source().toRealPath());
        UnitGraph g = new UnitGraph(r);
        assertEquals(List.of(), g.startProblems("user.service"));
        assertEquals(List.of("ssh.service"), Fixtures.own(g.units(), g.startupSet()));
    }

    @Test
    void missingDirectoryIsNamed() {
        Path nowhere = dir.resolve("nowhere");
        IOException e = assertThrows(IOException.class, () -> UnitLoader.load(nowhere, Fixtures.CTX));
        assertTrue(e.getMessage().startsWith("cannot read unit directory " + nowhere), e.getMessage());
    }
}
