package dev.jinit.dbus;

/** A D-Bus connection or message that cannot be used: the reason, naming the bus address or message. */
public final class DBusException extends RuntimeException {
    public DBusException(String message) {
        super(message);
    }

    public DBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
