package dev.jinit.api;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the HTTP API listens: {@code HOST:PORT} as given to {@code --api} or {@code jinit.api=}.
 * IPv6 hosts are written in brackets ({@code [::1]:8080}), as in URLs. Port 0 asks the kernel for a
 * free port (tests); the port actually bound is written to {@code api.address} in the state directory.
 *
 * @param host the host as written (a name or a literal address)
 * @param port 0..65535
 */
public record ApiAddress(String host, int port) {
    public ApiAddress {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("API address without a host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("API port " + port + " is not in 0..65535");
    }

    /** Parses {@code HOST:PORT} or {@code [V6]:PORT}; the message names the bad value. */
    public static ApiAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':')
                throw new IllegalArgumentException("API address '" + text + "': expected [IPV6]:PORT");
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon)
                throw new IllegalArgumentException("API address '" + text + "': expected HOST:PORT (IPv6 as [ADDR]:PORT)");
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("API address '" + text + "': port '" + port + "' is not a number");
        }
        if (p < 0 || p > 65535) throw new IllegalArgumentException("API address '" + text + "': port " + p + " is not in 0..65535");
        if (host.isEmpty()) throw new IllegalArgumentException("API address '" + text + "': empty host");
        return new ApiAddress(host, p);
    }

    /**
     * Whether every address the host names is a loopback one: only then may the API run without a
     * token (nothing off this machine can reach it). A name that does not resolve is not loopback.
     */
    public boolean isLoopback() {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) if (!a.isLoopbackAddress()) return false;
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
