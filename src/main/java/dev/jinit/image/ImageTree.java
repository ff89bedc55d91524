package dev.jinit.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The file tree of an image, gathered before anything is written: each path once, with where its
 * content comes from. Two different sources for one path is an error naming both (an {@code --add}
 * that would silently replace jinit's own file, say). Parent directories are implied.
 */
public final class ImageTree {
    /** What one path of the image is. */
    public sealed interface Node {
        /** Where it came from, for error messages. */
        String origin();
    }

    public record Directory(String origin) implements Node {}

    /** A file copied from the host, keeping its permissions and mtime (CDS checks the mtime of what it maps). */
    public record HostFile(Path source, int permissions) implements Node {
        public String origin() {
            return source.toString();
        }
    }

    public record Content(byte[] data, int permissions, String origin) implements Node {}

    public record Symlink(String target, String origin) implements Node {}

    public record CharDevice(int major, int minor, String origin) implements Node {}

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final long now = System.currentTimeMillis() / 1000;

    /** Adds {@code node} at {@code path} (absolute in the image), and the directories above it. */
    public void put(String path, Node node) {
        String p = normalize(path);
        for (int slash = p.indexOf('/', 1); slash > 0; slash = p.indexOf('/', slash + 1))
            putOne(p.substring(0, slash), new Directory("parent of " + p));
        putOne(p, node);
    }

    private void putOne(String p, Node node) {
        Node old = nodes.get(p);
        if (old == null) {
            nodes.put(p, node);
            return;
        }
        if (old instanceof Directory && node instanceof Directory) return;
        if (old.equals(node) || (old instanceof HostFile a && node instanceof HostFile b && a.source().equals(b.source())))
            return;
        throw new IllegalArgumentException("image path " + p + " would come from both " + old.origin() + " and "
                + node.origin());
    }

    public void copy(Path source, String path) throws IOException {
        put(path, new HostFile(source, permissions(source)));
    }

    /** Leaves a path out again (nothing happens when it is not there). */
    public void remove(String path) {
        nodes.remove(normalize(path));
    }

    public boolean contains(String path) {
        return nodes.containsKey(normalize(path));
    }

    public Map<String, Node> nodes() {
        return java.util.Collections.unmodifiableMap(nodes);
    }

    private static String normalize(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("image path must be absolute: " + path);
        String p = Path.of(path).normalize().toString();
        if (p.equals("/")) throw new IllegalArgumentException("image path is the root itself");
        return p;
    }

    static int permissions(Path file) throws IOException {
        Set<PosixFilePermission> set = Files.getPosixFilePermissions(file);
        int mode = 0;
        for (PosixFilePermission p : set) mode |= 1 << (8 - p.ordinal());
        return mode;
    }

    /** Writes the tree as a newc cpio to {@code out} (closed afterwards); parents sort before children. */
    public void writeCpio(OutputStream out) throws IOException {
        try (Cpio cpio = new Cpio(out)) {
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                String name = e.getKey();
                switch (e.getValue()) {
                    case Directory d -> cpio.directory(name, 0755, now);
                    case HostFile f -> cpio.file(name, f.permissions(),
                            Files.getLastModifiedTime(f.source()).toMillis() / 1000, Files.readAllBytes(f.source()));
                    case Content c -> cpio.file(name, c.permissions(), now, c.data());
                    case Symlink s -> cpio.symlink(name, s.target(), now);
                    case CharDevice c -> cpio.charDevice(name, 0600, c.major(), c.minor(), now);
                }
            }
        }
    }
}
