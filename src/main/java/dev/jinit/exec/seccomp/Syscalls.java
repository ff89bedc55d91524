package dev.jinit.exec.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The x86_64 system call numbers (from the kernel's asm/unistd_64.h) and systemd's named groups of system
 * calls ({@code @system-service}, {@code @privileged}, …, as systemd 252 defines them). Both are data files
 * next to this class; a group may name other groups, and names of other architectures (mmap2, …) simply have
 * no number here.
 */
public final class Syscalls {
    private final Map<String, Integer> numbers;
    private final Map<Integer, String> names;
    private final Map<String, List<String>> groups;

    private static final Syscalls X86_64 = load();

    private Syscalls(Map<String, Integer> numbers, Map<String, List<String>> groups) {
        this.numbers = Collections.unmodifiableMap(numbers);
        Map<Integer, String> n = new TreeMap<>();
        numbers.forEach((k, v) -> n.put(v, k));
        this.names = Collections.unmodifiableMap(n);
        this.groups = Collections.unmodifiableMap(groups);
    }

    public static Syscalls x86_64() {
        return X86_64;
    }

    /** The number of {@code name}, or -1 when this architecture has no such call. */
    public int number(String name) {
        return numbers.getOrDefault(name, -1);
    }

    public String name(int number) {
        return names.get(number);
    }

    public Map<String, Integer> all() {
        return numbers;
    }

    public Set<String> groupNames() {
        return groups.keySet();
    }

    /** Whether {@code name} is a system call known to systemd's tables or this architecture. */
    public boolean isKnown(String name) {
        if (numbers.containsKey(name)) return true;
        for (List<String> members : groups.values()) if (members.contains(name)) return true;
        return false;
    }

    /**
     * The system calls of {@code @group} with every nested group expanded; {@code @known} is every call of this
     * architecture.
     *
     * @throws IllegalArgumentException for a group systemd does not define
     */
    public Set<String> expand(String group) {
        if (group.equals("@known")) return numbers.keySet();
        Set<String> out = new LinkedHashSet<>();
        expand(group, out, new LinkedHashSet<>());
        return out;
    }

    private void expand(String group, Set<String> out, Set<String> seen) {
        List<String> members = groups.get(group);
        if (members == null) throw new IllegalArgumentException("unknown system call group " + group);
        if (!seen.add(group)) return;
        for (String m : members) {
            if (m.startsWith("@")) expand(m, out, seen);
            else out.add(m);
        }
    }

    private static Syscalls load() {
        Map<String, Integer> numbers = new LinkedHashMap<>();
        for (String line : lines("x86_64-syscalls.txt")) {
            String[] f = line.split(" ");
            numbers.put(f[0], Integer.parseInt(f[1]));
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String line : lines("systemd-252-groups.txt")) {
            String[] f = line.split(" ");
            groups.put(f[0], List.of(f).subList(1, f.length));
        }
        return new Syscalls(numbers, groups);
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Syscalls.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
