package dev.jinit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;

/** exec.Users against generated passwd/group files: lookups by name and number, and initgroups. */
class UsersProperties {
    @Property(tries = 200)
    void lookupsAndInitgroupsMatchTheFiles(
            @ForAll @Size(min = 1, max = 15) @UniqueElements List<@IntRange(min = 0, max = 60000) Integer> uids,
            @ForAll @Size(min = 1, max = 10) @UniqueElements List<@IntRange(min = 0, max = 60000) Integer> gids,
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 1000) Integer> memberships) throws IOException {
        Path root = Files.createTempDirectory("jinit-users");
        try {
            StringBuilder passwd = new StringBuilder("# generated\n\n");
            for (int i = 0; i < uids.size(); i++)
                passwd.append("u").append(i).append(":x:").append(uids.get(i)).append(':')
                        .append(gids.get(i % gids.size())).append(":User ").append(i).append(":/home/u").append(i).append(":/bin/sh\n");
            // membership k puts user (k % users) into group (k / users % groups)
            List<Set<String>> members = new ArrayList<>();
            for (int g = 0; g < gids.size(); g++) members.add(new LinkedHashSet<>());
            for (int k : memberships) members.get(k / uids.size() % gids.size()).add("u" + (k % uids.size()));
            StringBuilder group = new StringBuilder();
            for (int g = 0; g < gids.size(); g++)
                group.append("g").append(g).append(":x:").append(gids.get(g)).append(':').append(String.join(",", members.get(g))).append('\n');
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/passwd"), passwd);
            Files.writeString(root.resolve("etc/group"), group);
            Users db = Users.of(root);
            for (int i = 0; i < uids.size(); i++) {
                Users.User u = db.user("u" + i);
                assertEquals(uids.get(i), u.uid());
                assertEquals(gids.get(i % gids.size()), u.gid());
                assertEquals("/home/u" + i, u.home());
                assertEquals(u, db.user(Integer.toString(uids.get(i))));
                Set<Integer> expected = new LinkedHashSet<>();
                expected.add(u.gid());
                for (int g = 0; g < gids.size(); g++) if (members.get(g).contains("u" + i)) expected.add(gids.get(g));
                List<Integer> groups = db.initgroups(u, u.gid());
                assertEquals(u.gid(), groups.getFirst(), "the primary group comes first");
                assertEquals(expected, new LinkedHashSet<>(groups));
                assertEquals(groups.size(), new LinkedHashSet<>(groups).size(), "no duplicates");
            }
            for (int g = 0; g < gids.size(); g++) assertEquals(gids.get(g), db.gid("g" + g));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.user("nobody-here"));
            assertTrue(e.getMessage().contains("unknown user 'nobody-here'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> db.gid("no-group-here"));
        } finally {
            try (var files = Files.walk(root)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }
}
