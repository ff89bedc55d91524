package dev.jinit.net;

import java.util.Arrays;

/**
 * One netlink message: the 16-byte {@code nlmsghdr} fields and the payload that follows it (for
 * rtnetlink, a fixed family header such as {@code ifinfomsg} and then attributes).
 */
public record NetlinkMessage(int type, int flags, int sequence, int portId, byte[] payload) {
    public static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    public static final int NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP_INTR = 0x10,
            NLM_F_DUMP = 0x300, NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400,
            /** On an NLMSG_ERROR: the request was not echoed in full; extended-ack attributes follow. */
            NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    public NetlinkMessage {
        if ((type & ~0xffff) != 0) throw new IllegalArgumentException("netlink type out of range: " + type);
        if ((flags & ~0xffff) != 0) throw new IllegalArgumentException("netlink flags out of range: " + flags);
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.type == type && m.flags == flags && m.sequence == sequence
                && m.portId == portId && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + sequence) * 31 + portId + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + sequence
                + ", port=" + portId + ", " + payload.length + " bytes]";
    }
}
