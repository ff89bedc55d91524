package dev.jinit.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CapabilitiesProperties {
    @Property
    void nameThenParseIsIdentity(@ForAll @IntRange(min = 0, max = 40) int cap) {
        assertEquals(cap, Capabilities.parse(Capabilities.name(cap)));
        assertEquals(cap, Capabilities.parse(Capabilities.name(cap).substring(4).toLowerCase()));
    }

    @Example
    void statusParsing() {
        Capabilities.Sets s = Capabilities.parseStatus("Name:\tx\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
                + "CapEff:\t0000000000003000\nCapBnd:\tffffffffffffffff\n");
        assertEquals(0x3000L, s.effective());
        assertEquals(0x1fffeffffffL, s.permitted());
        assertEquals(-1L, s.bounding());
        assertEquals(true, s.has(Capabilities.CAP_NET_ADMIN));
        assertEquals(false, s.has(Capabilities.CAP_SYS_ADMIN));
    }

    @Example
    void names() {
        assertEquals("CAP_SYS_ADMIN", Capabilities.name(21));
        assertEquals(Capabilities.CAP_NET_BIND_SERVICE, Capabilities.parse("CAP_NET_BIND_SERVICE"));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.parse("CAP_NOPE"));
    }

    @Example
    void lastCapabilityIsTheKernels() throws Exception {
        assertEquals(Integer.parseInt(new String(java.nio.file.Files.newInputStream(
                java.nio.file.Path.of("/proc/sys/kernel/cap_last_cap")).readAllBytes()).trim()), Prctl.lastCapability());
    }
}
