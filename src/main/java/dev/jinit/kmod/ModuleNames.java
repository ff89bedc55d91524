package dev.jinit.kmod;

/**
 * kmod's spelling rules: {@code virtio-net} and {@code virtio_net} are the same module, and a file
 * {@code kernel/fs/ext4/ext4.ko.xz} is the module {@code ext4}.
 */
public final class ModuleNames {
    private ModuleNames() {}

    /** kmod's modname_normalize: dashes become underscores, and the name ends at the first dot. */
    public static String normalize(String name) {
        int dot = name.indexOf('.');
        String base = dot < 0 ? name : name.substring(0, dot);
        return base.replace('-', '_');
    }

    /** The module a file holds: its base name, without the {@code .ko} and any compression suffix. */
    public static String ofPath(String path) {
        int slash = path.lastIndexOf('/');
        return normalize(path.substring(slash + 1));
    }

    /**
     * kmod's alias_normalize: dashes become underscores except inside a {@code [...]} class, where a
     * dash is a range. Applied to both the pattern and the alias looked up, so either spelling matches.
     */
    static String normalizeAlias(String alias) {
        StringBuilder out = new StringBuilder(alias.length());
        boolean inClass = false;
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '[') inClass = true;
            else if (c == ']') inClass = false;
            else if (c == '-' && !inClass) c = '_';
            out.append(c);
        }
        return out.toString();
    }
}
