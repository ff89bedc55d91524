package dev.jinit.cli;

import dev.jinit.api.ApiOptions;
import dev.jinit.api.HttpApiPart;
import dev.jinit.boot.BootOptions;
import dev.jinit.net.KernelIpParameter;
import dev.jinit.net.NetworkConfig;
import dev.jinit.net.NetworkService;
import dev.jinit.system.Part;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts boot mode plugs into the supervisor besides its own (console output, console shell): the
 * network, from the {@code *.network} files beside the units and the kernel's {@code ip=}, then the
 * HTTP API from {@code jinit.api=} (it may listen on an address the network configures). Each only
 * when asked for, as in {@code jinit run}.
 */
final class BootParts {
    private BootParts() {}

    /**
     * @param machine the machine's PID 1: resolv.conf goes to /etc and leases to /var/lib/jinit; for
     *                {@code jinit boot} in a namespace both stay in the state directory (the host's
     *                /etc is not this jinit's to write)
     */
    static List<Part> of(BootOptions options, Path units, Path stateDir, boolean machine, PrintStream console) {
        List<Part> parts = new ArrayList<>();
        List<NetworkConfig> configs = new ArrayList<>();
        if (hasNetworkFiles(units)) configs.addAll(NetworkService.fromUnitDirectory(units, stateDir, console).configs());
        if (options.ip().isPresent()) {
            try {
                Optional<NetworkConfig> ip = KernelIpParameter.parse(options.ip().get());
                ip.ifPresent(configs::add);
            } catch (IllegalArgumentException e) {
                console.println("jinit: network: " + e.getMessage() + "; ignored");
            }
        }
        if (!configs.isEmpty()) {
            Path resolv = machine ? Path.of("/etc/resolv.conf") : stateDir.resolve("resolv.conf");
            Path leases = machine ? Path.of("/var/lib/jinit/dhcp") : stateDir.resolve("dhcp");
            // networkd-wait-online's 120 s is for servers with slow switches; a VM's DHCP answers in
            // milliseconds, and units must not wait two minutes for a link nobody plugged in.
            parts.add(new NetworkService(new NetworkService.Settings(configs, resolv, leases, Duration.ofSeconds(30)), console));
        }
        options.api().ifPresent(value -> {
            try {
                parts.add(new HttpApiPart(ApiOptions.parse(value, null), true));
            } catch (IllegalArgumentException e) {
                console.println("jinit: jinit.api=" + value + ": " + e.getMessage() + "; no HTTP API");
            }
        });
        return parts;
    }

    private static boolean hasNetworkFiles(Path units) {
        try (var files = java.nio.file.Files.list(units)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".network"));
        } catch (java.io.IOException e) {
            return false; // no unit directory: the supervisor says so
        }
    }
}
