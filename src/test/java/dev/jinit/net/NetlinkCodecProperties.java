package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class NetlinkCodecProperties {
    @Provide
    Arbitrary<NetlinkAttribute> attributes() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as(NetlinkAttribute::new);
    }

    @Provide
    Arbitrary<NetlinkMessage> messages() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0, 0xffff),
                        Arbitraries.integers(), Arbitraries.integers(), Arbitraries.bytes().array(byte[].class).ofMaxSize(600))
                .as(NetlinkMessage::new);
    }

    @Property
    void messagesRoundTrip(@ForAll @Size(max = 8) List<@From("messages") NetlinkMessage> messages) {
        assertEquals(messages, NetlinkCodec.decode(NetlinkCodec.encode(messages)));
    }

    @Property
    void attributesRoundTrip(@ForAll @Size(max = 12) List<@From("attributes") NetlinkAttribute> attributes,
                             @ForAll @IntRange(min = 0, max = 20) int headerLength) {
        byte[] payload = NetlinkCodec.payload(new byte[headerLength], attributes);
        assertEquals(attributes, NetlinkCodec.decodeAttributes(payload, NetlinkCodec.align(headerLength)));
    }

    @Property
    void nestedAttributesRoundTrip(@ForAll @Size(max = 5) List<@From("attributes") NetlinkAttribute> inner) {
        NetlinkAttribute outer = new NetlinkAttribute(7 | NetlinkAttribute.NLA_F_NESTED, NetlinkCodec.encodeAttributes(inner));
        List<NetlinkAttribute> decoded = NetlinkCodec.decodeAttributes(NetlinkCodec.encodeAttributes(List.of(outer)), 0);
        assertEquals(7, decoded.getFirst().kind());
        assertEquals(inner, NetlinkCodec.decodeAttributes(decoded.getFirst().value(), 0));
    }

    /** Garbage from the socket is a MalformedMessageException, never another exception or a hang. */
    @Property
    void arbitraryBytesDecodeOrAreRefused(@ForAll @Size(max = 200) byte[] datagram) {
        try {
            for (NetlinkMessage m : NetlinkCodec.decode(datagram)) {
                try {
                    LinkMonitor.event(m);
                } catch (MalformedMessageException expected) {
                    // refused with a reason
                }
            }
        } catch (MalformedMessageException expected) {
            // refused with a reason
        }
    }

    @Property
    void addressRequestsReadBackAsTheAddress(@ForAll @IntRange(min = 1) int ifindex, @ForAll int address,
                                             @ForAll @IntRange(min = 0, max = 32) int prefix) {
        InterfaceAddress a = InterfaceAddress.withBroadcast(ifindex, new Ipv4(address), prefix);
        NetlinkMessage m = RouteCodec.addAddress(1, a, false, RouteCodec.INFINITE_LIFETIME, RouteCodec.INFINITE_LIFETIME);
        assertEquals(a, RouteCodec.address(NetlinkCodec.decode(NetlinkCodec.encode(m)).getFirst()).orElseThrow());
    }

    @Property
    void routeRequestsReadBackAsTheRoute(@ForAll int destination, @ForAll @IntRange(min = 0, max = 32) int prefix,
                                         @ForAll int gateway, @ForAll @IntRange(min = 1) int ifindex,
                                         @ForAll @IntRange(min = 0) int metric, @ForAll @IntRange(min = 1, max = 100_000) int table,
                                         @ForAll @IntRange(min = 0, max = 255) int protocol) {
        Route r = new Route(new Ipv4(destination).network(prefix), prefix, gateway == 0 ? null : new Ipv4(gateway), ifindex,
                metric, table, protocol, Route.RT_SCOPE_UNIVERSE);
        NetlinkMessage m = RouteCodec.addRoute(1, r, false);
        assertEquals(r, RouteCodec.route(NetlinkCodec.decode(NetlinkCodec.encode(m)).getFirst()).orElseThrow());
    }

    @Property
    void ipv4TextRoundTrips(@ForAll int bits) {
        assertEquals(new Ipv4(bits), Ipv4.parse(new Ipv4(bits).toString()));
    }

    @Property
    void masksAndPrefixesAgree(@ForAll @IntRange(min = 0, max = 32) int prefix) {
        assertEquals(prefix, Ipv4.mask(prefix).prefixOfMask());
    }
}
