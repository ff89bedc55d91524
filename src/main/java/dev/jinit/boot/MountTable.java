package dev.jinit.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * /proc/self/mountinfo, in mount order (the kernel lists a mount after the one it sits on). Pure: the
 * text is read by the caller, so the parser is tested on samples.
 */
public record MountTable(List<Entry> entries) {

    /**
     * One line of mountinfo (proc(5)).
     *
     * @param id        the mount's id
     * @param parent    the id of the mount it sits on
     * @param device    {@code major:minor} of the filesystem
     * @param target    where it is mounted, unescaped
     * @param options   per-mount options (rw, ro, nosuid, …)
     * @param type      the filesystem type (ext4, proc, tmpfs)
     * @param source    the device or source name ({@code /dev/vda}, {@code none})
     */
    public record Entry(int id, int parent, String device, String target, String options, String type, String source) {
        public boolean readOnly() {
            return ("," + options + ",").contains(",ro,");
        }
    }

    public MountTable {
        entries = List.copyOf(entries);
    }

    /**
     * Parses the text of a mountinfo file.
     *
     * @throws IllegalArgumentException naming the line number when a line does not have mountinfo's shape
     */
    public static MountTable parse(String text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) continue;
            String[] f = line.split(" ");
            int dash = -1;
            for (int j = 6; j < f.length; j++) if (f[j].equals("-")) { dash = j; break; }
            if (f.length < 10 || dash < 0 || dash + 2 >= f.length)
                throw new IllegalArgumentException("mountinfo line " + (i + 1) + ": unexpected format: " + line);
            try {
                out.add(new Entry(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], unescape(f[4]), f[5],
                        f[dash + 1], unescape(f[dash + 2])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mountinfo line " + (i + 1) + ": bad mount id: " + line, e);
            }
        }
        return new MountTable(out);
    }

    /** The mount that is visible at {@code target} (the last one mounted there), if any. */
    public Optional<Entry> at(String target) {
        for (int i = entries.size() - 1; i >= 0; i--) if (entries.get(i).target().equals(target)) return Optional.of(entries.get(i));
        return Optional.empty();
    }

    /** Entries newest first: the order to unmount in (children before what they sit on). */
    public List<Entry> unmountOrder() {
        return entries.reversed();
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo} octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        return true;
    }
}
