package dev.jinit.unit;

/** A {@code .socket}: [Unit] and [Install] in {@link #info}, [Socket] in {@link #socket}. */
public record SocketUnit(UnitInfo info, Socket socket) implements Unit {
    /**
     * The unit the socket activates: Service=, else the service of the same name; with Accept=yes the template
     * {@code foo@.service} whose instances take the connections.
     */
    public String serviceName() {
        if (socket.service() != null) return socket.service();
        String prefix = info.name().substring(0, info.name().length() - ".socket".length());
        return socket.accept() ? prefix + "@.service" : prefix + ".service";
    }
}
