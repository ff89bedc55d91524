package dev.jinit.exec.seccomp;

import dev.jinit.exec.seccomp.SeccompPolicy.Check;
import dev.jinit.exec.seccomp.SeccompPolicy.Clause;
import dev.jinit.exec.seccomp.SeccompPolicy.Rule;
import dev.jinit.exec.seccomp.SeccompPolicy.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the seccomp directives and the protections that also filter calls (PrivateDevices= @raw-io,
 * ProtectKernelModules= @module, ProtectKernelLogs= syslog, ProtectClock= @clock, ProtectHostname=
 * sethostname/setdomainname) into one {@link SeccompPolicy}. Pure.
 *
 * <p>One difference from systemd, forced by the JVM: systemd installs its filter in its forked child right
 * before execve; jinit installs it on the spawn thread before posix_spawn, so the calls glibc makes between
 * clone and execve (the fd table, session, signal state, RESETIDS) and the calls the spawn thread needs to
 * end are never refused by SystemCallFilter= ({@link #SPAWN_PATH}; setresuid/setresgid only with RESETIDS'
 * own arguments). The argument filters (MemoryDenyWriteExecute=, RestrictNamespaces=, …) still apply to them.
 */
public final class PolicyCompiler {
    private PolicyCompiler() {}

    /** Calls the spawn path makes after the filter is in place (glibc's posix_spawn child, the thread's end). */
    public static final Set<String> SPAWN_PATH = Set.of("execve", "dup2", "dup3", "close", "close_range", "open",
            "openat", "chdir", "fchdir", "setsid", "setpgid", "ioctl", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
            "mmap", "munmap", "mprotect", "madvise", "brk", "clone", "clone3", "wait4", "futex", "sigaltstack", "exit",
            "exit_group", "sched_yield", "getpid", "gettid", "getuid", "getgid", "geteuid", "getegid",
            "set_robust_list", "rseq", "clock_gettime", "clock_nanosleep", "nanosleep");

    /** The protections of the file-system sandbox that also deny calls. */
    public record Protections(boolean privateDevices, boolean kernelModules, boolean kernelLogs, boolean clock) {
        public static final Protections NONE = new Protections(false, false, false, false);
    }

    static final int PROT_WRITE = 2, PROT_EXEC = 4, SHM_EXEC = 0100000, S_ISUID = 04000, S_ISGID = 02000, O_CREAT = 0100;
    static final int SCHED_FIFO = 1, SCHED_RR = 2, SCHED_DEADLINE = 6, SCHED_RESET_ON_FORK = 0x40000000;
    static final long LOW32 = 0xffffffffL;

    /**
     * @param resetIds the uid and gid POSIX_SPAWN_RESETIDS sets (setresuid(-1, uid, -1)), or null without
     *                 credentials
     */
    public static SeccompPolicy compile(SeccompSettings s, Protections p, int[] resetIds) {
        Syscalls table = Syscalls.x86_64();
        int deny = s.errorNumber() == null ? SeccompPolicy.RET_KILL_PROCESS : SeccompPolicy.errno(s.errorNumber());
        Map<Integer, List<Clause>> calls = new TreeMap<>();
        int defaultAction = SeccompPolicy.RET_ALLOW;

        // SystemCallFilter= goes first: a call it refuses needs no argument checks.
        if (s.allowList() != null) {
            Set<String> names = new LinkedHashSet<>(s.filter().keySet());
            if (s.allowList()) {
                names.addAll(table.expand("@default"));
                names.addAll(SPAWN_PATH);
                defaultAction = deny;
                for (String n : names) number(table, n).ifPresent(nr -> calls.putIfAbsent(nr, new ArrayList<>()));
                // setresuid/setresgid outside the list: only RESETIDS' own call passes.
                if (resetIds != null) {
                    resetIds(table, calls, "setresuid", resetIds[0], names, deny);
                    resetIds(table, calls, "setresgid", resetIds[1], names, deny);
                }
            } else {
                for (Map.Entry<String, Integer> e : s.filter().entrySet()) {
                    String n = e.getKey();
                    if (SPAWN_PATH.contains(n)) continue;
                    int action = e.getValue() >= 0 ? SeccompPolicy.errno(e.getValue()) : deny;
                    int nr = table.number(n);
                    if (nr < 0) continue;
                    if (resetIds != null && (n.equals("setresuid") || n.equals("setresgid"))) {
                        int id = n.equals("setresuid") ? resetIds[0] : resetIds[1];
                        clauses(calls, nr).add(new Clause(List.of(resetIdsRule(id)), new Verdict.Return(action)));
                    } else {
                        clauses(calls, nr).add(Clause.always(new Verdict.Return(action)));
                    }
                }
            }
        }
        int eperm = SeccompPolicy.errno(1);
        if (p.privateDevices()) denyAll(table, calls, table.expand("@raw-io"), eperm, defaultAction);
        if (p.kernelModules()) denyAll(table, calls, table.expand("@module"), eperm, defaultAction);
        if (p.kernelLogs()) denyAll(table, calls, Set.of("syslog"), eperm, defaultAction);
        if (p.clock()) denyAll(table, calls, table.expand("@clock"), eperm, defaultAction);
        if (s.protectHostname()) denyAll(table, calls, Set.of("sethostname", "setdomainname"), eperm, defaultAction);

        if (s.familiesAllowList() != null) {
            int refused = SeccompPolicy.errno(97); // EAFNOSUPPORT, as systemd
            List<Rule> rules = new ArrayList<>();
            for (int f : s.families())
                rules.add(new Rule(List.of(new Check(0, LOW32, f)), s.familiesAllowList() ? Verdict.PASS : new Verdict.Return(refused)));
            argClause(table, calls, "socket", new Clause(rules, s.familiesAllowList() ? new Verdict.Return(refused) : Verdict.PASS), defaultAction);
        }
        if (s.namespacesAllowed() != null) {
            long denied = Names.ALL_NAMESPACES & ~s.namespacesAllowed();
            if (denied != 0) {
                List<Rule> flagRules = new ArrayList<>();
                for (long flag : Names.NAMESPACES.values())
                    if ((denied & flag) != 0) flagRules.add(new Rule(List.of(new Check(0, flag, flag)), new Verdict.Return(eperm)));
                argClause(table, calls, "unshare", new Clause(flagRules, Verdict.PASS), defaultAction);
                argClause(table, calls, "clone", new Clause(flagRules, Verdict.PASS), defaultAction);
                // clone3 passes its flags in memory a filter cannot read: ENOSYS makes glibc fall back to clone.
                argClause(table, calls, "clone3", Clause.always(new Verdict.Return(SeccompPolicy.errno(38))), defaultAction);
                List<Rule> setns = new ArrayList<>();
                setns.add(new Rule(List.of(new Check(1, LOW32, 0)), new Verdict.Return(eperm))); // nstype 0: any type
                for (Rule r : flagRules) setns.add(new Rule(List.of(new Check(1, r.checks().getFirst().mask(), r.checks().getFirst().value())), r.verdict()));
                argClause(table, calls, "setns", new Clause(setns, Verdict.PASS), defaultAction);
            }
        }
        if (s.memoryDenyWriteExecute()) {
            argClause(table, calls, "mmap", new Clause(List.of(new Rule(List.of(new Check(2, PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC)),
                    new Verdict.Return(eperm))), Verdict.PASS), defaultAction);
            for (String n : List.of("mprotect", "pkey_mprotect"))
                argClause(table, calls, n, new Clause(List.of(new Rule(List.of(new Check(2, PROT_EXEC, PROT_EXEC)), new Verdict.Return(eperm))),
                        Verdict.PASS), defaultAction);
            argClause(table, calls, "shmat", new Clause(List.of(new Rule(List.of(new Check(2, SHM_EXEC, SHM_EXEC)), new Verdict.Return(eperm))),
                    Verdict.PASS), defaultAction);
        }
        if (s.lockPersonality()) {
            // Only the default personality (PER_LINUX) and the query (0xffffffff) are allowed.
            argClause(table, calls, "personality", new Clause(List.of(new Rule(List.of(new Check(0, LOW32, 0)), Verdict.PASS),
                    new Rule(List.of(new Check(0, LOW32, 0xffffffffL)), Verdict.PASS)), new Verdict.Return(eperm)), defaultAction);
        }
        if (s.restrictRealtime()) {
            List<Rule> rules = new ArrayList<>();
            for (int policy : new int[] {SCHED_FIFO, SCHED_RR, SCHED_DEADLINE})
                rules.add(new Rule(List.of(new Check(1, LOW32 & ~SCHED_RESET_ON_FORK, policy)), new Verdict.Return(eperm)));
            argClause(table, calls, "sched_setscheduler", new Clause(rules, Verdict.PASS), defaultAction);
        }
        if (s.restrictSuidSgid()) {
            Map<String, Integer> modeArg = new LinkedHashMap<>();
            modeArg.put("chmod", 1);
            modeArg.put("fchmod", 1);
            modeArg.put("fchmodat", 2);
            modeArg.put("fchmodat2", 2);
            modeArg.put("mkdir", 1);
            modeArg.put("mkdirat", 2);
            modeArg.put("mknod", 1);
            modeArg.put("mknodat", 2);
            modeArg.put("creat", 1);
            for (Map.Entry<String, Integer> e : modeArg.entrySet()) {
                int arg = e.getValue();
                argClause(table, calls, e.getKey(), new Clause(List.of(
                        new Rule(List.of(new Check(arg, S_ISUID, S_ISUID)), new Verdict.Return(eperm)),
                        new Rule(List.of(new Check(arg, S_ISGID, S_ISGID)), new Verdict.Return(eperm))), Verdict.PASS), defaultAction);
            }
            // open(path, flags, mode) and openat(dir, path, flags, mode): only when O_CREAT makes a file.
            for (String n : List.of("open", "openat")) {
                int flags = n.equals("open") ? 1 : 2;
                argClause(table, calls, n, new Clause(List.of(
                        new Rule(List.of(new Check(flags, O_CREAT, O_CREAT), new Check(flags + 1, S_ISUID, S_ISUID)), new Verdict.Return(eperm)),
                        new Rule(List.of(new Check(flags, O_CREAT, O_CREAT), new Check(flags + 1, S_ISGID, S_ISGID)), new Verdict.Return(eperm))),
                        Verdict.PASS), defaultAction);
            }
        }
        int foreign = s.nativeOnly() ? deny : SeccompPolicy.RET_ALLOW;
        return new SeccompPolicy(calls, defaultAction, foreign);
    }

    private static java.util.Optional<Integer> number(Syscalls table, String name) {
        int nr = table.number(name);
        return nr < 0 ? java.util.Optional.empty() : java.util.Optional.of(nr);
    }

    private static List<Clause> clauses(Map<Integer, List<Clause>> calls, int nr) {
        return calls.computeIfAbsent(nr, k -> new ArrayList<>());
    }

    /** RESETIDS' call: setresuid(-1, id, -1) (32-bit ids; the upper halves are not looked at). */
    private static Rule resetIdsRule(int id) {
        return new Rule(List.of(new Check(0, LOW32, LOW32), new Check(1, LOW32, id & LOW32), new Check(2, LOW32, LOW32)), Verdict.PASS);
    }

    private static void resetIds(Syscalls table, Map<Integer, List<Clause>> calls, String name, int id, Set<String> allowed, int deny) {
        int nr = table.number(name);
        if (nr < 0 || allowed.contains(name)) return;
        clauses(calls, nr).add(new Clause(List.of(resetIdsRule(id)), new Verdict.Return(deny)));
    }

    /** Unconditional EPERM for each call (a call the allow-list refuses anyway keeps that refusal). */
    private static void denyAll(Syscalls table, Map<Integer, List<Clause>> calls, Set<String> names, int action, int defaultAction) {
        for (String n : names) {
            int nr = table.number(n);
            if (nr < 0) continue;
            argClause(table, calls, n, Clause.always(new Verdict.Return(action)), defaultAction);
        }
    }

    /**
     * Adds a clause to a call. A call not yet listed gets, first, what the default would have said about it
     * (an allow-list's refusal), so that listing it does not let it through.
     */
    private static void argClause(Syscalls table, Map<Integer, List<Clause>> calls, String name, Clause clause, int defaultAction) {
        int nr = table.number(name);
        if (nr < 0) return;
        List<Clause> list = calls.get(nr);
        if (list == null) {
            list = new ArrayList<>();
            if (defaultAction != SeccompPolicy.RET_ALLOW) list.add(Clause.always(new Verdict.Return(defaultAction)));
            calls.put(nr, list);
        }
        list.add(clause);
    }
}
