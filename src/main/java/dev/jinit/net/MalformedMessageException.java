package dev.jinit.net;

/** A netlink or DHCP message that cannot be decoded; the message names what is wrong and where. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }
}
