package dev.jinit.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class NotifyMessageProperties {
    @Provide
    Arbitrary<Map<String, String>> freeFields() {
        // Keys outside the interpreted set, values of any text without newline or NUL.
        Arbitrary<String> keys = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789").ofMinLength(1)
                .ofMaxLength(12).filter(k -> !NotifyMessage.KNOWN.contains(k));
        Arbitrary<String> values = Arbitraries.strings().all().ofMaxLength(40)
                .filter(v -> v.indexOf('\n') < 0 && v.indexOf('\0') < 0 && v.chars().noneMatch(c -> Character.isSurrogate((char) c)));
        return Arbitraries.maps(keys, values).ofMinSize(1).ofMaxSize(8);
    }

    @Property
    void serialisedFieldsParseBackInOrder(@ForAll("freeFields") Map<String, String> fields, @ForAll boolean trailingNewline) {
        String text = fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"))
                + (trailingNewline ? "\n" : "");
        NotifyMessage m = NotifyMessage.parse(1, 2, 3, text.getBytes(StandardCharsets.UTF_8));
        assertEquals(new LinkedHashMap<>(fields), new LinkedHashMap<>(m.fields()));
        assertEquals(fields.keySet().stream().toList(), m.unknown().keySet().stream().toList());
    }

    @Property
    void anyBytesParseOrFailWithIllegalArgument(@ForAll @Size(max = 64) byte[] data) {
        try {
            NotifyMessage m = NotifyMessage.parse(1, 0, 0, data);
            // Whatever parsed has valid typed accessors.
            m.mainPid();
            m.watchdogUsec();
            m.extendTimeoutUsec();
            m.errno();
        } catch (IllegalArgumentException expected) {
            // the message names the problem; never any other exception type
            assertEquals(false, expected.getMessage().isEmpty());
        }
    }

    @Property
    void anyPositivePidIsAValidMainPid(@ForAll("pids") int pid) {
        NotifyMessage m = NotifyMessage.parse(1, 0, 0, ("MAINPID=" + pid).getBytes(StandardCharsets.UTF_8));
        assertEquals(pid, m.mainPid().getAsInt());
    }

    @Provide
    Arbitrary<Integer> pids() {
        return Arbitraries.integers().between(1, Integer.MAX_VALUE);
    }
}
