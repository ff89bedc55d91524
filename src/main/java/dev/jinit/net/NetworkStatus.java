package dev.jinit.net;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;

/**
 * The network's state as a JSON file in the state directory ({@code network.json}), rewritten
 * atomically by the network thread on every change, read by {@code jinit network}: the network part
 * is optional and runs beside the manager, so its state does not travel through the manager's
 * control protocol. Times are wall-clock ISO-8601 so a reader in another process can use them.
 */
public final class NetworkStatus {
    private NetworkStatus() {}

    /** One link's entry. */
    static JsonObject link(Link link, NetworkConfig config, DhcpClient dhcp, boolean ready, Instant carrierLostAt,
                           long monotonicNow, Instant wallNow) {
        JsonObject o = new JsonObject();
        o.addProperty("name", link.name());
        o.addProperty("index", link.index());
        o.addProperty("config", config.source());
        o.addProperty("configured", ready);
        o.addProperty("carrier", link.carrier());
        o.addProperty("mtu", link.mtu());
        JsonArray addrs = new JsonArray();
        for (NetworkConfig.Prefixed a : config.network().addresses()) addrs.add(a.toString());
        o.add("static_addresses", addrs);
        if (dhcp != null) {
            DhcpMachine m = dhcp.machine();
            JsonObject d = new JsonObject();
            d.addProperty("state", m.state().name());
            Lease l = m.lease();
            if (l != null) {
                d.addProperty("address", l.address() + "/" + l.prefix());
                d.addProperty("gateway", l.gateway() == null ? null : l.gateway().toString());
                JsonArray dns = new JsonArray();
                l.dns().forEach(x -> dns.add(x.toString()));
                d.add("dns", dns);
                d.addProperty("domain", l.domain());
                d.addProperty("hostname", l.hostname());
                d.addProperty("server", l.server().toString());
                d.addProperty("lease_seconds", l.leaseSeconds());
                d.addProperty("renew_at", wallNow.plusMillis(m.renewAt() - monotonicNow).toString());
                d.addProperty("rebind_at", wallNow.plusMillis(m.rebindAt() - monotonicNow).toString());
                d.addProperty("expires_at", wallNow.plusMillis(m.expiresAt() - monotonicNow).toString());
                if (l.mtu() > 0) d.addProperty("mtu", l.mtu());
                if (carrierLostAt != null) d.addProperty("kept_without_carrier_since", carrierLostAt.toString());
            }
            d.add("dropped", counts(m.dropped()));
            d.add("malformed", counts(dhcp.malformed()));
            d.add("replies", counts(dhcp.delivered()));
            o.add("dhcp", d);
        }
        return o;
    }

    private static JsonObject counts(Map<String, Integer> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }

    static void write(Path file, boolean online, JsonArray links) throws IOException {
        JsonObject root = new JsonObject();
        root.addProperty("online", online);
        root.add("links", links);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(tmp, root.toString() + "\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Human lines for {@code jinit network}: one per link. */
    public static String render(String json, Instant now) {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        StringBuilder b = new StringBuilder("network: " + (root.get("online").getAsBoolean() ? "online" : "configuring") + "\n");
        for (var e : root.getAsJsonArray("links")) {
            JsonObject l = e.getAsJsonObject();
            b.append(l.get("name").getAsString()).append(": ");
            b.append(l.get("configured").getAsBoolean() ? "configured" : "configuring");
            b.append(l.get("carrier").getAsBoolean() ? ", carrier" : ", no carrier");
            for (var a : l.getAsJsonArray("static_addresses")) b.append(", ").append(a.getAsString());
            if (l.has("dhcp")) {
                JsonObject d = l.getAsJsonObject("dhcp");
                b.append(", DHCP ").append(d.get("state").getAsString());
                if (d.has("address")) {
                    b.append(" ").append(d.get("address").getAsString());
                    if (d.has("gateway") && !d.get("gateway").isJsonNull()) b.append(" via ").append(d.get("gateway").getAsString());
                    b.append(" from ").append(d.get("server").getAsString());
                    if (d.getAsJsonArray("dns").size() > 0) b.append(", dns ").append(d.getAsJsonArray("dns").toString().replaceAll("[\\[\\]\"]", ""));
                    b.append(", renew in ").append(secondsUntil(d.get("renew_at").getAsString(), now))
                            .append(", expires in ").append(secondsUntil(d.get("expires_at").getAsString(), now));
                    if (d.has("kept_without_carrier_since"))
                        b.append(", kept without carrier since ").append(d.get("kept_without_carrier_since").getAsString());
                }
            }
            b.append(" (").append(l.get("config").getAsString()).append(")\n");
        }
        return b.toString();
    }

    /**
     * One line for {@code jinit status}: each configured link with its lease (address, server, time
     * left) or its state, e.g. {@code network: online; eth0 10.0.2.15/24 from 10.0.2.2, lease left 86395 s}.
     */
    public static String summary(String json, Instant now) {
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        StringBuilder b = new StringBuilder("network: " + (root.get("online").getAsBoolean() ? "online" : "configuring"));
        String sep = "; ";
        for (var e : root.getAsJsonArray("links")) {
            JsonObject l = e.getAsJsonObject();
            b.append(sep).append(l.get("name").getAsString());
            sep = ", ";
            for (var a : l.getAsJsonArray("static_addresses")) b.append(" ").append(a.getAsString());
            if (l.has("dhcp")) {
                JsonObject d = l.getAsJsonObject("dhcp");
                if (d.has("address")) {
                    b.append(" ").append(d.get("address").getAsString()).append(" from ").append(d.get("server").getAsString())
                            .append(", lease left ").append(secondsUntil(d.get("expires_at").getAsString(), now));
                    if (d.has("kept_without_carrier_since")) b.append(" (no carrier)");
                } else {
                    b.append(" DHCP ").append(d.get("state").getAsString());
                }
            }
            if (!l.get("carrier").getAsBoolean() && !(l.has("dhcp") && l.getAsJsonObject("dhcp").has("kept_without_carrier_since")))
                b.append(" (no carrier)");
        }
        return b.toString();
    }

    private static String secondsUntil(String iso, Instant now) {
        return Math.max(0, java.time.Duration.between(now, Instant.parse(iso)).toSeconds()) + " s";
    }
}
