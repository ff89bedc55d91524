package dev.jinit.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the kernel command line (/proc/cmdline) into {@link BootOptions}. Pure: no file, no system
 * call, so it is tested with generated input.
 *
 * <p>Words are split as the kernel splits them (lib/cmdline.c {@code next_arg}): runs of blanks
 * separate words, double quotes keep blanks inside a word and are removed. A later word overrides an
 * earlier one with the same name (the boot loader's default comes first, the user's addition last),
 * except {@code modules-load=}, whose lists add up as with systemd-modules-load. Everything after
 * {@code --} belongs to init's argv, not to the command line's options.
 *
 * <p>PID 1 must boot whatever the boot loader passed: a value jinit cannot use is never an error, only
 * a note saying what was ignored and why. Words meant for the kernel ({@code console=}, {@code quiet})
 * or other programs are noted at debug level.
 */
public final class KernelCommandLine {
    private KernelCommandLine() {}

    /**
     * The options and the notes about words that were ignored.
     *
     * @param notes    values that were given to jinit and could not be used (always shown)
     * @param debug    words not meant for jinit (shown with {@code jinit.debug})
     */
    public record Parsed(BootOptions options, List<String> notes, List<String> debug) {
        public Parsed {
            notes = List.copyOf(notes);
            debug = List.copyOf(debug);
        }
    }

    /** RFC 1123 host name labels, as sethostname would accept and resolvers expect. */
    private static final Pattern HOSTNAME =
            Pattern.compile("(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    /** A module name or alias as modprobe takes it (names use [A-Za-z0-9_-]; aliases may hold * ? : and the like). */
    private static final Pattern MODULE = Pattern.compile("[A-Za-z0-9_.:*?\\[\\]-]{1,255}");
    /** A tty device name under /dev (ttyS0, tty1, hvc0, console); no path tricks. */
    private static final Pattern TTY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,31}|[A-Za-z][A-Za-z0-9_.-]{0,31}/[0-9]{1,3}");

    public static Parsed parse(String cmdline) {
        Path units = BootOptions.DEFAULT_UNITS;
        boolean debug = false;
        Optional<String> shell = Optional.empty(), ip = Optional.empty(), hostname = Optional.empty(),
                target = Optional.empty(), api = Optional.empty(), ssh = Optional.empty();
        BootOptions.RootMount root = BootOptions.RootMount.UNCHANGED;
        LinkedHashSet<String> modules = new LinkedHashSet<>();
        boolean consoleOutput = true;
        List<String> notes = new ArrayList<>();
        List<String> debugNotes = new ArrayList<>();

        for (String word : words(cmdline)) {
            if (word.equals("--")) break;
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? null : word.substring(eq + 1);
            switch (key) {
                case "jinit.units" -> {
                    if (value == null || !value.startsWith("/") || value.indexOf('\0') >= 0)
                        notes.add(word + ": ignored, needs an absolute directory (jinit.units=/etc/jinit/units)");
                    else units = Path.of(value).normalize();
                }
                case "jinit.debug" -> {
                    Boolean b = value == null ? Boolean.TRUE : bool(value);
                    if (b == null) notes.add(word + ": ignored, not a boolean");
                    else debug = b;
                }
                case "jinit.shell" -> {
                    String tty = value == null ? "" : value.startsWith("/dev/") ? value.substring(5) : value;
                    if (!TTY.matcher(tty).matches() || tty.contains(".."))
                        notes.add(word + ": ignored, needs a tty name (jinit.shell=ttyS0)");
                    else shell = Optional.of(tty);
                }
                case "jinit.console_output" -> {
                    Boolean b = value == null ? Boolean.TRUE : bool(value);
                    if (b == null) notes.add(word + ": ignored, not a boolean (yes/no)");
                    else consoleOutput = b;
                }
                case "jinit.target", "systemd.unit" -> {
                    if (value == null || value.isEmpty() || value.contains("/"))
                        notes.add(word + ": ignored, needs a unit name (" + key + "=multi-user.target)");
                    else target = Optional.of(value);
                }
                case "jinit.api" -> {
                    if (value == null || value.isEmpty()) notes.add(word + ": ignored, needs a value");
                    else api = Optional.of(value);
                }
                case "jinit.ssh" -> {
                    if (value == null || value.isEmpty()) notes.add(word + ": ignored, needs a value");
                    else ssh = Optional.of(value);
                }
                case "ip" -> {
                    if (value == null || value.isEmpty()) notes.add(word + ": ignored, needs a value (ip=dhcp)");
                    else ip = Optional.of(value);
                }
                case "hostname" -> {
                    if (value == null || !HOSTNAME.matcher(value).matches())
                        notes.add(word + ": ignored, not a valid host name");
                    else hostname = Optional.of(value);
                }
                case "modules-load", "rd.modules-load" -> {
                    for (String m : value == null ? new String[0] : value.split(",", -1)) {
                        if (m.isEmpty()) continue;
                        if (MODULE.matcher(m).matches()) modules.add(m);
                        else notes.add(key + "=" + m + ": ignored, not a module name");
                    }
                }
                case "rw" -> {
                    if (value != null) debugNotes.add(word + ": not for jinit (rw takes no value)");
                    else root = BootOptions.RootMount.READ_WRITE;
                }
                case "ro" -> {
                    if (value != null) debugNotes.add(word + ": not for jinit (ro takes no value)");
                    else root = BootOptions.RootMount.READ_ONLY;
                }
                default -> {
                    if (key.startsWith("jinit.")) notes.add(word + ": ignored, jinit has no option " + key);
                    else debugNotes.add(word + ": not for jinit");
                }
            }
        }
        return new Parsed(new BootOptions(units, debug, shell, ip, root, hostname, List.copyOf(modules), target, api,
                ssh, consoleOutput), notes, debugNotes);
    }

    /** yes/no in systemd's spellings; null when neither. */
    static Boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on" -> Boolean.TRUE;
            case "0", "no", "n", "false", "f", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    /**
     * Splits as the kernel does: blanks (space, tab, newline) separate words; a double quote toggles
     * quoting and is dropped. An unterminated quote runs to the end.
     */
    static List<String> words(String cmdline) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false, quoted = false;
        for (int i = 0; i < cmdline.length(); i++) {
            char c = cmdline.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')) {
                if (inWord) out.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) out.add(word.toString());
        return out;
    }
}
