package dev.jinit.system;

import dev.jinit.exec.Cgroups;
import dev.jinit.linux.Fd;
import dev.jinit.linux.Posix;
import dev.jinit.linux.RegularFile;
import dev.jinit.log.LogPump;
import dev.jinit.log.Stream;
import dev.jinit.supervise.Adoptee;
import dev.jinit.supervise.KernelProcesses;
import dev.jinit.supervise.Manager;
import dev.jinit.supervise.Ports;
import dev.jinit.supervise.UnitRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the units an earlier jinit on this state directory left up, from their records
 * ({@link UnitRecord}, written by {@link UnitRecordStore}), and checks each before it is taken over:
 * the main process is opened as a pidfd and its start time compared with the recorded one before and
 * after (a pid that names another process now is never taken), it must still be in the recorded
 * cgroup, and its output pipes are had again where they still are jinit's: handed over across
 * {@code daemon-reexec} (descriptors kept open through execve), or, after a crash, reopened through
 * {@code /proc/PID/fd/1} and {@code 2} when they are still the pipes recorded (a pipe opened there is
 * the same pipe, with a reader again). What fails a check is returned as a refusal, to be stopped.
 */
final class Takeover {
    private Takeover() {}

    /** Units to take over, and units whose records could not be honoured (their process, if any, to be stopped). */
    record Found(List<Adoptee> adoptees, List<Manager.Refusal> refused) {
        static final Found NONE = new Found(List.of(), List.of());
    }

    /** At most this much of a record is read. */
    static final int MAX_RECORD = 64 << 10;

    /**
     * Reads every record; {@code inherited} are the log pipes a re-executing jinit handed to this one,
     * by unit (taken by the units found, the others closed).
     */
    static Found read(Path dir, Cgroups cgroups, Map<String, List<LogPump.Kept>> inherited, int self, PrintStream err) {
        List<Adoptee> adoptees = new ArrayList<>();
        List<Manager.Refusal> refused = new ArrayList<>();
        Map<String, List<LogPump.Kept>> pipes = new HashMap<>(inherited);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) if (!p.getFileName().toString().startsWith(".")) files.add(p);
        } catch (NoSuchFileException e) {
            // no unit was up
        } catch (IOException | RuntimeException e) {
            err.println("jinit: cannot read the unit records in " + dir + ": " + e.getMessage()
                    + "; what the previous jinit left is stopped, not taken over");
        }
        files.sort(null);
        for (Path file : files) {
            UnitRecord r;
            try {
                r = UnitRecord.parse(file.toString(), new String(RegularFile.read(file, MAX_RECORD), StandardCharsets.UTF_8));
                if (!r.unit().equals(file.getFileName().toString()))
                    throw new IllegalArgumentException(file + ": names unit " + r.unit() + ", not " + file.getFileName());
            } catch (IOException | RuntimeException e) {
                err.println("jinit: ignoring the unit record " + file + ": " + e.getMessage());
                deleteQuietly(file);
                continue;
            }
            List<LogPump.Kept> handed = pipes.remove(r.unit());
            Adoptee a = check(r, cgroups, handed == null ? List.of() : handed, self, refused);
            if (a != null) adoptees.add(a);
        }
        for (List<LogPump.Kept> left : pipes.values()) for (LogPump.Kept k : left) Fd.adopt(k.fd()).close();
        return new Found(adoptees, refused);
    }

    private static Adoptee check(UnitRecord r, Cgroups cgroups, List<LogPump.Kept> handed, int self, List<Manager.Refusal> refused) {
        Path cgroup = r.cgroup().isEmpty() ? null : Path.of(r.cgroup());
        if (r.state().equals("exited")) {
            closeAll(handed);
            return new Adoptee(r, null, cgroup, List.of(), null);
        }
        int pid = r.pid();
        String[] stat = statFields(pid);
        // jinit's own child (across daemon-reexec) may have ended meanwhile: a zombie, whose exit the
        // reaper reports to the unit once taken over (Restart= applies). Anyone else's zombie is gone.
        boolean child = stat != null && stat.length > 1 && stat[1].equals(Integer.toString(self));
        boolean zombie = stat != null && (stat[0].equals("Z") || stat[0].equals("X"));
        String before = stat == null || (zombie && !child) || stat.length < 20 ? null : stat[19];
        String why = before == null ? "its main process " + pid + " is gone"
                : r.startTime().isEmpty() ? "its record has no start time for pid " + pid
                : !before.equals(r.startTime()) ? "pid " + pid + " is another process now (started at tick " + before
                        + ", the recorded one at " + r.startTime() + ")"
                : null;
        Ports.Handle handle = null;
        if (why == null) {
            handle = KernelProcesses.INSTANCE.open(pid);
            // The pidfd is the process the pid named when it was opened: the same start time after the
            // open proves it is the recorded one, and from now on it cannot be confused with another.
            if (handle == null || !r.startTime().equals(startTime(pid)) || (!child && !handle.alive())) {
                if (handle != null) handle.close();
                handle = null;
                why = "its main process " + pid + " ended while it was checked";
            }
        }
        if (why == null && cgroup != null && cgroups != null) {
            String in = cgroupOf(pid);
            Path now = in == null ? null : cgroups.mount().resolve(in.substring(1));
            if (now == null || !now.startsWith(cgroup))
                why = "its main process " + pid + " is in cgroup " + now + ", not in the recorded " + cgroup;
        }
        if (why != null) {
            closeAll(handed);
            refused.add(new Manager.Refusal(new Adoptee(r, handle, cgroup, List.of(), null), why));
            return null;
        }
        List<Adoptee.Log> logs = new ArrayList<>();
        if (!handed.isEmpty()) {
            for (LogPump.Kept k : handed) logs.add(new Adoptee.Log(Fd.adopt(k.fd()), k.stream() == Stream.STDERR));
        } else {
            // After a crash: the pipes the unit writes into have no reader; opening them through /proc
            // gives them one again (only when they are still the pipes recorded as the unit's).
            String out = UnitRecordStore.link(pid, 1), errLink = UnitRecordStore.link(pid, 2);
            Fd o = reopen(pid, 1, out, r.stdout());
            if (o != null) logs.add(new Adoptee.Log(o, false));
            if (!errLink.equals(out) || o == null) {
                Fd e = reopen(pid, 2, errLink, r.stderr());
                if (e != null) logs.add(new Adoptee.Log(e, true));
            }
        }
        Adoptee.ExitRelay exits = child ? new Adoptee.ExitRelay() : null;
        return new Adoptee(r, handle, cgroup, logs, exits);
    }

    private static Fd reopen(int pid, int fd, String link, String recorded) {
        if (!link.startsWith("pipe:") || !link.equals(recorded)) return null;
        try {
            return Posix.open("/proc/" + pid + "/fd/" + fd, Posix.O_RDONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void closeAll(List<LogPump.Kept> kept) {
        for (LogPump.Kept k : kept) Fd.adopt(k.fd()).close();
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks after boot), or null when gone. */
    static String startTime(int pid) {
        String[] f = statFields(pid);
        return f == null || f.length < 20 ? null : f[19];
    }

    /** The fields of /proc/PID/stat after the command name: [0] is the state (field 3). */
    private static String[] statFields(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 > stat.length()) return null;
            String[] f = stat.substring(close + 2).split(" ");
            return f;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cgroupOf(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup")))
                if (line.startsWith("0::")) return line.substring(3);
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return null;
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // read again next time, and refused again
        }
    }
}
