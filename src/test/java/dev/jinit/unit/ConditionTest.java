package dev.jinit.unit;

import static dev.jinit.unit.Fixtures.build;
import static dev.jinit.unit.Fixtures.errors;
import static dev.jinit.unit.Fixtures.info;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionTest {
    @TempDir
    Path dir;

    @Test
    void debiansSshConditionIsParsedWithItsLine() {
        Unit.UnitInfo i = info("ssh.service", """
                [Unit]
                Description=OpenBSD Secure Shell server
                ConditionPathExists=!/etc/ssh/sshd_not_to_be_run

                [Service]
                ExecStart=/usr/sbin/sshd -D
                """);
        Condition c = i.conditions().getFirst();
        assertEquals(Condition.Check.PATH_EXISTS, c.check());
        assertTrue(c.negate());
        assertFalse(c.trigger() || c.isAssert());
        assertEquals(Path.of("/etc/ssh/sshd_not_to_be_run"), c.path());
        assertEquals("/u/ssh.service:3", c.where());
        assertEquals("ConditionPathExists=!/etc/ssh/sshd_not_to_be_run", c.toString());
        assertTrue(i.unsupported().isEmpty(), "no longer reported as unsupported: " + i.unsupported());
    }

    @Test
    void prefixesSpecifiersAndResets() {
        Unit.UnitInfo i = info("a.service", """
                [Unit]
                ConditionPathIsDirectory=/x
                ConditionPathIsDirectory=
                ConditionFileNotEmpty=|!/etc/%n
                AssertPathExists=/y
                AssertPathExists=
                AssertDirectoryNotEmpty= | /z
                [Service]
                ExecStart=/bin/a
                """);
        assertEquals(List.of("ConditionFileNotEmpty=|!/etc/a.service", "AssertDirectoryNotEmpty=|/z"),
                i.conditions().stream().map(Condition::toString).toList());
    }

    @Test
    void badPathsFailTheUnitNamingTheLine() {
        UnitBuilder.Result r = build("a.service", "[Unit]\nConditionPathExists=relative/path\n[Service]\nExecStart=/bin/a\n");
        assertTrue(r.failed());
        assertTrue(errors(r).contains("/u/a.service:2") && errors(r).contains("not absolute"), errors(r));
        UnitBuilder.Result empty = build("b.service", "[Unit]\nAssertPathIsSymbolicLink=|!\n[Service]\nExecStart=/bin/a\n");
        assertTrue(errors(empty).contains("/u/b.service:2") && errors(empty).contains("no path"), errors(empty));
    }

    @Test
    void otherConditionKindsStayUnsupportedWarnings() {
        UnitBuilder.Result r = build("a.service", "[Unit]\nConditionVirtualization=container\n[Service]\nExecStart=/bin/a\n");
        assertFalse(r.failed());
        assertTrue(r.diagnostics().toString().contains("unknown directive ConditionVirtualization"), r.diagnostics().toString());
    }

    @Test
    void eachCheckAgainstTheFileSystem() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path emptyFile = Files.createFile(dir.resolve("empty"));
        Path exe = Files.writeString(dir.resolve("exe"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path emptyDir = Files.createDirectory(dir.resolve("emptydir"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        Path missing = dir.resolve("missing");

        assertHolds("PathExists", file, true);
        assertHolds("PathExists", missing, false);
        assertHolds("PathIsDirectory", dir, true);
        assertHolds("PathIsDirectory", file, false);
        assertHolds("PathIsSymbolicLink", link, true);
        assertHolds("PathIsSymbolicLink", file, false);
        assertHolds("FileNotEmpty", file, true);
        assertHolds("FileNotEmpty", emptyFile, false);
        assertHolds("FileNotEmpty", dir, false);
        assertHolds("FileIsExecutable", exe, true);
        assertHolds("FileIsExecutable", file, false);
        assertHolds("DirectoryNotEmpty", dir, true);
        assertHolds("DirectoryNotEmpty", emptyDir, false);
        assertHolds("DirectoryNotEmpty", missing, false);
    }

    @Test
    void triggeringChecksNeedOneToHoldAndTheOthersAll() throws IOException {
        Path there = Files.writeString(dir.resolve("there"), "x");
        Path gone = dir.resolve("gone");
        Condition thereC = c("ConditionPathExists", there.toString());
        Condition goneC = c("ConditionPathExists", gone.toString());
        Condition triggerThere = c("ConditionPathExists", "|" + there);
        Condition triggerGone = c("ConditionPathExists", "|" + gone);

        assertNull(Condition.unmet(List.of()));
        assertNull(Condition.unmet(List.of(thereC, triggerGone, triggerThere)));
        String missingOne = Condition.unmet(List.of(thereC, goneC, triggerThere));
        assertTrue(missingOne.startsWith("ConditionPathExists=" + gone + " (/u/t:1) was not met"), missingOne);
        String noTrigger = Condition.unmet(List.of(thereC, triggerGone));
        assertTrue(noTrigger.contains("none of the triggering checks") && noTrigger.contains("|" + gone), noTrigger);
    }

    private static Condition c(String key, String value) {
        return Condition.parse(key, value, "/u/t:1");
    }

    private static void assertHolds(String suffix, Path path, boolean expected) {
        assertEquals(expected, c("Condition" + suffix, path.toString()).holds(), suffix + " " + path);
        assertEquals(!expected, c("Condition" + suffix, "!" + path).holds(), "!" + suffix + " " + path);
    }
}
