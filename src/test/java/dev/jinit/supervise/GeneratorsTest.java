package dev.jinit.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jinit.exec.Reaper;
import dev.jinit.exec.Spawner;
import dev.jinit.unit.LoadResult;
import dev.jinit.unit.LoadState;
import dev.jinit.unit.SystemContext;
import dev.jinit.unit.UnitLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generators run as real processes (systemd.generator(7)): arguments, environment, the load path's
 * precedence (early, unit directory, normal, late), masking, and what happens to a generator that
 * fails or hangs.
 */
class GeneratorsTest {
    @TempDir
    Path tmp;
    Reaper reaper;
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void startReaper() {
        reaper = Reaper.start();
    }

    @AfterEach
    void stopReaper() {
        reaper.close();
    }

    Path script(Path dir, String name, String body) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static String unit(String description) {
        return "[Unit]\nDescription=" + description + "\n[Service]\nExecStart=/bin/true\n";
    }

    Generators generators(List<Path> dirs, Duration timeout) {
        return new Generators(new Generators.Settings(dirs, timeout), tmp.resolve("state"), new Spawner(tmp.resolve("gate")),
                reaper, err);
    }

    String description(LoadResult r, String name) {
        return r.unit(name).orElseThrow(() -> new AssertionError(name + " did not load: " + r.get(name))).description();
    }

    @Test
    void outputJoinsTheLoadPathWithSystemdsPrecedence() throws Exception {
        Path strong = tmp.resolve("etc-generators"), weak = tmp.resolve("lib-generators");
        Path units = Files.createDirectories(tmp.resolve("units"));
        Files.writeString(units.resolve("a.service"), unit("a from the unit directory"));
        Files.writeString(units.resolve("b.service"), unit("b from the unit directory"));
        // Arguments and environment are what systemd passes: NORMAL EARLY LATE, SYSTEMD_SCOPE=system.
        script(strong, "10-writer", """
                [ "$SYSTEMD_SCOPE" = system ] || exit 7
                [ $# -eq 3 ] || exit 8
                printf '[Unit]\\nDescription=a from early\\n[Service]\\nExecStart=/bin/true\\n' > "$2/a.service"
                printf '[Unit]\\nDescription=b from normal\\n[Service]\\nExecStart=/bin/true\\n' > "$1/b.service"
                printf '[Unit]\\nDescription=c from normal\\n[Service]\\nExecStart=/bin/true\\n' > "$1/c.service"
                printf '[Unit]\\nDescription=c from late\\n[Service]\\nExecStart=/bin/true\\n' > "$3/c.service"
                printf '[Unit]\\nDescription=d from late\\n[Service]\\nExecStart=/bin/true\\n' > "$3/d.service"
                mkdir -p "$1/b.service.d" "$1/multi-user.target.wants"
                printf '[Unit]\\nDescription=b with a generated drop-in\\n' > "$1/b.service.d/gen.conf"
                ln -s /nonexistent/d.service "$1/multi-user.target.wants/d.service"
                echo "wrote four units"
                """);
        // The same name in a weaker directory is hidden by the stronger one.
        script(weak, "10-writer", "printf '[Unit]\\nDescription=hidden\\n' > \"$1/hidden.service\"\n");
        // A link to /dev/null in the stronger directory disables the weaker one's generator.
        Files.createSymbolicLink(strong.resolve("20-masked"), Path.of("/dev/null"));
        script(weak, "20-masked", "printf '[Unit]\\nDescription=masked\\n' > \"$1/masked.service\"\n");
        Files.setPosixFilePermissions(script(weak, "30-not-executable", "exit 0\n"), PosixFilePermissions.fromString("rw-r--r--"));

        Generators g = generators(List.of(strong, weak), Duration.ofSeconds(30));
        List<Generators.Outcome> outcomes = g.run();
        assertEquals(List.of(strong.resolve("10-writer")), outcomes.stream().map(Generators.Outcome::generator).toList(), errBytes.toString());
        assertTrue(outcomes.getFirst().loaded(), outcomes.toString() + errBytes);
        assertTrue(errBytes.toString().contains("jinit: generator " + strong.resolve("10-writer") + ": wrote four units"), errBytes.toString());

        LoadResult r = UnitLoader.load(units, g.output().loadPath(units), SystemContext.current());
        assertEquals("a from early", description(r, "a.service"), "generator.early comes before the unit directory");
        assertEquals("b with a generated drop-in", description(r, "b.service"),
                "the unit directory comes before generator (its drop-ins still apply)");
        assertEquals("c from normal", description(r, "c.service"), "generator comes before generator.late");
        assertEquals("d from late", description(r, "d.service"));
        assertTrue(r.unit("d.service").orElseThrow().info().wantedBy().contains("multi-user.target"),
                "a generated .wants/ link counts: " + r.unit("d.service").orElseThrow().info().wantedBy());
        assertFalse(r.get("hidden.service").isPresent(), "the weaker directory's generator of the same name never ran");
        assertFalse(r.get("masked.service").isPresent(), "a generator linked to /dev/null is disabled");
    }

