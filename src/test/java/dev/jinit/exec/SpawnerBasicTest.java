package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpawnerBasicTest {
    static String readAll(Fd fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            long n;
            while ((n = Posix.read(fd.get(), buf, 4096)) > 0) out.writeBytes(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pipesStdoutAndPassesExactEnvironment() {
        ProcessSpec spec = ProcessSpec.builder("/bin/sh", "-c", "echo \"$FOO\"; env | wc -l; ls /proc/self/fd | wc -l")
                .putEnv("FOO", "bar baz")
                .stdout(new FdSource.Pipe(true))
                .build();
        Spawned s = new Spawner().spawn(spec);
        try (Fd out = s.pipes().get(1)) {
            // FOO, PWD and SHLVL (set by dash/sh) and "_" at most; 4 fds: 0,1,2 and the one ls opens
            String text = readAll(out);
            String[] lines = text.split("\n");
            assertEquals("bar baz", lines[0]);
            assertEquals("4", lines[2].trim(), text);
        }
    }

    @Test
    void missingProgramIs127() {
        SpawnException e = assertThrows(SpawnException.class,
                () -> new Spawner().spawn(ProcessSpec.builder("no-such-program-xyz").build()));
        assertEquals(127, e.shellCode());
        SpawnException e2 = assertThrows(SpawnException.class,
                () -> new Spawner().spawn(ProcessSpec.builder("/no/such/program").build()));
        assertEquals(127, e2.shellCode(), e2.getMessage());
    }
}
