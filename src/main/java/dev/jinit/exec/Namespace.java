package dev.jinit.exec;

/** Linux namespaces a child can be started in, with their clone flag. */
public enum Namespace {
    MOUNT(0x00020000, "mnt"),
    UTS(0x04000000, "uts"),
    IPC(0x08000000, "ipc"),
    NET(0x40000000, "net"),
    PID(0x20000000, "pid"),
    CGROUP(0x02000000, "cgroup"),
    USER(0x10000000, "user");

    public final int cloneFlag;
    /** The name under {@code /proc/PID/ns/}. */
    public final String procName;

    Namespace(int cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }
}
