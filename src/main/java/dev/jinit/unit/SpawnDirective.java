package dev.jinit.unit;

import java.nio.file.Path;

/**
 * A directive that describes how processes are spawned ({@code User=}, {@code LimitNOFILE=}, {@code
 * PrivateTmp=}, …), kept in file order with its place so that the supervisor can apply it to each
 * {@code ProcessSpec} (through {@code exec.Directives}) and name the place if that fails. Specifiers are already
 * expanded in {@code value}.
 */
public record SpawnDirective(String key, String value, Path file, int line) {
    public String where() {
        return file + ":" + line;
    }
}
