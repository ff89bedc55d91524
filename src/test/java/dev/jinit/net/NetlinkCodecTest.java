package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkCodecTest {
    @Test
    void encodesTheHeaderInHostOrderAndPadsToFourBytes() {
        byte[] b = NetlinkCodec.encode(new NetlinkMessage(18, 0x301, 7, 0, new byte[] {1, 2, 3}));
        assertEquals("1300000012000103070000000000000001020300", HexFormat.of().formatHex(b));
    }

    @Test
    void attributesCarryTheirUnpaddedLength() {
        byte[] b = NetlinkCodec.encodeAttributes(List.of(NetlinkAttribute.ofString(3, "eth0"), NetlinkAttribute.ofInt(4, 1500)));
        assertEquals("0900030065746830000000000800040" + "0dc050000", HexFormat.of().formatHex(b));
    }

    @Test
    void refusesLengthsThatRunPastTheEnd() {
        byte[] b = NetlinkCodec.encode(new NetlinkMessage(16, 0, 1, 0, new byte[8]));
        ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, 200);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> NetlinkCodec.decode(b));
        assertTrue(e.getMessage().contains("claims 200 bytes"), e.getMessage());
        assertThrows(MalformedMessageException.class, () -> NetlinkCodec.decodeAttributes(new byte[] {2, 0, 1, 0}, 0));
    }

    @Test
    void readsAnExtendedAckMessage() {
        NetlinkMessage request = RouteCodec.setLink(5, 3, null, 10);
        byte[] echoed = NetlinkCodec.encode(request);
        byte[] header = java.util.Arrays.copyOf(echoed, NetlinkCodec.HEADER);
        byte[] attrs = NetlinkCodec.encodeAttributes(List.of(NetlinkAttribute.ofString(1, "MTU too small")));
        ByteBuffer p = ByteBuffer.allocate(4 + header.length + attrs.length).order(ByteOrder.nativeOrder());
        p.putInt(-22).put(header).put(attrs);
        RouteCodec.Ack ack = RouteCodec.ack(new NetlinkMessage(NetlinkMessage.NLMSG_ERROR,
                NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS, 5, 0, p.array()));
        assertEquals(new RouteCodec.Ack(22, "MTU too small"), ack);
    }

    @Test
    void ipv4ParsingIsStrict() {
        assertEquals(0x0a000001, Ipv4.parse("10.0.0.1").bits());
        for (String bad : new String[] {"10.0.0", "10.0.0.256", "010.0.0.1", "1.2.3.4.5", "a.b.c.d", "", "1..2.3"})
            assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(bad), bad);
        assertEquals(-1, Ipv4.parse("255.0.255.0").prefixOfMask());
    }
}
