package dev.jinit.system;

/**
 * Loads, at start-up, the classes that jinit needs only when something fails. Java loads a class
 * when it is first used, and loading one may need a new file descriptor (a class directory, a jar
 * not yet open, a CDS archive region): when jinit has run out of descriptors, the very exception
 * that should report EMFILE would fail to load (NoClassDefFoundError) and take the failure path
 * down with it. Loading them early costs a few milliseconds once.
 */
final class ErrorPathClasses {
    private ErrorPathClasses() {}

    private static final String[] NAMES = {
        "dev.jinit.linux.Errno",
        "dev.jinit.linux.LinuxException",
        "dev.jinit.exec.SpawnException",
        "dev.jinit.control.ControlException",
        "dev.jinit.supervise.ServiceResult",
        "dev.jinit.supervise.JobOutcome",
        "java.io.UncheckedIOException",
        "java.nio.file.NoSuchFileException",
        "java.nio.file.FileSystemException",
        "java.util.concurrent.CompletionException",
        "java.util.concurrent.TimeoutException",
        "java.nio.channels.AsynchronousCloseException",
        "java.nio.channels.ClosedChannelException",
    };

    static void load(java.io.PrintStream err) {
        ClassLoader loader = ErrorPathClasses.class.getClassLoader();
        for (String name : NAMES) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                err.println("jinit: cannot preload " + name + ": " + e); // a renamed class: worth fixing, never fatal
            }
        }
    }
}
