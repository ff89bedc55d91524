package dev.jinit.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status page's files, served from the jar (no CDN: the page must work inside an offline VM).
 * Read once on first use and kept: together they are a few tens of kilobytes.
 */
final class StaticFiles {
    /** A file and its content type. */
    record File(byte[] bytes, String contentType) {}

    private static final String BASE = "/dev/jinit/api/web/";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/style.css", "style.css",
            "/favicon.svg", "favicon.svg");

    private final Map<String, File> cache = new ConcurrentHashMap<>();

    /** The file for a request path, or null when the path is not one of the page's. */
    File get(String path) {
        String name = FILES.get(path);
        if (name == null) return null;
        return cache.computeIfAbsent(name, StaticFiles::load);
    }

    private static File load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(BASE + name)) {
            if (in == null) throw new IllegalStateException("status page file " + BASE + name + " is missing from the jar");
            return new File(in.readAllBytes(), contentType(name));
        } catch (IOException e) {
            throw new UncheckedIOException("status page file " + name + ": " + e.getMessage(), e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        if (name.endsWith(".svg")) return "image/svg+xml";
        return "application/octet-stream";
    }
}
