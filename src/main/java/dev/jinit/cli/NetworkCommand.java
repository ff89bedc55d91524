package dev.jinit.cli;

import dev.jinit.control.StateDir;
import dev.jinit.net.NetworkService;
import dev.jinit.net.NetworkStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * {@code jinit network [--state DIR] [--json]}: the links the running jinit configured, their leases
 * (address, gateway, DNS, server, renewal and expiry) and counters of dropped packets, from the status
 * file the network part keeps in the state directory.
 */
final class NetworkCommand {
    static final String USAGE = "usage: jinit network [--state DIR] [--json]";

    private NetworkCommand() {}

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String state = null;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--state" -> {
                    if (i + 1 >= args.length) {
                        err.println("jinit network: --state needs a value");
                        return 2;
                    }
                    state = args[++i];
                }
                default -> {
                    err.println("jinit network: unknown argument " + args[i]);
                    err.println(USAGE);
                    return 2;
                }
            }
        }
        Path file = StateDir.resolve(state, env, StateDir.effectiveUid()).resolve(NetworkService.STATUS_FILE);
        try {
            String text = Files.readString(file);
            out.print(json ? text : NetworkStatus.render(text, Instant.now()));
            return 0;
        } catch (NoSuchFileException e) {
            err.println("jinit network: " + file + ": no network status (no .network configuration, or jinit is not running)");
            return 3;
        } catch (IOException | RuntimeException e) {
            err.println("jinit network: " + file + ": " + e.getMessage());
            return 1;
        }
    }
}
