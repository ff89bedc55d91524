package dev.jinit.kmod;

/**
 * The fnmatch(3) subset modules.alias patterns use: {@code *}, {@code ?} and {@code [...]} classes
 * (with ranges and {@code !}/{@code ^} negation). Device aliases such as
 * {@code pci:v00001AF4d00001000sv*sd*bc*sc*i*} are matched this way, as kmod does.
 */
final class Glob {
    private Glob() {}

    static boolean matches(String pattern, String text) {
        return match(pattern, 0, text, 0);
    }

    private static boolean match(String p, int pi, String t, int ti) {
        // Iterative with one backtrack point for the last '*': linear enough for alias strings.
        int starP = -1, starT = -1;
        while (ti < t.length()) {
            if (pi < p.length()) {
                char c = p.charAt(pi);
                if (c == '*') {
                    starP = pi++;
                    starT = ti;
                    continue;
                }
                if (c == '?') {
                    pi++;
                    ti++;
                    continue;
                }
                if (c == '[') {
                    int end = classEnd(p, pi);
                    if (end > 0) {
                        if (classMatches(p, pi + 1, end, t.charAt(ti))) {
                            pi = end + 1;
                            ti++;
                            continue;
                        }
                    } else if (t.charAt(ti) == '[') { // an unterminated '[' is a literal, as in fnmatch
                        pi++;
                        ti++;
                        continue;
                    }
                } else if (c == t.charAt(ti)) {
                    pi++;
                    ti++;
                    continue;
                }
            }
            if (starP < 0) return false;
            pi = starP + 1;
            ti = ++starT;
        }
        while (pi < p.length() && p.charAt(pi) == '*') pi++;
        return pi == p.length();
    }

    /** Index of the ']' closing the class opened at {@code open}, or -1. A ']' first in the class is literal. */
    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++;
        for (; i < p.length(); i++) if (p.charAt(i) == ']') return i;
        return -1;
    }

    private static boolean classMatches(String p, int from, int end, char c) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean hit = false;
        boolean first = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (i + 2 < end && p.charAt(i + 1) == '-' && !(first && lo == ']')) {
                if (c >= lo && c <= p.charAt(i + 2)) hit = true;
                i += 3;
            } else {
                if (c == lo) hit = true;
                i++;
            }
            first = false;
        }
        return hit != negate;
    }
}
