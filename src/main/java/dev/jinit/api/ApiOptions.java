package dev.jinit.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the HTTP API is asked for: {@code jinit run --api HOST:PORT [--api-token-file FILE]}, or boot
 * mode's {@code jinit.api=HOST:PORT} (parsed by the boot code, handed over with {@link #parse}).
 *
 * @param address   where to listen; nothing else listens
 * @param tokenFile a file holding the token; null: on loopback no token, elsewhere the state
 *                  directory's {@code api.token} (made at first start)
 */
public record ApiOptions(ApiAddress address, Path tokenFile) {
    public ApiOptions {
        Objects.requireNonNull(address, "address");
    }

    /** {@code HOST:PORT} and an optional token file: the one way in for both modes. */
    public static ApiOptions parse(String address, String tokenFile) {
        return new ApiOptions(ApiAddress.parse(address), tokenFile == null ? null : Path.of(tokenFile));
    }
}
