package dev.jinit.net;

import dev.jinit.linux.Fd;
import dev.jinit.linux.Netlink;
import java.util.List;
import java.util.function.Consumer;

/**
 * Link, address and route changes as the kernel announces them (the RTMGRP_LINK, RTMGRP_IPV4_IFADDR
 * and RTMGRP_IPV4_ROUTE multicast groups), read on the {@link NetLoop}: one socket for every link,
 * not a thread per link.
 */
public final class LinkMonitor implements AutoCloseable {
    /** What the kernel announced. */
    public sealed interface Event {
        /** A link appeared or changed (flags, carrier, MTU, name). */
        record LinkChanged(Link link) implements Event {}
        record LinkRemoved(Link link) implements Event {}
        record AddressAdded(InterfaceAddress address) implements Event {}
        record AddressRemoved(InterfaceAddress address) implements Event {}
        record RouteAdded(Route route) implements Event {}
        record RouteRemoved(Route route) implements Event {}
        /** The kernel dropped events (ENOBUFS, a malformed message): listeners re-read what they need. */
        record Overrun(String reason) implements Event {}
    }

    private final Fd socket;
    private final NetLoop.Registration registration;
    private final Consumer<Event> listener;

    private LinkMonitor(Fd socket, NetLoop loop, Consumer<Event> listener) {
        this.socket = socket;
        this.listener = listener;
        this.registration = loop.watch(socket, this::drain);
    }

    /** Starts listening; on the loop thread, in the loop thread's network namespace. */
    public static LinkMonitor start(NetLoop loop, Consumer<Event> listener) {
        Fd fd = Netlink.open(Netlink.NETLINK_ROUTE,
                Netlink.RTMGRP_LINK | Netlink.RTMGRP_IPV4_IFADDR | Netlink.RTMGRP_IPV4_ROUTE);
        return new LinkMonitor(fd, loop, listener);
    }

    private void drain() {
        while (true) {
            byte[] datagram;
            List<NetlinkMessage> messages;
            try {
                datagram = Netlink.receive(socket);
                if (datagram == null) return;
                messages = NetlinkCodec.decode(datagram);
            } catch (RuntimeException e) {
                // ENOBUFS: the socket's queue overflowed and events were lost; a bad message: skip it.
                listener.accept(new Event.Overrun(e.getMessage()));
                continue;
            }
            for (NetlinkMessage m : messages) {
                Event e;
                try {
                    e = event(m);
                } catch (MalformedMessageException bad) {
                    e = new Event.Overrun(bad.getMessage());
                }
                if (e != null) listener.accept(e);
            }
        }
    }

    /** The event a kernel announcement means, or null for one of no interest (IPv6, local routes). */
    static Event event(NetlinkMessage m) {
        return switch (m.type()) {
            case RouteCodec.RTM_NEWLINK -> new Event.LinkChanged(RouteCodec.link(m));
            case RouteCodec.RTM_DELLINK -> new Event.LinkRemoved(RouteCodec.link(m));
            case RouteCodec.RTM_NEWADDR -> RouteCodec.address(m).<Event>map(Event.AddressAdded::new).orElse(null);
            case RouteCodec.RTM_DELADDR -> RouteCodec.address(m).<Event>map(Event.AddressRemoved::new).orElse(null);
            case RouteCodec.RTM_NEWROUTE -> RouteCodec.route(m).<Event>map(Event.RouteAdded::new).orElse(null);
            case RouteCodec.RTM_DELROUTE -> RouteCodec.route(m).<Event>map(Event.RouteRemoved::new).orElse(null);
            default -> null;
        };
    }

    /** Loop thread only. */
    @Override
    public void close() {
        registration.close();
        socket.close();
    }
}
