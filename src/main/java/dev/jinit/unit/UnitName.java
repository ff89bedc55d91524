package dev.jinit.unit;

import java.util.HexFormat;

/**
 * A valid unit name, split as systemd.unit(5) does: {@code prefix@instance.suffix} for template instances,
 * {@code prefix@.suffix} for templates, {@code prefix.suffix} otherwise.
 *
 * @param name     the full name, e.g. {@code getty@tty1.service}
 * @param prefix   the part before {@code @} (or before the suffix), e.g. {@code getty}
 * @param instance the instance, e.g. {@code tty1}; empty for a template; null when not a template at all
 * @param type     the suffix without the dot: {@code service}, {@code target}, or another systemd type
 *                 ({@code socket}, {@code mount}, …) that jinit does not run but that other units may name
 */
public record UnitName(String name, String prefix, String instance, String type) {
    /** The unit types of systemd.unit(5); names of every type are valid in dependencies. */
    private static final java.util.Set<String> TYPES = java.util.Set.of("service", "socket", "device", "mount",
            "automount", "swap", "target", "path", "timer", "slice", "scope");

    /** systemd's UNIT_NAME_MAX. */
    public static final int MAX = 255;

    /**
     * Parses and validates a unit name.
     * @throws BadValueException naming the reason
     */
    public static UnitName parse(String name) {
        if (name.isEmpty()) throw new BadValueException("empty unit name");
        if (name.length() > MAX) throw new BadValueException("unit name longer than " + MAX + " characters");
        int dot = name.lastIndexOf('.');
        if (dot <= 0) throw new BadValueException("unit name " + name + " has no type suffix (like .service)");
        String type = name.substring(dot + 1);
        if (!TYPES.contains(type)) throw new BadValueException("unit name " + name + " has an unknown type suffix ." + type);
        String stem = name.substring(0, dot);
        for (int i = 0; i < stem.length(); i++) {
            char c = stem.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
            if (!ok) throw new BadValueException("invalid character '" + c + "' in unit name " + name);
        }
        int at = stem.indexOf('@');
        if (at < 0) return new UnitName(name, stem, null, type);
        if (at == 0) throw new BadValueException("unit name " + name + " has an empty prefix before '@'");
        // Like systemd, the instance may itself contain '@' (foo@a@b.service is prefix foo, instance a@b).
        return new UnitName(name, stem.substring(0, at), stem.substring(at + 1), type);
    }

    /** True for the types jinit runs (service, target, timer). */
    public boolean isSupported() {
        return type.equals("service") || type.equals("target") || type.equals("socket") || type.equals("timer");
    }

    /** @throws BadValueException when jinit does not run units of this type */
    public UnitKind kind() {
        return UnitKind.fromSuffix(type);
    }

    /** True for {@code foo@.service}. */
    public boolean isTemplate() {
        return instance != null && instance.isEmpty();
    }

    /** True for {@code foo@bar.service}. */
    public boolean isInstance() {
        return instance != null && !instance.isEmpty();
    }

    /** The template an instance is made from: {@code getty@tty1.service} → {@code getty@.service}. */
    public String templateName() {
        if (instance == null) throw new IllegalStateException(name + " is not a template instance");
        return prefix + "@." + type;
    }

    /** {@code %N}: the name without the type suffix. */
    public String withoutSuffix() {
        return name.substring(0, name.length() - type.length() - 1);
    }

    /**
     * systemd's unit-name unescaping for {@code %I} and {@code %P}: {@code \xNN} becomes that byte (names are
     * ASCII; the bytes are decoded as UTF-8). Invalid escapes are kept literally, as systemd does.
     */
    public static String unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x' && isHex(s, i + 2) && isHex(s, i + 3)) {
                out.write(HexFormat.fromHexDigits(s, i + 2, i + 4));
                i += 3;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * systemd's {@code unit_name_unescape}, used for {@code %I}, {@code %P} and {@code %J}: a plain {@code -}
     * stands for {@code /} and {@code \xNN} for that byte, so {@code postgresql@15-main} has {@code %I} =
     * {@code 15/main} while an escaped dash ({@code tty\x2d1}) stays a dash. The dashes are turned first, so
     * that a {@code \x2d} decoded afterwards is not turned again.
     */
    public static String unescapeDashes(String s) {
        return unescape(s.replace('-', '/'));
    }

    /** {@code %f}: unescaped, with dashes turned into slashes and a leading slash, as for path-based names. */
    public static String unescapePath(String s) {
        String p = unescapeDashes(s);
        return p.startsWith("/") ? p : "/" + p;
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }
}
