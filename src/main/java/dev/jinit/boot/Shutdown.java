package dev.jinit.boot;

import dev.jinit.linux.BlockDevices;
import dev.jinit.linux.LinuxException;
import dev.jinit.linux.Mount;
import dev.jinit.linux.Posix;
import dev.jinit.linux.Reboot;
import dev.jinit.linux.Signals;
import dev.jinit.system.StopRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The end of PID 1, after the units stopped in order (the supervisor's orderly stop): what systemd-shutdown
 * and busybox init do so that nothing written is lost. Every step is reported on the console and none can
 * keep the next from running.
 *
 * <ol>
 *   <li>every other process gets SIGTERM (and SIGCONT, so a stopped one can act on it), then SIGKILL
 *       after a grace period, and is reaped (the reaper still runs);</li>
 *   <li>(after the supervisor closed, so log files are written) sync();</li>
 *   <li>BLKFLSBUF on every block device;</li>
 *   <li>filesystems unmounted, newest first, in passes while that makes progress; what stays busy is
 *       remounted read-only;</li>
 *   <li>reboot(2) with the command asked for.</li>
 * </ol>
 *
 * <p>As {@code jinit boot} in a PID namespace (tests), steps 3 and 4 touch only what this jinit mounted
 * itself, and only per mount point: the host's filesystems share their superblocks with the namespace,
 * and remounting one of them read-only would remount it for the host too.
 */
public final class Shutdown {
    /** How long the processes outside every unit get between SIGTERM and SIGKILL (busybox init waits 1 s, systemd 90 s). */
    public static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** Filesystems the kernel needs until the end and that hold no user data. */
    static final Set<String> API_FILESYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2",
            "securityfs", "debugfs", "tracefs", "pstore", "bpf", "efivarfs", "configfs", "fusectl", "mqueue",
            "hugetlbfs", "binfmt_misc", "autofs", "rootfs");

    private final BootConsole console;
    private final boolean machine;
    private final List<String> ownMounts;

    /**
     * @param machine   true for the machine's PID 1; false for {@code jinit boot} in a namespace
     * @param ownMounts the mount points this jinit mounted (the only ones a namespace run touches)
     */
    public Shutdown(BootConsole console, boolean machine, List<String> ownMounts) {
        this.console = console;
        this.machine = machine;
        this.ownMounts = List.copyOf(ownMounts);
    }

    /** Step 1: ends every process that is not PID 1. Returns how many there were. */
    public int killEveryone() {
        int self = Posix.getpid();
        List<Integer> left = OtherProcesses.list(self);
        if (left.isEmpty()) {
            console.line("no other processes left");
            return 0;
        }
        int count = left.size();
        console.line("sending SIGTERM to " + count + " remaining process(es): " + left);
        signalAll(Signals.SIGTERM);
        signalAll(Signals.SIGCONT);
        left = awaitNone(self, GRACE);
        if (!left.isEmpty()) {
            console.line("still there after " + GRACE.toSeconds() + " s, sending SIGKILL: " + left);
            long deadline = System.nanoTime() + KILL_WAIT.toNanos();
            // Rounds, because what a dying process forked meanwhile is a new process.
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                signalAll(Signals.SIGKILL);
                left = awaitNone(self, Duration.ofMillis(200));
            }
            if (!left.isEmpty()) console.line("could not end " + left + " (uninterruptible sleep?)");
        }
        return count;
    }

    /** Steps 2 to 5, after the supervisor (and with it the log files) closed. Returns only when reboot(2) failed. */
    public void finish(StopRequest request) {
        step("sync", Reboot::sync);
        console.line("synced filesystems");
        if (machine) step("flushing block devices", this::flushBlockDevices);
        step("unmounting", this::unmountAll);
        step("sync", Reboot::sync);
        int cmd = switch (request) {
            case POWEROFF -> Reboot.CMD_POWER_OFF;
            case HALT -> Reboot.CMD_HALT;
            case REBOOT, EXIT -> Reboot.CMD_RESTART;
        };
        console.line(switch (request) {
            case POWEROFF -> "powering off";
            case HALT -> "halting";
            case REBOOT, EXIT -> "rebooting";
        });
        try {
            Reboot.reboot(cmd);
        } catch (LinuxException e) {
            console.line("reboot(2) failed: " + e.getMessage());
        }
    }

    private void step(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            console.line(what + " failed (going on): " + e);
        }
    }

    private static void signalAll(int signal) {
        try {
            Posix.kill(-1, signal);
        } catch (LinuxException e) {
            // ESRCH when nobody is left: fine
        }
    }

    private static List<Integer> awaitNone(int self, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Integer> left;
        while (!(left = OtherProcesses.list(self)).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return left;
    }

    private void flushBlockDevices() {
        List<String> flushed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/block"))) {
            for (Path p : ds) {
                String dev = "/dev/" + p.getFileName();
                try {
                    BlockDevices.flush(dev);
                    flushed.add(p.getFileName().toString());
                } catch (LinuxException e) {
                    // a loop or ram device without backing says ENXIO: nothing to flush
                    console.debugLine("BLKFLSBUF " + dev + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            console.line("cannot list /sys/block: " + e.getMessage());
        }
        console.line("flushed block devices: " + (flushed.isEmpty() ? "none" : String.join(" ", flushed)));
    }

    private MountTable table() {
        try {
            return MountTable.parse(Files.readString(EarlyMounts.MOUNTINFO));
        } catch (IOException | IllegalArgumentException e) {
            console.line("cannot read " + EarlyMounts.MOUNTINFO + ": " + e.getMessage());
            return new MountTable(List.of());
        }
    }

    /** Whether this run may touch a mount at all, and unmount it rather than leave it. */
    private boolean mayUnmount(MountTable.Entry e) {
        if (!machine) return ownMounts.contains(e.target());
        return !e.target().equals("/") && !API_FILESYSTEMS.contains(e.type());
    }

    private void unmountAll() {
        // Passes while one makes progress: a mount can only go once the ones on top of it have.
        for (int pass = 0; pass < 4; pass++) {
            int done = 0;
            for (MountTable.Entry e : table().unmountOrder()) {
                if (!mayUnmount(e)) continue;
                try {
                    Mount.umount(e.target(), 0);
                    console.line("unmounted " + e.target() + " (" + e.type() + ")");
                    done++;
                } catch (LinuxException ex) {
                    console.debugLine("umount " + e.target() + ": " + ex.getMessage());
                }
            }
            if (done == 0) break;
        }
        // What is still there (busy: a file open by PID 1 itself, the root) goes read-only, so it is clean.
        for (MountTable.Entry e : table().unmountOrder()) {
            boolean ours = machine ? !API_FILESYSTEMS.contains(e.type()) && !e.type().equals("tmpfs")
                    : ownMounts.contains(e.target());
            if (!ours || e.readOnly()) continue;
            try {
                // Per mount point only outside the machine's init: a superblock remount would reach the host.
                long flags = Mount.MS_REMOUNT | Mount.MS_RDONLY | (machine ? 0 : Mount.MS_BIND);
                Mount.mount(null, e.target(), null, flags, null);
                console.line("remounted " + e.target() + " read-only (" + e.type() + ")");
            } catch (LinuxException ex) {
                console.line("cannot remount " + e.target() + " read-only: " + ex.getMessage());
            }
        }
    }
}
