package dev.jinit.kmod;

/** A module index that cannot be read, or a module that cannot be resolved; the message names which. */
public final class KmodException extends RuntimeException {
    public KmodException(String message) {
        super(message);
    }
}
