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

/**
 * The parts boot mode plugs into the supervisor besides its own (console output, console shell): the
 * network ({@link NetworkService#bootParts}: the kernel's {@code ip=} and {@code *.network} files), then
 * the HTTP API from {@code jinit.api=} (it may listen on an address the network configures). Each only
 * when asked for, as in {@code jinit run}.
 */
final class BootParts {
    private BootParts() {}

    /**
     * @param machine the machine's PID 1 (resolv.conf in /etc, /etc/systemd/network read); for
     *                {@code jinit boot} in a namespace resolv.conf stays in the state directory (the
     *                host's /etc is not this jinit's to write or read)
     */
    static List<Part> of(BootOptions options, Path units, Path stateDir, boolean machine, PrintStream console) {
        List<Part> parts = new ArrayList<>();
        if (machine) {
            // A lease's host name becomes the machine's only while none is configured (as networkd + hostnamed).
            boolean staticHostname = options.hostname().isPresent() || NetworkService.staticHostnameFile(Path.of("/etc/hostname"));
            parts.addAll(NetworkService.bootParts(options.ip(), units, stateDir, staticHostname, console));
        } else {
            // jinit boot shares the host's /etc: only the files beside the units and ip= count, and
            // resolv.conf and leases stay in the state directory.
            List<NetworkConfig> configs = new ArrayList<>();
            if (hasNetworkFiles(units)) configs.addAll(NetworkService.fromUnitDirectory(units, stateDir, console).configs());
            if (options.ip().isPresent()) {
                try {
                    KernelIpParameter.parse(options.ip().get()).ifPresent(configs::add);
                } catch (IllegalArgumentException e) {
                    console.println("jinit: network: " + e.getMessage() + "; ignoring ip=");
                }
            }
            if (!configs.isEmpty())
                parts.add(new NetworkService(new NetworkService.Settings(configs, stateDir.resolve("resolv.conf"),
                        stateDir.resolve("dhcp"), stateDir.resolve(NetworkService.STATUS_FILE), Duration.ofSeconds(120)), console));
        }
        options.api().ifPresent(value -> {
            try {
                // The machine's image may hold the token (/etc/jinit/api.token); jinit boot shares the host's /etc.
                parts.add(new HttpApiPart(ApiOptions.boot(value, machine ? ApiOptions.IMAGE_TOKEN_FILE : null), true));
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
