package dev.jinit.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The DHCPv4 client state machine of RFC 2131 (figure 5), pure: time comes in as an argument, what to
 * do goes out as {@link Effect}s, randomness comes from the caller. So it runs on a fake clock in
 * tests, and the driver ({@link DhcpClient}) only moves packets and applies effects.
 *
 * <p>The driver calls {@link #tick} whenever {@link #deadline()} has come. The machine keeps three
 * promises that its property tests check: it never holds an address at or past the lease's expiry;
 * it renews (T1) before it rebinds (T2) before the lease expires; and every lease it reports bound is
 * reported unbound before another takes its place.
 */
public final class DhcpMachine {
    public enum State { INIT, SELECTING, REQUESTING, REBOOTING, BOUND, RENEWING, REBINDING, STOPPED }

    /** What the driver must do. */
    public sealed interface Effect {
        /** Send {@code message} to {@code destination}: {@link Ipv4#BROADCAST}, or a server's address (unicast). */
        record Send(DhcpMessage message, Ipv4 destination) implements Effect {}
        /** Configure the lease (address, routes, DNS); {@code previous} is the lease it refreshes, or null. */
        record Bind(Lease lease, Lease previous) implements Effect {}
        /** Remove the lease's address and routes. */
        record Unbind(Lease lease, String reason) implements Effect {}
    }

    /** RFC 2131 section 4.1: 4, 8, 16, 32, 64 seconds, each randomised by up to one second either way. */
    static final long FIRST_RETRY_MS = 4_000, MAX_RETRY_MS = 64_000, JITTER_MS = 1_000;
    /** Retransmissions of a REQUEST before going back to INIT (after OFFER), or giving up a remembered lease. */
    static final int REQUEST_ATTEMPTS = 5, REBOOT_ATTEMPTS = 2;
    /** Section 4.4.5: in RENEWING and REBINDING, wait half the time left, but no less than 60 seconds. */
    static final long MIN_RENEW_RETRY_MS = 60_000;

    private final DhcpSettings settings;
    private final RandomGenerator random;
    private final Map<String, Integer> dropped = new TreeMap<>();

    private State state = State.STOPPED;
    private int xid;
    private long exchangeStart;     // when the current exchange's first message went out (the secs field)
    private int attempt;            // retransmissions so far in this exchange
    private long deadline = Long.MAX_VALUE;
    private DhcpMessage offer;      // the offer being requested
    private Ipv4 requested;         // INIT-REBOOT: the remembered address
    private Lease lease;            // the lease held (BOUND, RENEWING, REBINDING)
    private long leaseStart;        // when the request that obtained it went out
    private int naks;               // NAKs in a row, for the restart delay

    public DhcpMachine(DhcpSettings settings, RandomGenerator random) {
        this.settings = settings;
        this.random = random;
    }

    public State state() {
        return state;
    }

    /** The lease held, or null. */
    public Lease lease() {
        return lease;
    }

    public long leaseStart() {
        return leaseStart;
    }

    /** When {@link #tick} must next be called; {@link Long#MAX_VALUE} when nothing is due. */
    public long deadline() {
        return deadline;
    }

    /** Replies dropped, by reason (wrong xid, not for us, invalid offer...): for status and tests. */
    public Map<String, Integer> dropped() {
        return Map.copyOf(dropped);
    }

    public long renewAt() {
        return lease == null ? Long.MAX_VALUE : leaseStart + lease.renewSeconds() * 1000;
    }

    public long rebindAt() {
        return lease == null ? Long.MAX_VALUE : leaseStart + lease.rebindSeconds() * 1000;
    }

    public long expiresAt() {
        return lease == null ? Long.MAX_VALUE : leaseStart + lease.leaseSeconds() * 1000;
    }

    /**
     * Starts: with a remembered address, INIT-REBOOT (RFC 2131 section 3.2: request it again, no
     * server identifier); otherwise discovery. RFC 2131 suggests waiting 1 to 10 s first to spread a
     * power-cut's clients; like networkd, jinit does not, since one machine boots alone.
     */
    public List<Effect> start(long now, Ipv4 remembered) {
        List<Effect> out = new ArrayList<>();
        if (remembered != null && !remembered.isAny()) {
            requested = remembered;
            newExchange(now);
            state = State.REBOOTING;
            out.add(send(request(now, null, remembered, Ipv4.ANY), Ipv4.BROADCAST));
            deadline = now + backoff(0);
        } else {
            discover(now, out);
        }
        return out;
    }

    /**
     * The link's carrier came back after a loss (the cable, the switch port, a VM's link): the client
     * may be on another network now. With a lease, INIT-REBOOT (RFC 2131 section 3.7; RFC 4436's
     * reasoning): REQUEST the leased address again, keeping it meanwhile; an ACK refreshes it, a NAK
     * removes it and starts discovery, silence leaves the lease to its own T1/T2/expiry. Without a
     * lease, discovery starts again at once instead of at the next retransmission.
     */
    public List<Effect> carrierBack(long now) {
        List<Effect> out = new ArrayList<>();
        if (state == State.STOPPED) return out;
        if (lease == null) {
            requested = null;
            discover(now, out);
            return out;
        }
        requested = lease.address();
        offer = null;
        newExchange(now);
        state = State.REBOOTING;
        out.add(send(request(now, null, requested, Ipv4.ANY), Ipv4.BROADCAST));
        deadline = Math.min(now + backoff(0), expiresAt());
        return out;
    }

    /** Stops the client: with {@code release}, DHCPRELEASE to the server (RFC 2131 section 4.4.6). */
    public List<Effect> stop(long now, boolean release) {
        List<Effect> out = new ArrayList<>();
        if (lease != null) {
            if (release) {
                DhcpOptions o = base(DhcpMessage.RELEASE).putAddress(DhcpOptions.SERVER_ID, lease.server()).build();
                out.add(send(message(newXid(), 0, lease.address(), o), lease.server()));
            }
            out.add(new Effect.Unbind(lease, release ? "released" : "stopped"));
            lease = null;
        }
        state = State.STOPPED;
        deadline = Long.MAX_VALUE;
        return out;
    }

    /** The time has come for a retransmission, T1, T2 or expiry. */
    public List<Effect> tick(long now) {
        List<Effect> out = new ArrayList<>();
        if (now < deadline) return out;
        // Expiry first: whatever else is pending, an expired address goes (section 4.4.5).
        if (lease != null && now >= expiresAt()) {
            out.add(new Effect.Unbind(lease, "lease expired"));
            lease = null;
            discover(now, out);
            return out;
        }
        switch (state) {
            case INIT -> discover(now, out);
            case SELECTING -> {
                attempt++;
                out.add(send(discoverMessage(now), Ipv4.BROADCAST));
                deadline = now + backoff(attempt);
            }
            case REQUESTING -> {
                if (++attempt >= REQUEST_ATTEMPTS) {
                    drop("no answer to DHCPREQUEST");
                    discover(now, out);
                } else {
                    out.add(send(selectingRequest(now), Ipv4.BROADCAST));
                    deadline = now + backoff(attempt);
                }
            }
            case REBOOTING -> {
                if (++attempt >= REBOOT_ATTEMPTS) {
                    requested = null;
                    if (lease != null) {
                        // No answer after a carrier loss: the lease still stands until its own T1/T2/expiry.
                        state = State.BOUND;
                        long next = lease.renewSeconds() == 0 ? expiresAt() : renewAt();
                        deadline = Math.max(now, next);
                        if (now >= next) out.addAll(tick(now));
                    } else {
                        discover(now, out);
                    }
                } else {
                    out.add(send(request(now, null, requested, Ipv4.ANY), Ipv4.BROADCAST));
                    deadline = lease == null ? now + backoff(attempt) : Math.min(now + backoff(attempt), expiresAt());
                }
            }
            case BOUND -> {
                if (now >= rebindAt()) rebind(now, out);
                else {
                    // T1: unicast to the server that granted the lease.
                    state = State.RENEWING;
                    newExchange(now);
                    renewStep(now, out);
                }
            }
            case RENEWING -> {
                if (now >= rebindAt()) rebind(now, out);
                else renewStep(now, out);
            }
            case REBINDING -> rebindStep(now, out);
            case STOPPED -> deadline = Long.MAX_VALUE;
        }
        return out;
    }

    /** A reply arrived (already decoded; the driver counts undecodable packets itself). */
    public List<Effect> receive(long now, DhcpMessage m) {
        List<Effect> out = new ArrayList<>();
        if (m.op() != DhcpMessage.BOOTREPLY) return dropped("not a BOOTREPLY", out);
        if (m.xid() != xid) return dropped("wrong xid", out);
        if (!m.chaddr().equals(settings.mac())) return dropped("not our hardware address", out);
        int type = m.type();
        switch (state) {
            case SELECTING -> {
                if (type != DhcpMessage.OFFER) return dropped("unexpected " + DhcpMessage.typeName(type) + " in SELECTING", out);
                try {
                    Lease.fromAck(m);
                } catch (Lease.Refused e) {
                    return dropped("invalid offer: " + e.getMessage(), out);
                }
                offer = m;
                state = State.REQUESTING;
                attempt = 0;
                out.add(send(selectingRequest(now), Ipv4.BROADCAST));
                deadline = now + backoff(0);
            }
            case REQUESTING, REBOOTING, RENEWING, REBINDING -> {
                if (type == DhcpMessage.NAK) return nak(now, m, out);
                if (type != DhcpMessage.ACK) return dropped("unexpected " + DhcpMessage.typeName(type) + " in " + state, out);
                Lease granted;
                try {
                    granted = Lease.fromAck(m);
                } catch (Lease.Refused e) {
                    return dropped("invalid ACK: " + e.getMessage(), out);
                }
                Lease previous = lease;
                if (previous != null && !previous.address().equals(granted.address())) {
                    // A renewal that moved us: the old address goes before the new one comes.
                    out.add(new Effect.Unbind(previous, "server assigned " + granted.address()));
                    previous = null;
                }
                lease = granted;
                leaseStart = exchangeStart;
                naks = 0;
                offer = null;
                requested = null;
                if (now >= expiresAt()) {
                    // Granted for less time than the exchange took: expired on arrival.
                    lease = null;
                    if (previous != null) out.add(new Effect.Unbind(previous, "lease expired"));
                    drop("lease expired on arrival");
                    discover(now, out);
                    return out;
                }
                out.add(new Effect.Bind(granted, previous));
                state = State.BOUND;
                deadline = granted.renewSeconds() == 0 ? expiresAt() : renewAt();
            }
            default -> {
                return dropped(DhcpMessage.typeName(type) + " in " + state, out);
            }
        }
        return out;
    }

    // ---- steps

    private List<Effect> nak(long now, DhcpMessage m, List<Effect> out) {
        // A NAK must come from the server we talk to when we know it (RFC 2131 4.3.2 leaves strays to be ignored).
        Ipv4 from = m.options().address(DhcpOptions.SERVER_ID).orElse(null);
        Ipv4 expected = lease != null ? lease.server()
                : offer != null ? offer.options().address(DhcpOptions.SERVER_ID).orElse(null) : null;
        if (expected != null && from != null && !expected.equals(from)) return dropped("DHCPNAK from another server", out);
        if (lease != null) out.add(new Effect.Unbind(lease, "DHCPNAK" + m.options().string(DhcpOptions.MESSAGE).map(s -> ": " + s).orElse("")));
        lease = null;
        requested = null;
        offer = null;
        // Restart at once after a first NAK; a server that keeps refusing is asked less and less often.
        long delay = naks == 0 ? 0 : Math.min(MAX_RETRY_MS, 1000L << Math.min(naks, 6));
        naks++;
        state = State.INIT;
        xid = newXid(); // replies to the refused exchange are strays from now on
        deadline = now + delay;
        if (delay == 0) out.addAll(tick(now));
        return out;
    }

    private void discover(long now, List<Effect> out) {
        newExchange(now);
        offer = null;
        state = State.SELECTING;
        out.add(send(discoverMessage(now), Ipv4.BROADCAST));
        deadline = now + backoff(0);
    }

    private void renewStep(long now, List<Effect> out) {
        out.add(send(request(now, null, null, lease.address()), lease.server()));
        deadline = Math.min(rebindAt(), now + Math.max(MIN_RENEW_RETRY_MS, (rebindAt() - now) / 2));
    }

    private void rebind(long now, List<Effect> out) {
        state = State.REBINDING;
        newExchange(now);
        rebindStep(now, out);
    }

    private void rebindStep(long now, List<Effect> out) {
        out.add(send(request(now, null, null, lease.address()), Ipv4.BROADCAST));
        deadline = Math.min(expiresAt(), now + Math.max(MIN_RENEW_RETRY_MS, (expiresAt() - now) / 2));
    }

    private void newExchange(long now) {
        xid = newXid();
        exchangeStart = now;
        attempt = 0;
    }

    private long backoff(int attempt) {
        long base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt, 4));
        return base + random.nextLong(-JITTER_MS, JITTER_MS + 1);
    }

    private int newXid() {
        return random.nextInt();
    }

    private List<Effect> dropped(String reason, List<Effect> out) {
        drop(reason);
        return out;
    }

    private void drop(String reason) {
        dropped.merge(reason, 1, Integer::sum);
    }

    // ---- messages

    private DhcpMessage discoverMessage(long now) {
        return message(xid, secs(now), Ipv4.ANY, withRequestOptions(base(DhcpMessage.DISCOVER)).build());
    }

    private DhcpMessage selectingRequest(long now) {
        Ipv4 server = offer.options().address(DhcpOptions.SERVER_ID).orElseThrow();
        return request(now, server, offer.yiaddr(), Ipv4.ANY);
    }

    /**
     * A DHCPREQUEST as table 5 of RFC 2131 has it: after an offer, with the server identifier and the
     * requested address; in INIT-REBOOT, the requested address only; renewing and rebinding, neither,
     * with the address in ciaddr.
     */
    private DhcpMessage request(long now, Ipv4 server, Ipv4 requestedAddress, Ipv4 ciaddr) {
        DhcpOptions.Builder o = base(DhcpMessage.REQUEST);
        if (server != null) o.putAddress(DhcpOptions.SERVER_ID, server);
        if (requestedAddress != null) o.putAddress(DhcpOptions.REQUESTED_IP, requestedAddress);
        return message(xid, secs(now), ciaddr, withRequestOptions(o).build());
    }

    private DhcpOptions.Builder base(int type) {
        return DhcpOptions.builder().putByte(DhcpOptions.MESSAGE_TYPE, type).put(DhcpOptions.CLIENT_ID, settings.clientId());
    }

    private DhcpOptions.Builder withRequestOptions(DhcpOptions.Builder o) {
        o.putShort(DhcpOptions.MAX_MESSAGE_SIZE, DhcpCodec.MAXIMUM).put(DhcpOptions.PARAMETER_REQUEST, DhcpSettings.PARAMETERS);
        if (settings.hostname() != null) o.putString(DhcpOptions.HOSTNAME, settings.hostname());
        return o;
    }

    private DhcpMessage message(int xid, int secs, Ipv4 ciaddr, DhcpOptions options) {
        // No broadcast flag: the packet socket receives unicast replies before the address is set,
        // so the server may answer either way (dnsmasq unicasts, udhcpd broadcasts when asked).
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, xid, secs, false, ciaddr, Ipv4.ANY, Ipv4.ANY, Ipv4.ANY,
                settings.mac(), options);
    }

    private int secs(long now) {
        return (int) Math.min(0xffff, Math.max(0, (now - exchangeStart) / 1000));
    }

    private static Effect send(DhcpMessage m, Ipv4 to) {
        return new Effect.Send(m, to);
    }
}
