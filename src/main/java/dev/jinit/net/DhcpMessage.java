package dev.jinit.net;

/**
 * A DHCP message (RFC 2131 section 2): the fixed BOOTP fields jinit uses and the options. The
 * {@code sname} and {@code file} fields are not kept (jinit boots from no server) except as a place
 * for options when a server overloads them (option 52), which the codec reads.
 */
public record DhcpMessage(int op, int xid, int secs, boolean broadcast, Ipv4 ciaddr, Ipv4 yiaddr, Ipv4 siaddr,
                          Ipv4 giaddr, MacAddress chaddr, DhcpOptions options) {
    public static final int BOOTREQUEST = 1, BOOTREPLY = 2;
    public static final int DISCOVER = 1, OFFER = 2, REQUEST = 3, DECLINE = 4, ACK = 5, NAK = 6, RELEASE = 7, INFORM = 8;

    public DhcpMessage {
        if (op != BOOTREQUEST && op != BOOTREPLY) throw new IllegalArgumentException("BOOTP op " + op);
        if (secs < 0 || secs > 0xffff) throw new IllegalArgumentException("secs out of range: " + secs);
        if (chaddr.length() > 16) throw new IllegalArgumentException("chaddr longer than 16 bytes");
    }

    public int type() {
        return options.messageType();
    }

    public static String typeName(int type) {
        return switch (type) {
            case DISCOVER -> "DHCPDISCOVER";
            case OFFER -> "DHCPOFFER";
            case REQUEST -> "DHCPREQUEST";
            case DECLINE -> "DHCPDECLINE";
            case ACK -> "DHCPACK";
            case NAK -> "DHCPNAK";
            case RELEASE -> "DHCPRELEASE";
            case INFORM -> "DHCPINFORM";
            default -> "DHCP type " + type;
        };
    }
}
