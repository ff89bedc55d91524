package dev.jinit.linux;

import java.util.Locale;

/** Signal numbers and names as on Linux x86_64. */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6,
            SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
            SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
            SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
            SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31,
            SIGRTMIN = 34, SIGRTMAX = 64;

    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** {@code SIGTERM}, {@code SIGRTMIN+3}, or the number for anything else. */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) return "SIG" + NAMES[signal];
        if (signal >= SIGRTMIN && signal <= SIGRTMAX) return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (signal - SIGRTMIN);
        return Integer.toString(signal);
    }

    /**
     * Parses {@code SIGTERM}, {@code TERM}, {@code term}, {@code 15} or {@code RTMIN+3}.
     * @throws IllegalArgumentException naming the value when it is not a signal
     */
    public static int parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) s = s.substring(3);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= SIGRTMAX && n != 32 && n != 33) return n;
            throw new IllegalArgumentException("not a signal: " + text);
        }
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(s)) return i;
        if (s.equals("RTMIN")) return SIGRTMIN;
        if (s.equals("RTMAX")) return SIGRTMAX;
        if (s.startsWith("RTMIN+") || s.startsWith("RTMAX-")) {
            try {
                int n = Integer.parseInt(s.substring(6));
                int sig = s.startsWith("RTMIN+") ? SIGRTMIN + n : SIGRTMAX - n;
                if (n >= 0 && sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("not a signal: " + text);
    }
}
