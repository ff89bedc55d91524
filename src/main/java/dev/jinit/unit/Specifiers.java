package dev.jinit.unit;

/**
 * Expands systemd's {@code %} specifiers (systemd.unit(5), "Specifiers") for one unit. Supported:
 * {@code %n %N %p %P %i %I %j %J %f %t %h %u %U %H %l %m %b %v %S %C %L %E %T %V %%}. Any other letter is an
 * error rather than being passed through, because a command line with a stray {@code %x} almost always means a
 * missing {@code %%}.
 */
public record Specifiers(UnitName unit, SystemContext system) {

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
            case 'P' -> UnitName.unescape(unit.prefix());
            case 'i' -> instance;
            case 'I' -> UnitName.unescape(instance);
            case 'j' -> lastDashComponent(unit.prefix());
            case 'J' -> UnitName.unescape(lastDashComponent(unit.prefix()));
            case 'f' -> UnitName.unescapePath(instance.isEmpty() ? unit.prefix() : instance);
            case 't' -> system.runtimeDir();
            case 'h' -> system.home();
            case 'u' -> system.userName();
            case 'U' -> Integer.toString(system.uid());
            case 'H' -> system.hostname();
            case 'l' -> shortHost(system.hostname());
            case 'm' -> system.machineId();
            case 'b' -> system.bootId();
            case 'v' -> system.kernelRelease();
            case 'S' -> "/var/lib";
            case 'C' -> "/var/cache";
            case 'L' -> "/var/log";
            case 'E' -> "/etc";
            case 'T' -> "/tmp";
            case 'V' -> "/var/tmp";
            default -> throw new BadValueException("unknown specifier %" + spec + " (write %% for a literal %)");
        };
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
