package dev.jinit.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jinit.image.ImageTree.Content;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTreeTest {
    @Test
    void parentsComeFirstAndAreImplied() throws Exception {
        ImageTree tree = new ImageTree();
        tree.put("/a/b/c", new Content(new byte[] {1}, 0644, "test"));
        tree.put("/a-b", new Content(new byte[] {2}, 0644, "test"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tree.writeCpio(out);
        var e = CpioReader.read(new ByteArrayInputStream(out.toByteArray()));
        List<String> names = List.copyOf(e.keySet());
        assertEquals(List.of("a", "a-b", "a/b", "a/b/c"), names);
    }

    @Test
    void oneTwoSourcesForOnePathIsAnErrorNamingBoth() {
        ImageTree tree = new ImageTree();
        tree.put("/etc/jinit/units/x.service", new Content(new byte[] {1}, 0644, "the units"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> tree.put("/etc/jinit/units/x.service", new Content(new byte[] {2}, 0644, "--add y:/etc/jinit/units/x.service")));
        assertEquals("image path /etc/jinit/units/x.service would come from both the units and --add y:/etc/jinit/units/x.service",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tree.put("relative", new Content(new byte[0], 0644, "t")));
    }
}
