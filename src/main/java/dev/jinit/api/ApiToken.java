package dev.jinit.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret a client must present. Compared in constant time ({@link MessageDigest#isEqual}) so the
 * time of a refusal tells nothing about how much of a guess was right.
 */
public final class ApiToken {
    /** The file made in the state directory at first start when no token file is given. */
    public static final String FILE_NAME = "api.token";
    /** Shorter tokens are refused: a token is the only thing between the network and PID 1. */
    static final int MIN_LENGTH = 16;

    private final byte[] secret;

    ApiToken(String secret) {
        if (secret.length() < MIN_LENGTH)
            throw new IllegalArgumentException("API token is " + secret.length() + " characters; at least " + MIN_LENGTH + " needed");
        // RFC 6750's b64token characters: safe in a header, a cookie and a URL query alike.
        for (char c : secret.toCharArray())
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~+/=".indexOf(c) >= 0))
                throw new IllegalArgumentException("API token holds '" + (c < ' ' ? "\\x" + Integer.toHexString(c) : String.valueOf(c))
                        + "'; allowed are letters, digits and - . _ ~ + / =");
        this.secret = secret.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads a token from a file (first line, surrounding blanks trimmed). */
    public static ApiToken read(Path file) {
        try {
            // resolved on purpose, then opened without following links, non-blocking, fstat'd regular
            String text = new String(dev.jinit.linux.RegularFile.read(file.toRealPath(), 4096), StandardCharsets.US_ASCII).strip();
            int nl = text.indexOf('\n');
            if (nl >= 0) text = text.substring(0, nl).strip();
            return new ApiToken(text);
        } catch (IOException e) {
            throw new UncheckedIOException("API token file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("API token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The state directory's {@code api.token}: read when it exists, else made with 32 random bytes and
     * mode 0600 (created with that mode, so it is never readable by others even for a moment).
     */
    public static ApiToken readOrCreate(Path stateDir) {
        Path file = stateDir.resolve(FILE_NAME);
        if (Files.exists(file)) return read(file);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        try {
            Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    token + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return read(file); // another start won the race: use its token
        } catch (IOException e) {
            throw new UncheckedIOException("API token file " + file + ": " + e.getMessage(), e);
        }
        return new ApiToken(token);
    }

    /** A token given as text (boot mode's {@code jinit.api=...,token=}), checked as a file's would be. */
    static ApiToken of(String text, String where) {
        try {
            return new ApiToken(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Constant-time comparison of what a client presented. */
    public boolean matches(String presented) {
        if (presented == null) return false;
        return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }
}
