package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the JDK this test runs on and the host's libc: real files, not fixtures. */
class ElfFileTest {
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @Test
    void javaNamesItsLoaderLibjliAndOrigin() throws Exception {
        ElfFile java = ElfFile.read(JAVA);
        assertEquals(Optional.of("/lib64/ld-linux-x86-64.so.2"), java.interpreter());
        assertTrue(java.needed().contains("libjli.so"), java.needed().toString());
        assertTrue(java.needed().contains("libc.so.6"), java.needed().toString());
        assertTrue(java.searchPath().stream().anyMatch(p -> p.contains("$ORIGIN")), java.searchPath().toString());
    }

    @Test
    void closureOfTheJdkFindsLibcAndTheLoaderButNotItsOwnLibraries() throws Exception {
        Path home = Path.of(System.getProperty("java.home"));
        List<Path> roots = List.of(JAVA, home.resolve("lib/libjli.so"), home.resolve("lib/server/libjvm.so"),
                home.resolve("lib/libjava.so"));
        ElfDependencies.Closure c = new ElfDependencies().of(roots);
        List<String> names = c.libraries().stream().map(ElfDependencies.Library::soname).toList();
        assertTrue(names.contains("libc.so.6"), names.toString());
        assertTrue(names.contains("libm.so.6"), names.toString());
        // found through $ORIGIN in the runtime itself, or already loaded (libjvm.so): not copied from the host
        assertFalse(names.contains("libjli.so"), names.toString());
        assertFalse(names.contains("libjvm.so"), names.toString());
        assertEquals(List.of(Path.of("/lib64/ld-linux-x86-64.so.2")), c.interpreters());
    }

    @Test
    void aMissingLibraryNamesTheFileThatNeedsIt() {
        // libjava.so alone: its libjvm.so is neither beside it nor in the system directories
        Path libjava = Path.of(System.getProperty("java.home"), "lib/libjava.so");
        IOException e = assertThrows(IOException.class, () -> new ElfDependencies().of(List.of(libjava)));
        assertTrue(e.getMessage().startsWith(libjava + " needs libjvm.so"), e.getMessage());
    }

    @Test
    void notElfIsSaid(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("s"), "#!/bin/sh\n");
        assertFalse(ElfFile.isElf(script));
        IOException e = assertThrows(IOException.class, () -> ElfFile.read(script));
        assertEquals(script + ": not an ELF file", e.getMessage());
    }
}