    @Test
    void aFailingOrHangingGeneratorIsReportedAndItsOutputSkipped() throws Exception {
        Path dir = tmp.resolve("generators");
        Path units = Files.createDirectories(tmp.resolve("units"));
        script(dir, "fails", """
                printf '[Unit]\\nDescription=half\\n[Service]\\nExecStart=/bin/true\\n' > "$1/half.service"
                echo "cannot finish" >&2
                exit 3
                """);
        // It starts a child in its process group that would outlive it: both are killed at the timeout.
        Path childPid = tmp.resolve("child.pid");
        script(dir, "hangs", """
                printf '[Unit]\\nDescription=early bird\\n[Service]\\nExecStart=/bin/true\\n' > "$1/bird.service"
                sleep 300 &
                echo $! > %s
                exec sleep 300
                """.formatted(childPid));
        script(dir, "works", "printf '[Unit]\\nDescription=fine\\n[Service]\\nExecStart=/bin/true\\n' > \"$1/fine.service\"\n");

        Generators g = generators(List.of(dir), Duration.ofSeconds(2));
        Map<String, Generators.Outcome> outcomes = g.run().stream()
                .collect(Collectors.toMap(o -> o.generator().getFileName().toString(), o -> o));
        String log = errBytes.toString();
        assertFalse(outcomes.get("fails").loaded(), log);
        assertTrue(log.contains("jinit: generator " + dir.resolve("fails") + ": cannot finish"), log);
        assertTrue(log.contains("jinit: generator " + dir.resolve("fails") + " failed (exited with status 3); what it wrote is not loaded"), log);
        assertFalse(outcomes.get("hangs").loaded(), log);
        assertTrue(log.contains("jinit: generator " + dir.resolve("hangs") + " did not finish within 2 s and was killed"), log);
        assertTrue(outcomes.get("works").loaded(), log);

        LoadResult r = UnitLoader.load(units, g.output().loadPath(units), SystemContext.current());
        assertEquals("fine", description(r, "fine.service"));
        assertFalse(r.get("half.service").isPresent(), "a failed generator's output is not loaded");
        assertFalse(r.get("bird.service").isPresent(), "a killed generator's output is not loaded");
        // The child it left in its process group was killed with it.
        int child = Integer.parseInt(Files.readString(childPid).trim());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.exists(Path.of("/proc/" + child)) && !Files.readString(Path.of("/proc/" + child + "/stat")).contains(") Z ")) {
            assertTrue(System.nanoTime() < deadline, "the hanging generator's child " + child + " still runs");
            Thread.sleep(20);
        }
    }

    @Test
    void everyRunStartsFromEmptyOutputDirectories() throws Exception {
        Path dir = tmp.resolve("generators");
        Path units = Files.createDirectories(tmp.resolve("units"));
        Path flag = tmp.resolve("flag");
        // Writes one.service the first time, two.service after: a reload sees only what the last run wrote.
        script(dir, "changes", "if [ -e " + flag + " ]; then n=two; else n=one; touch " + flag + "; fi\n"
                + "printf '[Unit]\\nDescription=%s\\n[Service]\\nExecStart=/bin/true\\n' $n > \"$1/$n.service\"\n");
        Generators g = generators(List.of(dir), Duration.ofSeconds(30));
        g.run();
        assertEquals(LoadState.LOADED, UnitLoader.load(units, g.output().loadPath(units), SystemContext.current())
                .get("one.service").orElseThrow().loadState());
        g.run();
        LoadResult r = UnitLoader.load(units, g.output().loadPath(units), SystemContext.current());
        assertFalse(r.get("one.service").isPresent(), "the first run's output is gone");
        assertEquals("two", description(r, "two.service"));
    }
}
