package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelCommandLineTest {
    @Test
    void emptyLineGivesTheDefaults() {
        KernelCommandLine.Parsed p = KernelCommandLine.parse("");
        assertEquals(BootOptions.defaults(), p.options());
        assertTrue(p.notes().isEmpty());
    }

    @Test
    void readsEveryOption() {
        BootOptions o = KernelCommandLine.parse("BOOT_IMAGE=/vmlinuz root=/dev/vda rw console=ttyS0 panic=-1 quiet "
                + "jinit.units=/srv/units jinit.debug jinit.shell=ttyS0 ip=dhcp hostname=vm1 modules-load=virtio_net,ext4 "
                + "systemd.unit=rescue.target jinit.api=0.0.0.0:8080 jinit.ssh=22 jinit.console_output=no\n").options();
        assertEquals(Path.of("/srv/units"), o.units());
        assertTrue(o.debug());
        assertEquals(Optional.of("ttyS0"), o.shell());
        assertEquals(Optional.of("dhcp"), o.ip());
        assertEquals(BootOptions.RootMount.READ_WRITE, o.root());
        assertEquals(Optional.of("vm1"), o.hostname());
        assertEquals(List.of("virtio_net", "ext4"), o.modules());
        assertEquals(Optional.of("rescue.target"), o.target());
        assertEquals(Optional.of("0.0.0.0:8080"), o.api());
        assertEquals(Optional.of("22"), o.ssh());
        assertFalse(o.consoleOutput());
    }

    @Test
    void laterWordsWinExceptModuleListsWhichAddUp() {
        BootOptions o = KernelCommandLine.parse("ro hostname=a rw hostname=b jinit.target=x.target systemd.unit=y.service "
                + "modules-load=a,b rd.modules-load=c modules-load=a").options();
        assertEquals(BootOptions.RootMount.READ_WRITE, o.root());
        assertEquals(Optional.of("b"), o.hostname());
        assertEquals(Optional.of("y.service"), o.target());
        assertEquals(List.of("a", "b", "c"), o.modules());
    }

    @Test
    void quotesKeepBlanksAndAreRemoved() {
        assertEquals(List.of("a", "jinit.api=x y", "b"), KernelCommandLine.words("  a \"jinit.api=x y\"\tb \n"));
        assertEquals(List.of("jinit.api=x y"), KernelCommandLine.words("jinit.api=\"x y\""));
        assertEquals(Optional.of("x y"), KernelCommandLine.parse("jinit.api=\"x y\"").options().api());
    }

    @Test
    void wordsAfterDoubleDashAreInitsArguments() {
        BootOptions o = KernelCommandLine.parse("hostname=a -- hostname=b single").options();
        assertEquals(Optional.of("a"), o.hostname());
    }

    @Test
    void unusableValuesAreNotedAndIgnored() {
        KernelCommandLine.Parsed p = KernelCommandLine.parse("jinit.units=relative jinit.shell=../etc/passwd "
                + "hostname=-bad- jinit.console_output=maybe jinit.nosuch=1 modules-load=ok,bad/name");
        assertEquals(BootOptions.DEFAULT_UNITS, p.options().units());
        assertEquals(Optional.empty(), p.options().shell());
        assertEquals(Optional.empty(), p.options().hostname());
        assertTrue(p.options().consoleOutput());
        assertEquals(List.of("ok"), p.options().modules());
        assertEquals(6, p.notes().size(), p.notes().toString());
        assertTrue(p.notes().get(0).startsWith("jinit.units=relative: ignored"), p.notes().toString());
        assertTrue(p.notes().stream().anyMatch(n -> n.contains("jinit has no option jinit.nosuch")), p.notes().toString());
    }

    @Test
    void wordsForOthersAreDebugLinesOnly() {
        KernelCommandLine.Parsed p = KernelCommandLine.parse("console=ttyS0 quiet");
        assertTrue(p.notes().isEmpty());
        assertEquals(List.of("console=ttyS0: not for jinit", "quiet: not for jinit"), p.debug());
    }

    @Test
    void shellAcceptsDevPrefix() {
        assertEquals(Optional.of("hvc0"), KernelCommandLine.parse("jinit.shell=/dev/hvc0").options().shell());
    }
}
