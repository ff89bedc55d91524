package dev.jinit.unit;

/**
 * Expands systemd's {@code %} specifiers (systemd.unit(5), "Specifiers", table 4) for one unit: every one of
 * systemd 252's table, {@code %a %A %b %B %C %d %E %f %g %G %h %H %i %I %j %J %l %L %m %M %n %N %o %p %P %q %s
 * %S %t %T %u %U %v %V %w %W %y %Y %%}. Any other letter is an error rather than being passed through, because
 * a command line with a stray {@code %x} almost always means a missing {@code %%}.
 *
 * <p>{@code %I}, {@code %P}, {@code %J} and {@code %f} undo the unit-name escaping as systemd's
 * {@code unit_name_unescape} does: a dash stands for a slash, {@code \xNN} for a byte.
 *
 * @param fragment the unit's main file ({@code %y}, {@code %Y}), or null for a unit without one
 */
public record Specifiers(UnitName unit, SystemContext system, java.nio.file.Path fragment) {

    public Specifiers(UnitName unit, SystemContext system) {
        this(unit, system, null);
    }

    /** @throws BadValueException for an unknown specifier or a lone {@code %} at the end */
    public String expand(String s) {
        if (s.indexOf('%') < 0) return s;
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (++i >= s.length()) throw new BadValueException("lone % at the end (write %% for a literal %)");
            b.append(value(s.charAt(i)));
        }
        return b.toString();
    }

    private String value(char spec) {
        String instance = unit.instance() == null ? "" : unit.instance();
        return switch (spec) {
            case '%' -> "%";
            case 'n' -> unit.name();
            case 'N' -> unit.withoutSuffix();
            case 'p' -> unit.prefix();
            case 'P' -> UnitName.unescapeDashes(unit.prefix());
            case 'i' -> instance;
            case 'I' -> UnitName.unescapeDashes(instance);
            case 'j' -> lastDashComponent(unit.prefix());
            case 'J' -> UnitName.unescapeDashes(lastDashComponent(unit.prefix()));
            case 'f' -> UnitName.unescapePath(instance.isEmpty() ? unit.prefix() : instance);
            case 't' -> system.runtimeDir();
            case 'h' -> system.home();
            case 'u' -> system.userName();
            case 'U' -> Integer.toString(system.uid());
            case 'g' -> system.groupName();
            case 'G' -> Integer.toString(system.gid());
            case 's' -> system.shell();
            case 'q' -> system.prettyHostname().isEmpty() ? shortHost(system.hostname()) : system.prettyHostname();
            case 'a' -> system.architecture();
            case 'o' -> system.osField("ID");
            case 'w' -> system.osField("VERSION_ID");
            case 'W' -> system.osField("VARIANT_ID");
            case 'M' -> system.osField("IMAGE_ID");
            case 'A' -> system.osField("IMAGE_VERSION");
            case 'B' -> system.osField("BUILD_ID");
            // systemd's credentials directory for a unit of the system manager: $RUNTIME/credentials/UNIT.
            case 'd' -> system.runtimeDir() + "/credentials/" + unit.name();
            case 'y' -> fragmentPath().toString();
            case 'Y' -> fragmentPath().getParent().toString();
            case 'H' -> system.hostname();
            case 'l' -> shortHost(system.hostname());
            case 'm' -> system.machineId();
            case 'b' -> system.bootId();
            case 'v' -> system.kernelRelease();
            case 'S' -> "/var/lib";
            case 'C' -> "/var/cache";
            case 'L' -> "/var/log";
            case 'E' -> "/etc";
            case 'T' -> system.tmpDir();
            case 'V' -> system.varTmpDir();
            default -> throw new BadValueException("unknown specifier %" + spec + " (write %% for a literal %)");
        };
    }

    private java.nio.file.Path fragmentPath() {
        // systemd: "For units that don't have a fragment file, this specifier will raise an error."
        if (fragment == null || fragment.getParent() == null)
            throw new BadValueException("%y/%Y: " + unit.name() + " has no unit file");
        return fragment;
    }

    private static String lastDashComponent(String prefix) {
        int dash = prefix.lastIndexOf('-');
        return dash < 0 ? prefix : prefix.substring(dash + 1);
    }

    private static String shortHost(String host) {
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }
}
