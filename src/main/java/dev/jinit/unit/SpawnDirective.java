package dev.jinit.unit;

import java.nio.file.Path;

/**
 * A directive that describes how processes are spawned ({@code User=}, {@code LimitNOFILE=}, {@code
 * PrivateTmp=}, {@code Slice=}, …: every name {@link dev.jinit.exec.Directives#isSpawnDirective} accepts except
 * Environment=, StandardOutput= and StandardError=, which the model types itself), kept in file order with its
 * place so that the supervisor can apply them to each {@code ProcessSpec} with one
 * {@link dev.jinit.exec.DirectiveState} and {@code Directives.finish}, and name the place if that fails. The
 * value syntax was already checked at load; specifiers are expanded.
 */
public record SpawnDirective(String key, String value, Path file, int line) {
    public String where() {
        return file + ":" + line;
    }
}
