package dev.jinit.cli;

import dev.jinit.exec.ProcessSpec;
import dev.jinit.supervise.ServiceConfig;
import dev.jinit.supervise.UnitDefinition;
import dev.jinit.supervise.UnitMapping;
import dev.jinit.unit.LoadResult;
import dev.jinit.unit.UnitLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code jinit security [--units DIR] UNIT...}: like {@code systemd-analyze security}, what protections jinit
 * enforces for each unit, read from its unit files (DIR, by default boot mode's /etc/jinit/units) the way
 * {@code jinit run} reads them; no running jinit is needed. Exit 0, 1 when a unit cannot be assessed, 2 on
 * bad usage.
 */
final class SecurityCommand {
    private SecurityCommand() {}

    static final Path DEFAULT_UNITS = Path.of("/etc/jinit/units");

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = DEFAULT_UNITS;
        List<String> units = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--units" -> {
                    if (++i >= args.length) return usage(err);
                    dir = Path.of(args[i]);
                }
                case "-h", "--help" -> {
                    out.println("usage: jinit security [--units DIR] UNIT...");
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-")) return usage(err);
                    units.add(args[i].contains(".") ? args[i] : args[i] + ".service");
                }
            }
        }
        if (units.isEmpty()) return usage(err);
        if (!Files.isDirectory(dir)) {
            err.println("jinit security: " + dir + " is not a directory (give --units DIR)");
            return 2;
        }
        LoadResult loaded;
        try {
            loaded = UnitLoader.load(dir);
            for (String u : units) loaded = loaded.with(u);
        } catch (IOException | RuntimeException e) {
            err.println("jinit security: cannot load " + dir + ": " + e.getMessage());
            return 1;
        }
        List<UnitDefinition> defs = UnitMapping.map(loaded);
        int rc = 0;
        for (String u : units) {
            UnitDefinition d = defs.stream().filter(x -> x.name().equals(u)).findFirst().orElse(null);
            if (d == null) {
                err.println("jinit security: unit " + u + " not found in " + dir);
                rc = 1;
                continue;
            }
            if (d.plan() == null || d.service() == null) {
                err.println("jinit security: " + u + (d.loadError() != null ? ": " + d.loadError() : " has no processes to assess"));
                rc = 1;
                continue;
            }
            ProcessSpec spec;
            try {
                ServiceConfig.Role role = d.service().commands(ServiceConfig.Role.START).isEmpty() ? ServiceConfig.Role.STOP : ServiceConfig.Role.START;
                spec = d.plan().spec(role, 0, Map.of());
            } catch (RuntimeException e) {
                err.println("jinit security: " + u + ": " + e.getMessage());
                rc = 1;
                continue;
            }
            List<String> notEnforced = d.warnings().stream().filter(w -> w.contains(" is not enforced")).toList();
            out.print(SecurityReport.render(u, SecurityReport.checks(spec), notEnforced));
        }
        return rc;
    }

    private static int usage(PrintStream err) {
        err.println("usage: jinit security [--units DIR] UNIT...");
        return 2;
    }
}
