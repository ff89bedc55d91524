package dev.jinit.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * A jlink runtime holding only the JDK modules the application uses ({@code jdeps}), with a CDS
 * archive of those modules' classes ({@code --generate-cds-archive}) and the JVM options for the
 * guest baked in ({@code --add-options}: the kernel starts java with no way to pass flags).
 *
 * <p>jlink with a CDS dump takes tens of seconds, so runtimes are cached, keyed by the JDK, the
 * module list and the options; a runtime is built in a temporary directory and renamed into place, so
 * a concurrent or interrupted build never leaves half a runtime in the cache.
 */
public final class RuntimeBuilder {
    /**
     * The JVM flags of the guest. Serial GC: one small heap, no GC threads on a 1-2 CPU VM. C1 only:
     * under TCG a C2 compile costs far more than it gains for a supervisor that mostly waits.
     */
    public static final List<String> GUEST_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path cache;
    private final PrintStream log;

    public RuntimeBuilder(Path cache, PrintStream log) {
        this.cache = cache;
        this.log = log;
    }

    /** $JINIT_CACHE, else $XDG_CACHE_HOME/jinit, else ~/.cache/jinit. */
    public static Path defaultCache() {
        String explicit = System.getenv("JINIT_CACHE");
        if (explicit != null && !explicit.isEmpty()) return Path.of(explicit);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "jinit");
        return Path.of(System.getProperty("user.home"), ".cache", "jinit");
    }

    /** The JDK modules {@code classPath} uses, as jdeps prints them ({@code java.base,jdk.unsupported,...}). */
    public static List<String> modules(List<Path> classPath) {
        ToolProvider jdeps = tool("jdeps");
        List<String> args = new ArrayList<>(List.of("--multi-release", String.valueOf(Runtime.version().feature()),
                "--print-module-deps", "--ignore-missing-deps", "-q", "--class-path",
                String.join(":", classPath.stream().map(Path::toString).toList())));
        classPath.forEach(p -> args.add(p.toString()));
        String out = run(jdeps, args);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        if (!last.matches("[a-z0-9.]+(,[a-z0-9.]+)*"))
            throw new IllegalStateException("jdeps printed no module list for " + classPath + ":\n" + out);
        List<String> modules = new ArrayList<>(Arrays.asList(last.split(",")));
        if (!modules.contains("java.base")) modules.addFirst("java.base");
        return modules;
    }

    /** The runtime for {@code modules}: from the cache, or built now. */
    public Path runtime(List<String> modules) throws IOException {
        List<String> jlinkArgs = new ArrayList<>(List.of("--add-modules", String.join(",", modules), "--strip-debug",
                "--no-header-files", "--no-man-pages", "--generate-cds-archive",
                "--add-options=" + String.join(" ", GUEST_OPTIONS)));
        Path dir = cache.resolve("runtimes").resolve(key(jlinkArgs));
        if (Files.isRegularFile(dir.resolve("bin/java"))) return dir;
        Files.createDirectories(dir.getParent());
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp" + ProcessHandle.current().pid());
        deleteTree(tmp);
        log.println("jinit image: building a Java runtime of " + modules + " (once per JDK and module list)");
        List<String> args = new ArrayList<>(jlinkArgs);
        args.addAll(List.of("--output", tmp.toString()));
        run(tool("jlink"), args);
        try {
            Files.move(tmp, dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            deleteTree(tmp); // another build got there first: its runtime is the same
        }
        return dir;
    }

    private static String key(List<String> jlinkArgs) {
        String id = System.getProperty("java.home") + "\n" + Runtime.version() + "\n" + String.join("\n", jlinkArgs);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Runtime.version().feature() + "-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static ToolProvider tool(String name) {
        return ToolProvider.findFirst(name).orElseThrow(() -> new IllegalStateException(
                name + " is not available: jinit image needs a full JDK (jdk.jlink module), not a runtime"));
    }

    private static String run(ToolProvider tool, List<String> args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int rc = tool.run(out, out, args.toArray(String[]::new));
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (rc != 0) throw new IllegalStateException(tool.name() + " " + String.join(" ", args) + " failed (" + rc + "):\n" + text);
        return text;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
