package dev.jinit.unit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One path check of [Unit]: {@code ConditionPathExists=!/etc/ssh/sshd_not_to_be_run} (Debian's way to
 * keep sshd from starting) and its kin, as {@code Condition…=} (unmet: the start is skipped, nothing
 * failed) or {@code Assert…=} (unmet: the start fails). systemd evaluates them each time a start job
 * runs, not at load: the file may appear or vanish in between.
 *
 * @param check    what is tested on {@code path}
 * @param isAssert Assert…= rather than Condition…=
 * @param trigger  the {@code |} prefix: of all triggering checks, one holding is enough
 * @param negate   the {@code !} prefix
 * @param path     an absolute path, specifiers expanded
 * @param where    {@code file:line} of the assignment
 */
public record Condition(Check check, boolean isAssert, boolean trigger, boolean negate, Path path, String where) {
    /** The path checks jinit evaluates; the other Condition…= kinds are reported as unsupported. */
    public enum Check {
        PATH_EXISTS, PATH_IS_DIRECTORY, PATH_IS_SYMBOLIC_LINK, FILE_NOT_EMPTY, FILE_IS_EXECUTABLE, DIRECTORY_NOT_EMPTY;

        /** The directive's suffix: {@code PathExists} for {@code ConditionPathExists=}. */
        public String suffix() {
            StringBuilder sb = new StringBuilder();
            for (String w : name().split("_")) sb.append(w.charAt(0)).append(w.substring(1).toLowerCase(Locale.ROOT));
            return sb.toString();
        }

        static Check ofSuffix(String suffix) {
            for (Check c : values()) if (c.suffix().equals(suffix)) return c;
            return null;
        }
    }

    public Condition {
        if (!path.isAbsolute()) throw new BadValueException("path " + path + " is not absolute");
    }

    /**
     * The check a directive name stands for ({@code ConditionFileNotEmpty} → FILE_NOT_EMPTY), or null
     * for a name that is not one of jinit's path checks.
     */
    public static Check checkOf(String key) {
        if (key.startsWith("Condition")) return Check.ofSuffix(key.substring("Condition".length()));
        if (key.startsWith("Assert")) return Check.ofSuffix(key.substring("Assert".length()));
        return null;
    }

    /** Parses {@code value} (prefixes {@code |} then {@code !}, then the path) of directive {@code key}. */
    public static Condition parse(String key, String value, String where) {
        Check check = checkOf(key);
        if (check == null) throw new IllegalArgumentException(key + " is not a path condition");
        String v = value.strip();
        boolean trigger = v.startsWith("|");
        if (trigger) v = v.substring(1).strip();
        boolean negate = v.startsWith("!");
        if (negate) v = v.substring(1).strip();
        if (v.isEmpty()) throw new BadValueException("no path after the prefixes");
        return new Condition(check, key.startsWith("Assert"), trigger, negate, Path.of(v), where);
    }

    /** Whether the check holds now (after {@code !}). */
    public boolean holds() {
        return test() != negate;
    }

    private boolean test() {
        return switch (check) {
            case PATH_EXISTS -> Files.exists(path);
            case PATH_IS_DIRECTORY -> Files.isDirectory(path);
            case PATH_IS_SYMBOLIC_LINK -> Files.isSymbolicLink(path);
            case FILE_NOT_EMPTY -> {
                try {
                    yield Files.isRegularFile(path) && Files.size(path) > 0;
                } catch (IOException e) {
                    yield false;
                }
            }
            case FILE_IS_EXECUTABLE -> Files.isRegularFile(path) && Files.isExecutable(path);
            case DIRECTORY_NOT_EMPTY -> {
                if (!Files.isDirectory(path)) yield false;
                try (var entries = Files.list(path)) {
                    yield entries.findAny().isPresent();
                } catch (IOException e) {
                    yield false;
                }
            }
        };
    }

    /** As written: {@code ConditionPathExists=|!/path}. */
    @Override
    public String toString() {
        return (isAssert ? "Assert" : "Condition") + check.suffix() + "=" + (trigger ? "|" : "") + (negate ? "!" : "") + path;
    }

    /**
     * systemd's rule for one list (all conditions, or all asserts): every non-triggering check must
     * hold, and when there are triggering checks, at least one of them. Returns null when the list is
     * met, else a description of what was not.
     */
    public static String unmet(List<Condition> list) {
        boolean anyTrigger = false, triggerHeld = false;
        StringBuilder triggers = new StringBuilder();
        for (Condition c : list) {
            if (c.trigger) {
                anyTrigger = true;
                if (c.holds()) triggerHeld = true;
                else triggers.append(triggers.isEmpty() ? "" : ", ").append(c);
                continue;
            }
            if (!c.holds()) return c + " (" + c.where + ") was not met";
        }
        if (anyTrigger && !triggerHeld) return "none of the triggering checks was met: " + triggers;
        return null;
    }
}
