package dev.jinit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The state machine on a fake clock against a scripted server that may answer, stay silent, refuse or
 * move the client; its promises are checked after every step.
 */
class DhcpMachineProperties {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    static final Ipv4 SERVER = Ipv4.parse("10.0.0.1");

    /** How the server behaves for a while, and for how long the test lets time run. */
    record Step(Behaviour behaviour, long advanceMillis, long leaseSeconds, int hostByte, boolean carrierBack) {}

    enum Behaviour { ANSWER, SILENT, NAK, GARBAGE }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.of(Behaviour.class), Arbitraries.longs().between(0, 400_000),
                Arbitraries.longs().between(1, 600), Arbitraries.integers().between(2, 9),
                Arbitraries.of(false, false, false, true)).as(Step::new);
    }

    /** A server: answers what the machine sends according to the current behaviour. */
    static DhcpMessage answer(DhcpMessage m, Step s) {
        int type = m.type();
        if (s.behaviour() == Behaviour.SILENT || type == DhcpMessage.RELEASE) return null;
        Ipv4 offered = new Ipv4(0x0a000000 | s.hostByte());
        DhcpOptions.Builder o = DhcpOptions.builder().putAddress(DhcpOptions.SERVER_ID, SERVER);
        if (s.behaviour() == Behaviour.NAK && type == DhcpMessage.REQUEST)
            return reply(m, Ipv4.ANY, o.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.NAK).build(), m.xid());
        o.putInt(DhcpOptions.LEASE_TIME, s.leaseSeconds()).putAddress(DhcpOptions.SUBNET_MASK, Ipv4.mask(24))
                .putAddress(DhcpOptions.ROUTER, SERVER);
        int xid = s.behaviour() == Behaviour.GARBAGE ? m.xid() + 1 : m.xid();
        return switch (type) {
            case DhcpMessage.DISCOVER -> reply(m, offered, o.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.OFFER).build(), xid);
            case DhcpMessage.REQUEST -> {
                Ipv4 requested = m.options().address(DhcpOptions.REQUESTED_IP).orElse(m.ciaddr());
                yield reply(m, s.hostByte() % 3 == 0 ? offered : requested,
                        o.putByte(DhcpOptions.MESSAGE_TYPE, DhcpMessage.ACK).build(), xid);
            }
            default -> null;
        };
    }

    static DhcpMessage reply(DhcpMessage m, Ipv4 yiaddr, DhcpOptions o, int xid) {
        return new DhcpMessage(DhcpMessage.BOOTREPLY, xid, 0, false, Ipv4.ANY, yiaddr, SERVER, Ipv4.ANY, MAC, o);
    }

    /** Follows the Bind/Unbind effects: the lease the driver would have configured. */
    static final class Applied {
        Lease held;

        void apply(List<DhcpMachine.Effect> effects, List<DhcpMessage> sent) {
            for (DhcpMachine.Effect e : effects) {
                switch (e) {
                    case DhcpMachine.Effect.Bind b -> {
                        assertEquals(held, b.previous(), "a Bind refreshes exactly the lease held");
                        held = b.lease();
                    }
                    case DhcpMachine.Effect.Unbind u -> {
                        assertNotNull(held, "Unbind without a lease");
                        assertEquals(held, u.lease());
                        held = null;
                    }
                    case DhcpMachine.Effect.Send s -> sent.add(s.message());
                }
            }
        }
    }

    @Property(tries = 300)
    void promisesHoldWhateverTheServerDoes(@ForAll @Size(min = 1, max = 25) List<@From("steps") Step> steps,
                                           @ForAll long seed, @ForAll boolean remembered) {
        DhcpMachine m = new DhcpMachine(new DhcpSettings(MAC, DhcpSettings.macClientId(MAC), "h"), new Random(seed));
        Applied applied = new Applied();
        long now = 1_000_000;
        List<DhcpMessage> outbox = new ArrayList<>();
        applied.apply(m.start(now, remembered ? Ipv4.parse("10.0.0.7") : null), outbox);
        for (Step step : steps) {
            long end = now + step.advanceMillis();
            if (step.carrierBack()) {
                // The link lost and regained its carrier: INIT-REBOOT with the lease kept meanwhile.
                Lease before = m.lease();
                applied.apply(m.carrierBack(now), outbox);
                assertEquals(before, m.lease(), "a carrier coming back keeps the lease until the server says otherwise");
                if (before != null) {
                    assertEquals(DhcpMachine.State.REBOOTING, m.state());
                    DhcpMessage req = outbox.getLast();
                    assertEquals(DhcpMessage.REQUEST, req.type());
                    assertEquals(before.address(), req.options().address(DhcpOptions.REQUESTED_IP).orElseThrow());
                    assertTrue(req.ciaddr().isAny() && !req.options().has(DhcpOptions.SERVER_ID), "INIT-REBOOT as table 5 has it");
                }
                check(m, applied, now);
            }
            while (true) {
                // The server answers at once (in the same millisecond) what was sent.
                while (!outbox.isEmpty()) {
                    DhcpMessage reply = answer(outbox.removeFirst(), step);
                    if (reply != null) applied.apply(m.receive(now, reply), new ArrayList<>(List.of()));
                    check(m, applied, now);
                }
                long due = m.deadline();
                if (due > end) break;
                now = Math.max(now, due);
                DhcpMachine.State before = m.state();
                long t1 = m.renewAt(), t2 = m.rebindAt(), expiry = m.expiresAt();
                applied.apply(m.tick(now), outbox);
                DhcpMachine.State after = m.state();
                if (before == DhcpMachine.State.BOUND && after == DhcpMachine.State.RENEWING) assertTrue(now >= t1);
                if (after == DhcpMachine.State.REBINDING && before != after) assertTrue(now >= t2 && t1 < t2);
                if (before != after && applied.held == null && expiry != Long.MAX_VALUE && before.compareTo(DhcpMachine.State.BOUND) >= 0)
                    assertTrue(now >= expiry || after == DhcpMachine.State.STOPPED, "lost the address before expiry without a NAK");
                check(m, applied, now);
            }
            now = end;
            check(m, applied, now);
        }
        applied.apply(m.stop(now, true), outbox);
        assertNull(applied.held, "stop leaves no address behind");
    }

    private static void check(DhcpMachine m, Applied applied, long now) {
        assertEquals(applied.held, m.lease(), "effects and machine agree on the lease");
        if (m.lease() != null) {
            assertTrue(now < m.expiresAt(), "holds an address at or past expiry");
            if (m.lease().renewSeconds() > 0) assertTrue(m.renewAt() < m.rebindAt() && m.rebindAt() < m.expiresAt());
            assertTrue(m.deadline() <= m.expiresAt(), "next wake-up after expiry");
        }
    }

    @Test
    void discoverRetransmissionsBackOffExponentiallyWithJitter() {
        DhcpMachine m = new DhcpMachine(new DhcpSettings(MAC, DhcpSettings.macClientId(MAC), null), new Random(1));
        long now = 0;
        m.start(now, null);
        long[] bases = {4, 8, 16, 32, 64, 64, 64};
        for (long base : bases) {
            long wait = m.deadline() - now;
            assertTrue(wait >= base * 1000 - 1000 && wait <= base * 1000 + 1000, base + " s expected, got " + wait + " ms");
            now = m.deadline();
            List<DhcpMachine.Effect> e = m.tick(now);
            assertEquals(1, e.size());
            DhcpMessage sent = ((DhcpMachine.Effect.Send) e.getFirst()).message();
            assertEquals(DhcpMessage.DISCOVER, sent.type());
            assertEquals(DhcpMachine.State.SELECTING, m.state());
        }
    }

    @Test
    void renewsByUnicastAndRebindsByBroadcast() {
        DhcpMachine m = new DhcpMachine(new DhcpSettings(MAC, DhcpSettings.macClientId(MAC), null), new Random(2));
        Step answer = new Step(Behaviour.ANSWER, 0, 1000, 5, false);
        List<DhcpMessage> out = new ArrayList<>();
        Applied applied = new Applied();
        applied.apply(m.start(0, null), out);
        applied.apply(m.receive(0, answer(out.removeLast(), answer)), out);
        applied.apply(m.receive(0, answer(out.removeLast(), answer)), out);
        assertEquals(DhcpMachine.State.BOUND, m.state());
        assertEquals(500_000, m.deadline(), "T1 is half the lease");
        List<DhcpMachine.Effect> renew = m.tick(500_000);
        DhcpMachine.Effect.Send s = (DhcpMachine.Effect.Send) renew.getFirst();
        assertEquals(SERVER, s.destination());
        assertEquals(Ipv4.parse("10.0.0.5"), s.message().ciaddr());
        assertEquals(false, s.message().options().has(DhcpOptions.SERVER_ID), "no server id when renewing (table 5)");
        m.tick(m.deadline());
        while (m.state() == DhcpMachine.State.RENEWING) m.tick(m.deadline());
        assertEquals(DhcpMachine.State.REBINDING, m.state());
        assertEquals(875_000, m.rebindAt());
        List<DhcpMachine.Effect> last = List.of();
        while (m.lease() != null) last = m.tick(m.deadline());
        assertTrue(last.getFirst() instanceof DhcpMachine.Effect.Unbind u && u.reason().equals("lease expired"), last.toString());
        assertEquals(DhcpMachine.State.SELECTING, m.state());
    }
}
