package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DhcpCodecProperties {
    @Provide
    Arbitrary<DhcpMessage> messages() {
        Arbitrary<Map<Integer, byte[]>> options = Arbitraries.maps(Arbitraries.integers().between(1, 254)
                        .filter(c -> c != DhcpOptions.OVERLOAD),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300)).ofMaxSize(6)
                .filter(m -> m.values().stream().mapToInt(v -> v.length + 2 * (1 + v.length / 255)).sum() < 1200);
        Arbitrary<Ipv4> ip = Arbitraries.integers().map(Ipv4::new);
        return Combinators.combine(Arbitraries.of(1, 2), Arbitraries.integers(), Arbitraries.integers().between(0, 0xffff),
                        Arbitraries.of(true, false), ip, ip, ip, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16))
                .as((op, xid, secs, bc, a, b, c, mac) -> new Object[] {op, xid, secs, bc, a, b, c, mac})
                .flatMap(f -> options.map(o -> new DhcpMessage((int) f[0], (int) f[1], (int) f[2], (boolean) f[3], (Ipv4) f[4],
                        (Ipv4) f[5], (Ipv4) f[6], Ipv4.ANY, new MacAddress((byte[]) f[7]), DhcpOptions.of(new LinkedHashMap<>(o)))));
    }

    @Property(tries = 500)
    void messagesRoundTrip(@ForAll("messages") DhcpMessage m) {
        byte[] wire = DhcpCodec.encode(m);
        assertTrue(wire.length >= 300, "padded to BOOTP's minimum");
        assertEquals(m, DhcpCodec.decode(wire));
    }

    @Property(tries = 300)
    void framesRoundTripThroughIpAndUdp(@ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 65535) int sport,
                                        @ForAll @IntRange(max = 65535) int dport, @ForAll @Size(max = 600) byte[] payload) {
        byte[] frame = Ipv4Udp.frame(new Ipv4(src), new Ipv4(dst), sport, dport, payload);
        Ipv4Udp.Datagram d = Ipv4Udp.parse(frame, false);
        assertEquals(new Ipv4(src), d.source());
        assertEquals(new Ipv4(dst), d.destination());
        assertEquals(sport, d.sourcePort());
        assertEquals(dport, d.destinationPort());
        assertEquals(java.util.HexFormat.of().formatHex(payload), java.util.HexFormat.of().formatHex(d.payload()));
    }

    @Property(tries = 300)
    void aFlippedBitIsNeverAccepted(@ForAll @Size(min = 1, max = 200) byte[] payload, @ForAll @IntRange(min = 0) int where,
                                    @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] frame = Ipv4Udp.frame(Ipv4.parse("10.0.0.1"), Ipv4.BROADCAST, 67, 68, payload);
        int at = where % frame.length;
        frame[at] ^= (byte) (1 << bit);
        Ipv4Udp.Datagram d = Ipv4Udp.parse(frame, false);
        // A flip in the length fields may shorten what is read, but never yield the original with wrong content.
        if (d != null) assertTrue(at >= 20 && (at == 24 || at == 25), "accepted a corrupted packet (byte " + at + ")");
    }

    /**
     * Fuzz: a valid offer mangled at random is decoded and refused, or decoded and dropped by the
     * machine, and never applied unless it is still a valid offer for this client.
     */
    @Property(tries = 2000)
    void mangledRepliesAreCountedNeverApplied(@ForAll long seed) {
        Random r = new Random(seed);
        MacAddress mac = DhcpMachineProperties.MAC;
        DhcpMachine m = new DhcpMachine(new DhcpSettings(mac, DhcpSettings.macClientId(mac), null), r);
        DhcpMachine.Effect.Send discover = (DhcpMachine.Effect.Send) m.start(0, null).getFirst();
        DhcpMessage offer = DhcpMachineProperties.answer(discover.message(),
                new DhcpMachineProperties.Step(DhcpMachineProperties.Behaviour.ANSWER, 0, 600, 5, false));
        byte[] wire = DhcpCodec.encode(offer);
        int flips = 1 + r.nextInt(6);
        for (int i = 0; i < flips; i++) wire[r.nextInt(wire.length)] = (byte) r.nextInt(256);
        if (r.nextBoolean()) wire = java.util.Arrays.copyOf(wire, r.nextInt(wire.length + 200));
        DhcpMessage decoded;
        try {
            decoded = DhcpCodec.decode(wire);
        } catch (MalformedMessageException refused) {
            return;
        }
        m.receive(0, decoded);
        if (m.state() == DhcpMachine.State.REQUESTING) {
            // Taken: then it must still be a valid offer for us, with our xid.
            assertEquals(discover.message().xid(), decoded.xid());
            assertEquals(mac, decoded.chaddr());
            assertEquals(DhcpMessage.OFFER, decoded.type());
        } else {
            assertEquals(1, m.dropped().values().stream().mapToInt(Integer::intValue).sum(), m.dropped().toString());
        }
        assertNull(m.lease());
    }

    @Test
    void refusesWhatTheIssueLists() {
        DhcpMessage ok = DhcpMachineProperties.reply(
                new DhcpMessage(1, 7, 0, false, Ipv4.ANY, Ipv4.ANY, Ipv4.ANY, Ipv4.ANY, DhcpMachineProperties.MAC,
                        DhcpOptions.builder().putByte(53, 1).build()),
                Ipv4.parse("10.0.0.5"), DhcpOptions.builder().putByte(53, 2).putAddress(54, Ipv4.parse("10.0.0.1"))
                        .putInt(51, 600).build(), 7);
        byte[] wire = DhcpCodec.encode(ok);
        assertThrows(MalformedMessageException.class, () -> DhcpCodec.decode(java.util.Arrays.copyOf(wire, 239)), "truncated");
        assertThrows(MalformedMessageException.class, () -> DhcpCodec.decode(new byte[1501]), "oversized");
        byte[] cookie = wire.clone();
        cookie[238] = 0;
        assertThrows(MalformedMessageException.class, () -> DhcpCodec.decode(cookie), "magic cookie");
        byte[] badLength = wire.clone();
        badLength[241] = (byte) 200; // option 53's length runs past the end
        java.util.Arrays.fill(badLength, 243, badLength.length, (byte) 0);
        badLength[242] = 2;
        assertThrows(MalformedMessageException.class, () -> DhcpCodec.decode(java.util.Arrays.copyOf(badLength, 260)), "option length");
        for (String bad : new String[] {"0.0.0.0", "255.255.255.255", "224.0.0.1", "10.0.0.255", "10.0.0.0"}) {
            DhcpMessage offer = new DhcpMessage(2, 7, 0, false, Ipv4.ANY, Ipv4.parse(bad), Ipv4.ANY, Ipv4.ANY,
                    DhcpMachineProperties.MAC, DhcpOptions.builder().putByte(53, 2).putAddress(54, Ipv4.parse("10.0.0.1"))
                    .putAddress(1, Ipv4.mask(24)).putInt(51, 600).build());
            assertThrows(Lease.Refused.class, () -> Lease.fromAck(offer), bad);
        }
        DhcpMessage zero = new DhcpMessage(2, 7, 0, false, Ipv4.ANY, Ipv4.parse("10.0.0.5"), Ipv4.ANY, Ipv4.ANY,
                DhcpMachineProperties.MAC, DhcpOptions.builder().putByte(53, 2).putAddress(54, Ipv4.parse("10.0.0.1")).putInt(51, 0).build());
        Lease.Refused e = assertThrows(Lease.Refused.class, () -> Lease.fromAck(zero));
        assertEquals("lease time of 0", e.getMessage());
    }
}
