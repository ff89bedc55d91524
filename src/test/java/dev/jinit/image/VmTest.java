package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmTest {
    @Test
    void commandLine(@TempDir Path dir) throws Exception {
        Path k = Files.createFile(dir.resolve("vmlinuz")), i = Files.createFile(dir.resolve("img")),
                d = Files.createFile(dir.resolve("d.qcow2"));
        Vm vm = new Vm(k, i, List.of(d), List.of(Vm.Forward.parse("8080:80")), "1G", "jinit.debug", false);
        String cmd = String.join(" ", vm.command());
        assertTrue(cmd.startsWith("qemu-system-x86_64 -m 1G -smp 1 -accel tcg -cpu max -kernel " + k + " -initrd " + i), cmd);
        assertTrue(vm.command().contains("console=ttyS0 panic=-1 jinit.debug"), cmd);
        assertTrue(cmd.contains("-nographic -no-reboot"), cmd);
        assertTrue(cmd.contains("-nic user,model=virtio-net-pci,hostfwd=tcp::8080-:80"), cmd);
        assertTrue(cmd.contains("-drive file=" + d + ",format=qcow2,if=virtio"), cmd);
        assertTrue(new Vm(k, i, List.of(), List.of(), "512M", "", true).command().containsAll(List.of("kvm", "host")));
    }

    @Test
    void badArgumentsAreNamed(@TempDir Path dir) throws Exception {
        Path k = Files.createFile(dir.resolve("vmlinuz"));
        assertEquals("--forward 80: expected HOSTPORT:GUESTPORT",
                assertThrows(IllegalArgumentException.class, () -> Vm.Forward.parse("80")).getMessage());
        assertEquals("--forward 8080:99999: '99999' is not a port (1-65535)",
                assertThrows(IllegalArgumentException.class, () -> Vm.Forward.parse("8080:99999")).getMessage());
        assertEquals(dir.resolve("nope") + ": no such file", assertThrows(IllegalArgumentException.class,
                () -> new Vm(k, dir.resolve("nope"), List.of(), List.of(), "512M", "", false)).getMessage());
        assertEquals("--memory lots: expected e.g. 512M or 1G", assertThrows(IllegalArgumentException.class,
                () -> new Vm(k, k, List.of(), List.of(), "lots", "", false)).getMessage());
    }
}
