package dev.jinit.exec;

import dev.jinit.linux.Capabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether jinit may give a child an OOM score adjustment. Raising it is always allowed; lowering it below
 * jinit's own needs CAP_SYS_RESOURCE (proc(5)), which a container's root often lacks. {@code jinit exec}
 * refuses such a spec (Preflight); the supervisor does what systemd does for a unit and runs it without the
 * adjustment, saying so ("assuming containerized execution").
 */
public final class OomScorePrivilege {
    private OomScorePrivilege() {}

    /** Why {@code value} cannot be set from this process, or null when it can. */
    public static String refusal(int value) {
        return refusal(value, Capabilities.current().has(Capabilities.CAP_SYS_RESOURCE), own());
    }

    static String refusal(int value, boolean hasSysResource, int own) {
        if (hasSysResource || value >= own) return null;
        return "OOMScoreAdjust=" + value + " is below jinit's own (" + own + ") and jinit lacks CAP_SYS_RESOURCE";
    }

    /** jinit's own oom_score_adj; 0 when /proc cannot tell. */
    static int own() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
