package dev.jinit.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The user and group databases of one root directory ({@code etc/passwd} and {@code etc/group}),
 * read once when constructed. jinit reads the files itself instead of calling glibc's NSS: NSS
 * loads modules and may talk to daemons, which has no place in PID 1, and files under another root
 * directory could not be read through it at all.
 *
 * <p>Malformed lines are errors naming the file and line, so a broken passwd file is noticed
 * rather than silently hiding users. Lines starting with {@code +} or {@code -} (NIS compat) and
 * comments are skipped.
 */
public final class Users {
    /** One passwd entry. */
    public record User(String name, int uid, int gid, String home, String shell) {}

    /** One group entry with its member user names. */
    public record Group(String name, int gid, List<String> members) {
        public Group {
            members = List.copyOf(members);
        }
    }

    private final Path passwdFile;
    private final Path groupFile;
    private final List<User> users;
    private final List<Group> groups;

    private Users(Path root) {
        passwdFile = root.resolve("etc/passwd");
        groupFile = root.resolve("etc/group");
        users = readPasswd(passwdFile);
        groups = readGroup(groupFile);
    }

    /** The databases under {@code root} (missing files are empty databases). */
    public static Users of(Path root) {
        return new Users(root);
    }

    /** The databases of this machine, {@code /etc/passwd} and {@code /etc/group}. */
    public static Users system() {
        return new Users(Path.of("/"));
    }

    public List<User> users() {
        return List.copyOf(users);
    }

    public List<Group> groups() {
        return List.copyOf(groups);
    }

    public Optional<User> findUser(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public Optional<User> findUser(int uid) {
        return users.stream().filter(u -> u.uid() == uid).findFirst();
    }

    /**
     * A user by name or number. A number with no passwd entry is allowed (containers often run
     * as a bare uid); it gets the same number as its primary group, home {@code /} and no name.
     *
     * @throws IllegalArgumentException naming the user when the name is unknown
     */
    public User user(String nameOrId) {
        if (isNumber(nameOrId)) {
            int uid = parseId(nameOrId, "user");
            return findUser(uid).orElseGet(() -> new User(null, uid, uid, "/", "/bin/sh"));
        }
        return findUser(nameOrId).orElseThrow(() ->
                new IllegalArgumentException("unknown user '" + nameOrId + "' (not in " + passwdFile + ")"));
    }

    /**
     * A group id by name or number; a number needs no entry.
     *
     * @throws IllegalArgumentException naming the group when the name is unknown
     */
    public int gid(String nameOrId) {
        if (isNumber(nameOrId)) return parseId(nameOrId, "group");
        return groups.stream().filter(g -> g.name().equals(nameOrId)).findFirst().map(Group::gid)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown group '" + nameOrId + "' (not in " + groupFile + ")"));
    }

    /**
     * initgroups(3): {@code primaryGid} followed by every group that lists the user as a member,
     * without duplicates. A user without a name (bare uid) is a member of nothing.
     */
    public List<Integer> initgroups(User user, int primaryGid) {
        Set<Integer> result = new LinkedHashSet<>();
        result.add(primaryGid);
        if (user.name() != null)
            for (Group g : groups) if (g.members().contains(user.name())) result.add(g.gid());
        return List.copyOf(result);
    }

    static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** uid_t and gid_t are unsigned 32-bit, but jinit's records keep them in an int; (uid_t)-1 means "none". */
    private static int parseId(String s, String what) {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " id out of range: " + s);
        return (int) v;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean skipped(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#") || t.startsWith("+") || t.startsWith("-");
    }

    private static int field(String value, Path file, int lineNo, String what) {
        if (!isNumber(value)) throw new IllegalArgumentException(file + ":" + lineNo + ": malformed " + what + " '" + value + "'");
        return parseId(value, file + ":" + lineNo + ": " + what);
    }

    private static List<User> readPasswd(Path file) {
        List<User> result = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (skipped(line)) continue;
            String[] f = line.split(":", -1);
            if (f.length < 7) throw new IllegalArgumentException(file + ":" + (i + 1) + ": malformed entry (expected 7 fields)");
            result.add(new User(f[0], field(f[2], file, i + 1, "uid"), field(f[3], file, i + 1, "gid"), f[5], f[6]));
        }
        return result;
    }

    private static List<Group> readGroup(Path file) {
        List<Group> result = new ArrayList<>();
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (skipped(line)) continue;
            String[] f = line.split(":", -1);
            if (f.length < 4) throw new IllegalArgumentException(file + ":" + (i + 1) + ": malformed entry (expected 4 fields)");
            List<String> members = new ArrayList<>();
            for (String m : f[3].split(",")) if (!m.isBlank()) members.add(m.strip());
            result.add(new Group(f[0], field(f[2], file, i + 1, "gid"), members));
        }
        return result;
    }
}
