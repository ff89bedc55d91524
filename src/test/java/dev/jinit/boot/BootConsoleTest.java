package dev.jinit.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BootConsoleTest {
    @Test
    void everyLineGetsTheTimeSinceBootAndDebugLinesOnlyWhenAsked() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] now = {2_345_678_901L};
        BootConsole console = new BootConsole(out, () -> now[0]);
        console.line("mounted proc on /proc");
        console.debugLine("hidden");
        console.setDebug(true);
        console.debugLine("shown");
        now[0] = 12_000_001_000L;
        PrintStream s = console.stream();
        s.print("web.service: half ");
        s.println("a line");
        s.print("two\nlines\n");
        assertEquals("""
                [    2.345678] jinit: mounted proc on /proc
                [    2.345678] jinit: debug: shown
                [   12.000001] web.service: half a line
                [   12.000001] two
                [   12.000001] lines
                """, out.toString(StandardCharsets.UTF_8));
    }
}
