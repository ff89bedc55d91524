package dev.jinit.unit;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command of {@code ExecStart=} and friends, after quoting, escapes and specifiers (which systemd resolves
 * at load time) but before {@code $VAR} expansion (which needs the environment of the moment it runs).
 *
 * @param prefixes the special prefixes of systemd.service(5), "Table 1"
 * @param path     the program: an absolute path, or a bare name searched in PATH (never a variable)
 * @param words    the remaining words as written; with {@link Prefix#ARGV0} the first of them is argv[0]
 */
public record ExecCommand(Set<Prefix> prefixes, String path, List<String> words) {

    /**
     * The prefixes. {@code !} and {@code !!} are accepted and mean the same in jinit: run without the
     * {@code User=}/{@code Group=} credential change while every other attribute still applies. (systemd's
     * {@code !!} only differs on kernels without ambient capabilities, which jinit never relies on.)
     */
    public enum Prefix {
        /** {@code -}: a failing exit is recorded but does not fail the unit */
        IGNORE_FAILURE,
        /** {@code @}: the second word is argv[0] */
        ARGV0,
        /** {@code :}: no environment variable expansion */
        NO_EXPAND,
        /** {@code +}: full privileges; no credentials or sandboxing attributes */
        PRIVILEGED,
        /** {@code !} or {@code !!}: no credential change, other attributes apply */
        NO_SETUID
    }

    /** What is spawned: the program and its argv (argv[0] included). */
    public record Invocation(String path, List<String> argv) {
        public Invocation {
            argv = List.copyOf(argv);
        }
    }

    public ExecCommand {
        prefixes = prefixes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(prefixes));
        words = List.copyOf(words);
        if (prefixes.contains(Prefix.ARGV0) && words.isEmpty())
            throw new BadValueException("the @ prefix needs an argv[0] word after the program");
    }

    /**
     * Parses one directive value into its commands: {@code ExecStartPre=} and the like take several separated
     * by a lone {@code ;}. Specifiers are expanded in each word after splitting, so an instance name holding
     * spaces or quotes stays inside its word.
     */
    public static List<ExecCommand> parseLine(String value, Specifiers specifiers) {
        List<ExecCommand> out = new ArrayList<>();
        List<Words.Word> current = new ArrayList<>();
        for (Words.Word w : Words.split(value)) {
            if (w.separator()) {
                if (current.isEmpty()) throw new BadValueException("empty command before ';'");
                out.add(of(current, specifiers));
                current = new ArrayList<>();
            } else {
                current.add(w);
            }
        }
        if (!current.isEmpty()) out.add(of(current, specifiers));
        else if (!out.isEmpty()) throw new BadValueException("empty command after ';'");
        return out;
    }

    private static ExecCommand of(List<Words.Word> words, Specifiers specifiers) {
        String first = words.getFirst().text();
        EnumSet<Prefix> prefixes = EnumSet.noneOf(Prefix.class);
        int i = 0;
        loop:
        while (i < first.length()) {
            Prefix p;
            switch (first.charAt(i)) {
                case '-' -> p = Prefix.IGNORE_FAILURE;
                case '@' -> p = Prefix.ARGV0;
                case ':' -> p = Prefix.NO_EXPAND;
                case '+' -> p = Prefix.PRIVILEGED;
                case '!' -> {
                    p = Prefix.NO_SETUID;
                    if (i + 1 < first.length() && first.charAt(i + 1) == '!') i++;
                }
                case '|' -> throw new BadValueException("the | (shell) prefix is not supported; run /bin/sh -c explicitly");
                default -> {
                    break loop;
                }
            }
            if (!prefixes.add(p)) throw new BadValueException("prefix " + first.charAt(i) + " given twice");
            i++;
        }
        if (prefixes.contains(Prefix.PRIVILEGED) && prefixes.contains(Prefix.NO_SETUID))
            throw new BadValueException("prefixes + and ! cannot be combined");
        String path = specifiers.expand(first.substring(i));
        if (path.isEmpty()) throw new BadValueException("no program to run");
        if (!path.startsWith("/") && path.indexOf('/') >= 0)
            throw new BadValueException("program " + path + " must be an absolute path or a bare name searched in PATH");
        List<String> rest = new ArrayList<>();
        for (int k = 1; k < words.size(); k++) rest.add(specifiers.expand(words.get(k).text()));
        return new ExecCommand(prefixes, path, rest);
    }

    public boolean has(Prefix p) {
        return prefixes.contains(p);
    }

    /**
     * The argv for the environment {@code env}, per systemd.service(5) "Command lines": a word that is exactly
     * {@code $NAME} becomes the variable's value split into words (see {@link #splitValue}; no word at all when
     * unset or empty);
     * {@code ${NAME}} anywhere in a word is replaced in place (empty when unset); {@code $$} is a literal
     * {@code $}. With the {@code :} prefix nothing is expanded. The program path is never expanded.
     */
    public Invocation expand(Map<String, String> env) {
        List<String> argv = new ArrayList<>();
        boolean argv0Given = has(Prefix.ARGV0);
        if (!argv0Given) argv.add(path);
        for (int k = 0; k < words.size(); k++) {
            String w = words.get(k);
            if (has(Prefix.NO_EXPAND)) {
                argv.add(w);
            } else if (k == 0 && argv0Given) {
                argv.add(expandInWord(w, env));
            } else if (isWholeVariable(w)) {
                String v = env.get(w.substring(1));
                if (v != null) argv.addAll(splitValue(v));
            } else {
                argv.add(expandInWord(w, env));
            }
        }
        return new Invocation(path, argv);
    }

    /**
     * Splits a variable's value for a lone {@code $NAME} word as systemd does (EXTRACT_UNQUOTE|EXTRACT_RELAX):
     * at whitespace, with quotes removed and a backslash taking the next character literally; an unterminated
     * quote runs to the end rather than failing, since the value came from an environment file, not from us.
     * So {@code OPTS="-a 'b c'"} gives {@code -a} and {@code b c}.
     */
    static List<String> splitValue(String v) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quote == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                if (w != null) out.add(w.toString());
                w = null;
                continue;
            }
            if (w == null) w = new StringBuilder();
            if (c == '\\' && i + 1 < v.length()) {
                w.append(v.charAt(++i));
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else {
                w.append(c);
            }
        }
        if (w != null) out.add(w.toString());
        return out;
    }

    private static boolean isWholeVariable(String w) {
        if (w.length() < 2 || w.charAt(0) != '$') return false;
        for (int i = 1; i < w.length(); i++) if (!isNameChar(w.charAt(i), i == 1)) return false;
        return true;
    }

    static boolean isNameChar(char c, boolean first) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
    }

    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME:+alternative}} and {@code $$}; a bare {@code $X} inside a word stays literal, as in systemd. */
    static String expandInWord(String w, Map<String, String> env) {
        if (w.indexOf('$') < 0) return w;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c != '$' || i + 1 >= w.length()) {
                b.append(c);
                continue;
            }
            char d = w.charAt(i + 1);
            if (d == '$') {
                b.append('$');
                i++;
            } else if (d == '{') {
                int close = w.indexOf('}', i + 2);
                if (close < 0) {
                    b.append(c);
                    continue;
                }
                String inner = w.substring(i + 2, close);
                int op = inner.indexOf(":-");
                int alt = inner.indexOf(":+");
                String name;
                String val;
                if (op > 0 && (alt < 0 || op < alt)) {
                    name = inner.substring(0, op);
                    String v = env.get(name);
                    val = v == null || v.isEmpty() ? inner.substring(op + 2) : v;
                } else if (alt > 0) {
                    name = inner.substring(0, alt);
                    String v = env.get(name);
                    val = v == null || v.isEmpty() ? "" : inner.substring(alt + 2);
                } else {
                    name = inner;
                    val = env.getOrDefault(name, "");
                }
                if (!validName(name)) {
                    b.append(c);
                    continue;
                }
                b.append(val);
                i = close;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static boolean validName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) if (!isNameChar(name.charAt(i), i == 0)) return false;
        return true;
    }

    /** A line that {@link #parseLine} turns back into this command (specifier-safe: {@code %} is doubled). */
    public String render() {
        StringBuilder b = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        if (has(Prefix.IGNORE_FAILURE)) prefix.append('-');
        if (has(Prefix.ARGV0)) prefix.append('@');
        if (has(Prefix.NO_EXPAND)) prefix.append(':');
        if (has(Prefix.PRIVILEGED)) prefix.append('+');
        if (has(Prefix.NO_SETUID)) prefix.append('!');
        b.append(prefix).append(Words.quote(path, true));
        for (String w : words) b.append(' ').append(Words.quote(w, true));
        return b.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
