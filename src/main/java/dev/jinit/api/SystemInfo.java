package dev.jinit.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;

/**
 * {@code GET /api/v1/system}: what a person asks first of a machine: its name, kernel, how long it
 * has been up and how busy it is, its memory and addresses, and which jinit runs it. Read from /proc
 * and the JDK at each request (cheap, and never stale).
 */
final class SystemInfo {
    private final Instant jinitStarted = Instant.now();
    private final boolean bootMode;

    SystemInfo(boolean bootMode) {
        this.bootMode = bootMode;
    }

    static String version() {
        String v = SystemInfo.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("hostname", firstLine("/proc/sys/kernel/hostname"));
        JsonObject kernel = new JsonObject();
        kernel.addProperty("name", firstLine("/proc/sys/kernel/ostype"));
        kernel.addProperty("release", firstLine("/proc/sys/kernel/osrelease"));
        kernel.addProperty("version", firstLine("/proc/sys/kernel/version"));
        kernel.addProperty("machine", System.getProperty("os.arch"));
        o.add("kernel", kernel);
        String uptime = firstLine("/proc/uptime");
        if (uptime != null) o.addProperty("uptime_seconds", Double.parseDouble(uptime.split(" ")[0]));
        String load = firstLine("/proc/loadavg");
        if (load != null) {
            String[] f = load.split(" ");
            JsonArray a = new JsonArray();
            for (int i = 0; i < 3; i++) a.add(Double.parseDouble(f[i]));
            o.add("load", a);
        }
        o.add("memory", memory());
        o.add("addresses", addresses());
        JsonObject jinit = new JsonObject();
        jinit.addProperty("version", version());
        jinit.addProperty("pid", ProcessHandle.current().pid());
        jinit.addProperty("mode", bootMode ? "boot" : "run");
        jinit.addProperty("uptime_seconds", Duration.between(jinitStarted, Instant.now()).toMillis() / 1000.0);
        jinit.addProperty("java", Runtime.version().toString());
        o.add("jinit", jinit);
        return o;
    }

    /** MemTotal, MemAvailable, SwapTotal, SwapFree from /proc/meminfo, in bytes. */
    private static JsonObject memory() {
        JsonObject m = new JsonObject();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.ISO_8859_1)) {
                String[] f = line.split("\\s+");
                String key = switch (f[0]) {
                    case "MemTotal:" -> "total_bytes";
                    case "MemAvailable:" -> "available_bytes";
                    case "SwapTotal:" -> "swap_total_bytes";
                    case "SwapFree:" -> "swap_free_bytes";
                    default -> null;
                };
                if (key != null) m.addProperty(key, Long.parseLong(f[1]) * 1024);
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/meminfo (an odd container): an empty object says "unknown"
        }
        return m;
    }

    /** Every interface that is up, with its addresses (loopback included: in a VM it is half the story). */
    private static JsonArray addresses() {
        JsonArray a = new JsonArray();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) continue;
                JsonObject n = new JsonObject();
                n.addProperty("interface", nic.getName());
                JsonArray addrs = new JsonArray();
                for (InetAddress addr : Collections.list(nic.getInetAddresses())) {
                    String s = addr.getHostAddress();
                    int zone = s.indexOf('%');
                    addrs.add(zone >= 0 ? s.substring(0, zone) : s);
                }
                n.add("addresses", addrs);
                a.add(n);
            }
        } catch (SocketException e) {
            // no interfaces readable: reported as none
        }
        return a;
    }

    private static String firstLine(String file) {
        try {
            String s = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            int nl = s.indexOf('\n');
            return (nl >= 0 ? s.substring(0, nl) : s).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
