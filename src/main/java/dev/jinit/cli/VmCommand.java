package dev.jinit.cli;

import dev.jinit.image.Vm;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jinit vm --kernel FILE --image FILE [--disk FILE]... [--forward HOSTPORT:GUESTPORT]...
 * [--memory M] [--append ARGS]}: boots the image under qemu with the serial console on this terminal
 * and exits with qemu's status once the guest powers off (or panics). In qemu's console, Ctrl-A X quits.
 */
final class VmCommand {
    static final String USAGE = "usage: jinit vm --kernel FILE --image FILE [--disk FILE]... [--forward HOSTPORT:GUESTPORT]...\n"
            + "                [--memory M] [--append ARGS]";

    private VmCommand() {}

    static Vm parse(String[] args) {
        Path kernel = null, image = null;
        List<Path> disks = new ArrayList<>();
        List<Vm.Forward> forwards = new ArrayList<>();
        String memory = Vm.DEFAULT_MEMORY, append = "";
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(key + " needs a value");
            String value = args[++i];
            switch (key) {
                case "--kernel" -> kernel = Path.of(value);
                case "--image" -> image = Path.of(value);
                case "--disk" -> disks.add(Path.of(value));
                case "--forward" -> forwards.add(Vm.Forward.parse(value));
                case "--memory" -> memory = value;
                case "--append" -> append = append.isEmpty() ? value : append + " " + value;
                default -> throw new IllegalArgumentException("unknown option " + key);
            }
        }
        return new Vm(kernel, image, disks, forwards, memory, append, Vm.kvmUsable());
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Vm vm;
        try {
            vm = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("jinit vm: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        err.println("jinit vm: " + (vm.kvm() ? "KVM" : "TCG (no usable /dev/kvm: slow)") + "; Ctrl-A X quits qemu");
        try {
            Process qemu = vm.start(ProcessBuilder.Redirect.INHERIT, ProcessBuilder.Redirect.INHERIT);
            return qemu.waitFor();
        } catch (IOException e) {
            err.println("jinit vm: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
