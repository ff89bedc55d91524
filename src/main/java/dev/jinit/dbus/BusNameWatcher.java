package dev.jinit.dbus;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Watches who owns bus names on the system bus, for {@code Type=dbus} services (systemd.service(5):
 * such a service is up once its BusName= is acquired, and no longer functional once it is released).
 *
 * <p>One thread of its own, started by the first {@link #watch}, owns the connection: it connects
 * (retrying while the socket is missing, as when dbus.socket is not listening yet), subscribes to
 * NameOwnerChanged for each watched name (AddMatch, then GetNameOwner, so no change between the two
 * is lost) and reports every owner it learns to the listener, from that thread. A connection that is
 * lost is made again and every name asked again: an owner change missed meanwhile is reported then.
 * Nothing here blocks the caller of {@link #watch}: the requests are written by the watcher thread.
 */
public final class BusNameWatcher implements AutoCloseable {
    /** Told of an owner: its unique name (":1.7"), or null when nobody owns {@code name}. */
    @FunctionalInterface
    public interface Listener {
        void owner(String name, String owner);
    }

    private static final long FIRST_RETRY_MILLIS = 100, MAX_RETRY_MILLIS = 2000;
    private static final String NAME_OWNER_CHANGED = "NameOwnerChanged", BUS = "org.freedesktop.DBus";

    private final String address;
    private final int uid;
    private final Listener listener;
    private final PrintStream err;

    // ---- guarded by this ----
    private final Set<String> names = new LinkedHashSet<>();
    /** Names whose owner must be asked (again) on the current connection. */
    private final Set<String> toAsk = new LinkedHashSet<>();
    private Connection connection;
    private Thread thread;
    private boolean closed;
    /** Names an AddMatch was sent for on the current connection. */
    private final Set<String> matched = new HashSet<>();
    /** GetNameOwner calls in flight on the current connection: serial -> name. */
    private final Map<Long, String> asked = new HashMap<>();

    public BusNameWatcher(String address, int uid, Listener listener, PrintStream err) {
        Connection.socketPath(address); // a bad address is an error now, not a silent retry loop
        this.address = address;
        this.uid = uid;
        this.listener = listener;
        this.err = err;
    }

    /** The system bus address: DBUS_SYSTEM_BUS_ADDRESS when set (as libdbus and sd-bus read it), else the default. */
    public static String systemBusAddress() {
        String a = System.getenv("DBUS_SYSTEM_BUS_ADDRESS");
        return a == null || a.isBlank() ? Connection.DEFAULT_SYSTEM_BUS : a;
    }

    public String address() {
        return address;
    }

    /**
     * Watches {@code name} and asks for its current owner: the answer (and every change after it)
     * goes to the listener. Watching a name again asks again.
     */
    public synchronized void watch(String name) {
        if (closed) return;
        names.add(name);
        toAsk.add(name);
        if (thread == null) {
            thread = Thread.ofPlatform().daemon(true).name("jinit-dbus").start(this::run);
        }
        notifyAll();
    }

    /** Stops reporting {@code name}. */
    public synchronized void unwatch(String name) {
        names.remove(name);
        toAsk.remove(name);
    }

    private void run() {
        long retry = FIRST_RETRY_MILLIS;
        String lastFailure = null;
        while (true) {
            synchronized (this) {
                while (!closed && names.isEmpty()) waitQuietly(0);
                if (closed) return;
            }
            Connection c;
            try {
                c = Connection.open(address, uid);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                if (!why.equals(lastFailure)) err.println("jinit: D-Bus " + address + ": cannot connect (" + why + "); retrying");
                lastFailure = why;
                synchronized (this) {
                    if (closed) return;
                    waitQuietly(retry);
                }
                retry = Math.min(retry * 2, MAX_RETRY_MILLIS);
                continue;
            }
            retry = FIRST_RETRY_MILLIS;
            if (lastFailure != null) err.println("jinit: D-Bus " + address + ": connected as " + c.uniqueName());
            lastFailure = null;
            synchronized (this) {
                if (closed) {
                    c.close();
                    return;
                }
                connection = c;
                matched.clear();
                asked.clear();
                toAsk.addAll(names);
            }
            Thread sender = Thread.ofVirtual().name("jinit-dbus-send").start(() -> sendRequests(c));
            try {
                while (true) received(c.read());
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    if (closed) return;
                    connection = null;
                    notifyAll();
                }
                lastFailure = "connection lost: " + (e.getMessage() == null ? e.toString() : e.getMessage());
                err.println("jinit: D-Bus " + address + ": " + lastFailure);
            } finally {
                c.close();
                sender.interrupt();
            }
        }
    }

    /** Writes AddMatch/GetNameOwner for every name to ask, on connection {@code c}, until it is replaced. */
    private void sendRequests(Connection c) {
        while (true) {
            String name;
            boolean match;
            synchronized (this) {
                while (connection == c && !closed && toAsk.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (connection != c || closed) return;
                name = toAsk.iterator().next();
                toAsk.remove(name);
                match = matched.add(name);
            }
            try {
                if (match) {
                    c.send("AddMatch", "type='signal',sender='" + BUS + "',path='/org/freedesktop/DBus',interface='" + BUS
                            + "',member='" + NAME_OWNER_CHANGED + "',arg0='" + name + "'");
                }
                // Recorded before the call leaves, so its answer always finds its name.
                long serial = c.nextSerial();
                synchronized (this) {
                    asked.put(serial, name);
                }
                c.send(serial, "GetNameOwner", name);
            } catch (IOException e) {
                return; // the reader sees the connection end too, and starts over
            }
        }
    }

    private void received(Message m) {
        String name;
        String owner;
        switch (m.type()) {
            case Message.METHOD_RETURN, Message.ERROR -> {
                synchronized (this) {
                    name = asked.remove(m.replySerial());
                }
                if (name == null) {
                    if (m.type() == Message.ERROR)
                        err.println("jinit: D-Bus " + address + ": " + m.errorName() + ": " + m.arg(0));
                    return;
                }
                if (m.type() == Message.METHOD_RETURN) {
                    owner = m.arg(0);
                } else if ("org.freedesktop.DBus.Error.NameHasNoOwner".equals(m.errorName())) {
                    owner = null;
                } else {
                    err.println("jinit: D-Bus " + address + ": GetNameOwner " + name + ": " + m.errorName() + ": " + m.arg(0));
                    return;
                }
            }
            case Message.SIGNAL -> {
                if (!NAME_OWNER_CHANGED.equals(m.member()) || !BUS.equals(m.iface()) || m.args().size() != 3) return;
                name = m.arg(0);
                owner = m.arg(2).isEmpty() ? null : m.arg(2);
            }
            default -> {
                return; // a method call to jinit: nothing here answers any
            }
        }
        synchronized (this) {
            if (!names.contains(name)) return;
        }
        try {
            listener.owner(name, owner);
        } catch (RuntimeException e) {
            err.println("jinit: D-Bus owner of " + name + ": " + e);
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
            notifyAll();
        }
        if (c != null) c.close();
    }
}
