package dev.jinit.linux;

/**
 * BLKFLSBUF: writes a block device's dirty buffers and drops its buffer cache, as busybox init and
 * systemd-shutdown do before reboot(2), so a disk with write caching in the hypervisor has everything.
 */
public final class BlockDevices {
    private BlockDevices() {}

    static final long BLKFLSBUF = 0x1261;

    /** Flushes {@code device} (/dev/vda); throws a {@link LinuxException} naming it when that fails. */
    public static void flush(String device) {
        try (Fd fd = Posix.open(device, Posix.O_RDONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0)) {
            Ioctl.ioctl(fd.get(), BLKFLSBUF, 0L);
        }
    }
}
