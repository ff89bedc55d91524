package dev.jinit.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A qemu-system-x86_64 command that boots a kernel and a jinit initramfs, with the serial console as
 * qemu's stdio. {@code panic=-1} with {@code -no-reboot} makes a dying PID 1 (a kernel panic) or a
 * reboot end qemu instead of hanging or looping, so qemu exits when the guest does.
 *
 * <p>qemu is a host tool that {@code jinit vm} starts and waits for, not a supervised process:
 * ProcessBuilder is right here.
 *
 * @param forwards {@code HOSTPORT:GUESTPORT} TCP forwards through qemu's user network
 * @param memory qemu's {@code -m} value ({@code 512M})
 * @param append extra kernel command line words
 */
public record Vm(Path kernel, Path image, List<Path> disks, List<Forward> forwards, String memory, String append,
        boolean kvm) {
    public static final String DEFAULT_MEMORY = "512M";

    public record Forward(int hostPort, int guestPort) {
        public static Forward parse(String arg) {
            String[] parts = arg.split(":");
            if (parts.length != 2) throw new IllegalArgumentException("--forward " + arg + ": expected HOSTPORT:GUESTPORT");
            return new Forward(port(parts[0], arg), port(parts[1], arg));
        }

        private static int port(String s, String arg) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 1 && p <= 65535) return p;
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("--forward " + arg + ": '" + s + "' is not a port (1-65535)");
        }
    }

    public Vm {
        disks = List.copyOf(disks);
        forwards = List.copyOf(forwards);
        if (kernel == null) throw new IllegalArgumentException("--kernel FILE is required");
        if (image == null) throw new IllegalArgumentException("--image FILE is required");
        for (Path f : List.of(kernel, image))
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException(f + ": no such file");
        for (Path d : disks) if (!Files.isRegularFile(d)) throw new IllegalArgumentException("--disk " + d + ": no such file");
        if (!memory.matches("[0-9]+[MG]?")) throw new IllegalArgumentException("--memory " + memory + ": expected e.g. 512M or 1G");
    }

    /** KVM when this process can open /dev/kvm read-write; TCG (emulation, ~10x slower) otherwise. */
    public static boolean kvmUsable() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) return false;
        try (var ch = java.nio.channels.FileChannel.open(kvm, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public List<String> command() {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-m", memory, "-smp", "1"));
        if (kvm) cmd.addAll(List.of("-accel", "kvm", "-cpu", "host"));
        else cmd.addAll(List.of("-accel", "tcg", "-cpu", "max"));
        cmd.addAll(List.of("-kernel", kernel.toString(), "-initrd", image.toString()));
        String cmdline = "console=ttyS0 panic=-1" + (append == null || append.isBlank() ? "" : " " + append.strip());
        cmd.addAll(List.of("-append", cmdline, "-nographic", "-no-reboot"));
        StringBuilder nic = new StringBuilder("user,model=virtio-net-pci");
        for (Forward f : forwards) nic.append(",hostfwd=tcp::").append(f.hostPort()).append("-:").append(f.guestPort());
        cmd.addAll(List.of("-nic", nic.toString()));
        for (Path d : disks) {
            String format = d.toString().endsWith(".qcow2") ? "qcow2" : "raw";
            cmd.addAll(List.of("-drive", "file=" + d + ",format=" + format + ",if=virtio"));
        }
        return cmd;
    }

    /** Starts qemu; the caller picks where the console goes (the terminal for {@code jinit vm}, pipes in tests). */
    public Process start(ProcessBuilder.Redirect stdin, ProcessBuilder.Redirect stdout) throws IOException {
        try {
            return new ProcessBuilder(command()).redirectInput(stdin).redirectOutput(stdout)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IOException("cannot start qemu-system-x86_64 (install qemu-system-x86): " + e.getMessage(), e);
        }
    }
}
