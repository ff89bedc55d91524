package dev.jinit.exec;

import java.util.List;

/** The identity a child runs as: every uid and gid set to these, and exactly these groups. */
public record Credentials(int uid, int gid, List<Integer> groups) {
    public Credentials {
        if (uid < 0 || gid < 0) throw new IllegalArgumentException("negative uid or gid");
        groups = List.copyOf(groups);
    }
}
