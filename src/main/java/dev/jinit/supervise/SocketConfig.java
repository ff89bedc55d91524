package dev.jinit.supervise;

import dev.jinit.unit.Socket;
import java.util.Objects;
import java.util.function.Function;

/**
 * A socket unit as the manager runs it.
 *
 * @param socket    the [Socket] settings
 * @param service   the unit it activates: a service, or with Accept=yes the template {@code foo@.service}
 * @param instances with Accept=yes: builds the definition of one instance of the template (it reads files
 *                  and the user database, so it is called off the manager thread); null otherwise
 */
public record SocketConfig(Socket socket, String service, Function<String, UnitDefinition> instances) {
    public SocketConfig {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(service, "service");
        if (socket.accept() && instances == null) throw new IllegalArgumentException("Accept=yes needs a way to build instances");
    }

    /** The descriptor name passed in LISTEN_FDNAMES: FileDescriptorName=, else the socket unit's name. */
    public String fdName(String unit) {
        return socket.fileDescriptorName() != null ? socket.fileDescriptorName() : unit;
    }
}
