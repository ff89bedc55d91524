package dev.jinit.linux;

/** errno numbers and names as on Linux x86_64 (asm-generic/errno*.h). */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
            EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29,
            EROFS = 30, EPIPE = 32, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39,
            ELOOP = 40, ENOTSOCK = 88, EMSGSIZE = 90, EOPNOTSUPP = 95, EADDRINUSE = 98,
            ECONNRESET = 104, ENOBUFS = 105, ETIMEDOUT = 110, ECONNREFUSED = 111, EINPROGRESS = 115,
            EDQUOT = 122, ECANCELED = 125, EPROTO = 71, ECONNABORTED = 103;

    private static final String[] NAMES = new String[134];
    static {
        String table = """
                1 EPERM Operation not permitted
                2 ENOENT No such file or directory
                3 ESRCH No such process
                4 EINTR Interrupted system call
                5 EIO Input/output error
                6 ENXIO No such device or address
                7 E2BIG Argument list too long
                8 ENOEXEC Exec format error
                9 EBADF Bad file descriptor
                10 ECHILD No child processes
                11 EAGAIN Resource temporarily unavailable
                12 ENOMEM Cannot allocate memory
                13 EACCES Permission denied
                14 EFAULT Bad address
                15 ENOTBLK Block device required
                16 EBUSY Device or resource busy
                17 EEXIST File exists
                18 EXDEV Invalid cross-device link
                19 ENODEV No such device
                20 ENOTDIR Not a directory
                21 EISDIR Is a directory
                22 EINVAL Invalid argument
                23 ENFILE Too many open files in system
                24 EMFILE Too many open files
                25 ENOTTY Inappropriate ioctl for device
                26 ETXTBSY Text file busy
                27 EFBIG File too large
                28 ENOSPC No space left on device
                29 ESPIPE Illegal seek
                30 EROFS Read-only file system
                31 EMLINK Too many links
                32 EPIPE Broken pipe
                33 EDOM Numerical argument out of domain
                34 ERANGE Numerical result out of range
                35 EDEADLK Resource deadlock avoided
                36 ENAMETOOLONG File name too long
                37 ENOLCK No locks available
                38 ENOSYS Function not implemented
                39 ENOTEMPTY Directory not empty
                40 ELOOP Too many levels of symbolic links
                42 ENOMSG No message of desired type
                61 ENODATA No data available
                62 ETIME Timer expired
                71 EPROTO Protocol error
                75 EOVERFLOW Value too large for defined data type
                84 EILSEQ Invalid or incomplete multibyte or wide character
                88 ENOTSOCK Socket operation on non-socket
                89 EDESTADDRREQ Destination address required
                90 EMSGSIZE Message too long
                91 EPROTOTYPE Protocol wrong type for socket
                92 ENOPROTOOPT Protocol not available
                93 EPROTONOSUPPORT Protocol not supported
                94 ESOCKTNOSUPPORT Socket type not supported
                95 EOPNOTSUPP Operation not supported
                96 EPFNOSUPPORT Protocol family not supported
                97 EAFNOSUPPORT Address family not supported by protocol
                98 EADDRINUSE Address already in use
                99 EADDRNOTAVAIL Cannot assign requested address
                100 ENETDOWN Network is down
                101 ENETUNREACH Network is unreachable
                102 ENETRESET Network dropped connection on reset
                103 ECONNABORTED Software caused connection abort
                104 ECONNRESET Connection reset by peer
                105 ENOBUFS No buffer space available
                106 EISCONN Transport endpoint is already connected
                107 ENOTCONN Transport endpoint is not connected
                110 ETIMEDOUT Connection timed out
                111 ECONNREFUSED Connection refused
                112 EHOSTDOWN Host is down
                113 EHOSTUNREACH No route to host
                114 EALREADY Operation already in progress
                115 EINPROGRESS Operation now in progress
                116 ESTALE Stale file handle
                122 EDQUOT Disk quota exceeded
                125 ECANCELED Operation canceled
                """;
        for (String line : table.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ", 3);
            NAMES[Integer.parseInt(parts[0])] = parts[1] + "\u0000" + parts[2];
        }
    }

    /** The symbolic name, e.g. {@code EACCES}; {@code errno 200} for numbers not in the table. */
    public static String name(int errno) {
        String entry = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return entry == null ? "errno " + errno : entry.substring(0, entry.indexOf('\u0000'));
    }

    /** The glibc message text for the errno. */
    public static String describe(int errno) {
        String entry = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return entry == null ? "Unknown error " + errno : entry.substring(entry.indexOf('\u0000') + 1);
    }

    /** The number of a symbolic name ({@code EPERM}) or a decimal number 1..4095; -1 when it is neither. */
    public static int parse(String text) {
        String t = text.strip();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int n = t.length() > 4 ? -1 : Integer.parseInt(t);
            return n >= 1 && n <= 4095 ? n : -1;
        }
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i] != null && NAMES[i].startsWith(t + "\u0000")) return i;
        return -1;
    }
}
