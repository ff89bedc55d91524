#!/usr/bin/env python3
"""Issue 3 benchmarks: jinit run against runit (runsvdir), s6 (s6-svscan) and supervisord, side by side.

Run through bench/run.sh (it builds jinit and checks the peers are installed). Not a test.

Every service of every tool runs the very same generated script, which writes "NAME PID" to a FIFO
held open by this driver and then execs `sleep infinity`. That FIFO line is the single, neutral
"this service is running" criterion: no tool's status command is trusted or polled, and a line
arrives within microseconds of the service starting. Figures:

  start   time from launching the supervisor until all N services have written their line
  rss     total VmRSS (and PSS) of the supervisor tree after start: the supervisor and its
          per-service helpers (runsv, s6-supervise), NOT the services (sleep) themselves
  cpu     CPU time (user+sys) the supervisor tree used up to that point
  crash   SIGKILL of a running service until its new instance wrote its line, zero restart delay
  log     one service writing BYTES as fast as it can, through each tool's logger, until the
          last line is in the log file
  idle    N services running and nothing happening: the context switches (voluntary and not) of
          every thread of every process of the supervisor tree over IDLE seconds, i.e. how often
          the supervisor wakes up when it has nothing to do

jinit runs with the JVM command line its launcher (./jinit) would use for `run` with the same unit
directory (JINIT_PRINT_JAVA=1), so heap sizing and JVM flags are the ones users get.

Rounds rotate the order of the tools so machine noise hits them alike; medians are printed.
The driver is a child subreaper: whatever a tool leaves behind comes back to it and is killed.
"""
import argparse
import ctypes
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
TOOLS = ("jinit", "runit", "s6", "supervisord")
LINE = b"x" * 99  # 100-byte lines with the newline


def now():
    return time.monotonic()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Fifo:
    """The readiness FIFO: services write 'NAME PID\\n'; the driver keeps a writer open so reads never see EOF."""

    def __init__(self, path):
        os.mkfifo(path, 0o666)
        self.path = path
        self.rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.wfd = os.open(path, os.O_WRONLY)
        self.buf = b""

    def lines(self, timeout):
        """Yields (time, name, pid) as lines arrive, until timeout seconds pass without completion."""
        deadline = now() + timeout
        while True:
            left = deadline - now()
            if left <= 0:
                return
            r, _, _ = select.select([self.rfd], [], [], min(left, 1.0))
            if not r:
                continue
            t = now()
            self.buf += os.read(self.rfd, 65536)
            *complete, self.buf = self.buf.split(b"\n")
            for line in complete:
                name, pid = line.decode().split()
                yield t, name, int(pid)

    def drain(self):
        try:
            while os.read(self.rfd, 65536):
                pass
        except BlockingIOError:
            pass
        self.buf = b""

    def close(self):
        os.close(self.rfd)
        os.close(self.wfd)


def proc_table():
    """pid -> (ppid, comm) of every process."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        r = s.rindex(")")
        comm = s[s.index("(") + 1:r]
        fields = s[r + 2:].split()
        table[int(d)] = (int(fields[1]), comm, fields)
    return table


def descendants(root, table=None):
    table = table or proc_table()
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children.get(p, ()):
            out.append(c)
            todo.append(c)
    return out, table


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def supervisor_tree(root):
    """The supervisor and its helpers: the root and every descendant that is not a service (sleep) or a writer."""
    desc, table = descendants(root)

    def service(comm):  # the services' own processes: the generated scripts (comm is the file name) and what they run
        return comm in ("sleep", "yes", "head") or comm.startswith(("svc", "writer", "crashme"))
    return [p for p in [root] + desc if p in table and not service(table[p][1])], table


def thread_switches(pids):
    """(pid, tid) -> (thread name, voluntary + nonvoluntary context switches) of every thread of pids."""
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    name = f.read().strip()
                count = 0
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                            count += int(line.split()[1])
            except OSError:
                continue
            out[(pid, tid)] = (name, count)
    return out


def tree_cost(root):
    pids, table = supervisor_tree(root)
    tick = os.sysconf("SC_CLK_TCK")
    rss = sum(status_kib(p, "VmRSS") for p in pids)
    pss = sum(pss_kib(p) for p in pids)
    # utime + stime of each process plus cutime + cstime of reaped children (runsv's ./run shells)
    cpu = sum(sum(int(x) for x in table[p][2][11:15]) for p in pids) / tick
    return {"procs": len(pids), "rss_kib": rss, "pss_kib": pss, "cpu_s": cpu}


class Bench:
    def __init__(self, args):
        self.args = args
        self.java = os.path.join(args.java_home, "bin", "java")
        self.launcher = os.path.abspath("jinit")
        self.aot = os.path.abspath(args.aot_file) if args.aot_file else None
        self.root = tempfile.mkdtemp(prefix="jinit-bench-")
        self.fifo = Fifo(os.path.join(self.root, "ready"))
        self.scripts = os.path.join(self.root, "scripts")
        os.makedirs(self.scripts)
        self.procs = []

    # ---- services -------------------------------------------------------------------------
    def script(self, name, body=""):
        """One executable script per service, the same file for every tool."""
        path = os.path.join(self.scripts, name)
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\necho \"{name} $$\" > {self.fifo.path}\n{body}exec /bin/sleep infinity\n")
            os.chmod(path, 0o755)
        return path

    def writer(self, nbytes):
        lines = nbytes // len(LINE + b"\n")
        return self.script(f"writer{nbytes}", f"yes {LINE.decode()} | head -n {lines}\necho ENDMARK\n")

    # ---- per-tool setup: returns (argv, log file or None) --------------------------------
    def setup(self, tool, names, run_dir, log_mode=None):
        os.makedirs(run_dir)
        logfile = None
        if tool == "jinit":
            units = os.path.join(run_dir, "units")
            os.makedirs(units)
            for n in names:
                out = ""
                if log_mode == "append":
                    logfile = os.path.join(run_dir, f"{n}.out")
                    out = f"StandardOutput=append:{logfile}\n"
                elif log_mode:
                    logfile = os.path.join(run_dir, "state", "logs", f"{n}.service.log")
                with open(os.path.join(units, f"{n}.service"), "w") as f:
                    f.write(f"[Unit]\nStartLimitIntervalSec=0\n[Service]\nType=simple\nExecStart={self.scripts}/{n}\n"
                            f"Restart=always\nRestartSec=0\n{out}[Install]\nWantedBy=multi-user.target\n")
            run = ["run", "--units", units, "--state", os.path.join(run_dir, "state"), *self.args.jinit_arg]
            return self.jinit_java(run) + run, logfile
        if tool in ("runit", "s6"):
            scan = os.path.join(run_dir, "service")
            os.makedirs(scan)
            for n in names:
                d = os.path.join(scan, n)
                os.makedirs(d)
                os.symlink(os.path.join(self.scripts, n), os.path.join(d, "run"))
                if log_mode:
                    ld = os.path.join(d, "log")
                    os.makedirs(os.path.join(ld, "main"))
                    # the same rotation as jinit's default: 8 MiB files, 4 old ones kept; human-readable UTC stamps
                    if tool == "runit":
                        with open(os.path.join(ld, "main", "config"), "w") as f:
                            f.write("s8388608\nn4\n")
                        logger = "exec svlogd -tt ./main\n"
                    else:
                        logger = "exec s6-log n4 s8388608 T ./main\n"
                    with open(os.path.join(ld, "run"), "w") as f:
                        f.write("#!/bin/sh\n" + logger)
                    os.chmod(os.path.join(ld, "run"), 0o755)
                    logfile = os.path.join(ld, "main", "current")
            if tool == "runit":
                return ["runsvdir", "-P", scan], logfile
            return ["s6-svscan", "-c", str(2 * len(names) + 10), scan], logfile
        if tool == "supervisord":
            conf = os.path.join(run_dir, "supervisord.conf")
            logs = os.path.join(run_dir, "logs")
            os.makedirs(logs)
            with open(conf, "w") as f:
                f.write(f"[supervisord]\nnodaemon=true\nlogfile={run_dir}/supervisord.log\npidfile={run_dir}/supervisord.pid\n"
                        f"childlogdir={logs}\nminfds={max(1024, 8 * len(names) + 100)}\nloglevel=warn\n")
                for n in names:
                    # startsecs=0: RUNNING at once, and an exit is always an unexpected exit that restarts
                    # (no backoff); autorestart=true: restart whatever the exit status.
                    f.write(f"[program:{n}]\ncommand={self.scripts}/{n}\nautorestart=true\nstartsecs=0\n"
                            f"stopsignal=KILL\n")
                    if log_mode:
                        logfile = os.path.join(logs, f"{n}.out")
                        f.write(f"stdout_logfile={logfile}\nstdout_logfile_maxbytes=8MB\nstdout_logfile_backups=4\n")
            return ["supervisord", "-n", "-c", conf], logfile
        if tool == "loop":
            # Not a supervisor: the floor for a restart. A plain shell loop that runs the service's
            # script again as soon as it exits (crash part only; --tools jinit,runit,loop).
            if len(names) != 1:
                raise ValueError("the loop baseline runs one service")
            return ["/bin/sh", "-c", f"while :; do {self.scripts}/{names[0]}; done"], None
        raise ValueError(tool)

    def jinit_java(self, run_args):
        """The JVM command (java, options, -jar JAR) that ./jinit runs for these arguments, plus --jinit-opt."""
        env = dict(os.environ, JINIT_PRINT_JAVA="1", JAVA_HOME=self.args.java_home)
        out = subprocess.run([self.launcher, *run_args], env=env, check=True, stdout=subprocess.PIPE,
                             stdin=subprocess.DEVNULL).stdout.decode()
        argv = out.splitlines()
        if len(argv) < 3 or argv[-2] != "-jar":
            raise RuntimeError(f"{self.launcher} printed no JVM command line: {out!r}")
        java, opts, jar = argv[0], argv[1:-2], argv[-1]
        if self.args.aot_file is not None:  # replace the launcher's choice of class-data cache
            opts = [o for o in opts if not o.startswith(("-XX:AOTCache=", "-Xshare:", "-Xlog:aot"))]
            opts += [f"-XX:AOTCache={self.aot}", "-Xlog:aot*=off,cds*=off"] if self.aot and os.path.exists(self.aot) \
                else ["-Xshare:auto"]
        return [java, *opts, *self.args.jinit_opt, "-jar", jar]

    # ---- process management -------------------------------------------------------------
    def launch(self, argv, run_dir):
        out = open(os.path.join(run_dir, "supervisor.out"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True, cwd=run_dir)
        out.close()
        return p

    def stop(self, tool, p):
        """jinit gets SIGTERM (it removes its cgroups); then everything left under this driver is SIGKILLed."""
        took = None
        if tool == "jinit" and p.poll() is None:
            t0 = now()
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=self.args.timeout)
                took = now() - t0
            except subprocess.TimeoutExpired:
                log(f"jinit did not stop within {self.args.timeout} s after SIGTERM; killing it")
        self.sweep()
        p.wait()
        return took

    def sweep(self):
        """SIGKILLs every descendant of this driver (a subreaper, so orphans are ours) until none is left."""
        deadline = now() + 60
        while now() < deadline:
            desc, _ = descendants(os.getpid())
            if not desc:
                return
            for pid in desc:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                while os.waitpid(-1, os.WNOHANG)[0] > 0:
                    pass
            except ChildProcessError:
                pass
            time.sleep(0.05)
        raise RuntimeError("processes left after 60 s of SIGKILL: %s" % descendants(os.getpid())[0])

    def wait_running(self, names, timeout, t0):
        """Seconds from t0 until every name has written its line, and name -> pid."""
        pending, pids = set(names), {}
        for t, name, pid in self.fifo.lines(timeout):
            pids[name] = pid
            pending.discard(name)
            if not pending:
                return t - t0, pids
        return None, pids

    # ---- the measurements ------------------------------------------------------------------
    def start_round(self, tool, n, rnd):
        names = [f"svc{i:04d}" for i in range(n)]
        for name in names:
            self.script(name)
        run_dir = os.path.join(self.root, f"start-{tool}-{n}-{rnd}")
        argv, _ = self.setup(tool, names, run_dir)
        # runsvdir waits a second before its first scan when the scan directory changed within the
        # current second; an existing service directory is older than that, so age it.
        old = time.time() - 10
        os.utime(run_dir, (old, old))
        for d in os.listdir(run_dir):
            os.utime(os.path.join(run_dir, d), (old, old))
        self.fifo.drain()
        t0 = now()
        p = self.launch(argv, run_dir)
        try:
            took, _ = self.wait_running(names, self.args.timeout, t0)
            if took is None:
                log(f"{tool} N={n}: not all services running after {self.args.timeout} s; see {run_dir}/supervisor.out")
                return None
            cost = tree_cost(p.pid)
            time.sleep(self.args.settle)
            settled = tree_cost(p.pid)
            result = {"start_s": took, "rss_kib": settled["rss_kib"], "pss_kib": settled["pss_kib"],
                      "procs": settled["procs"], "cpu_s": cost["cpu_s"]}
            # jinit's orderly stop (SIGTERM until it exits, every unit stopped); the peers are SIGKILLed
            result["stop_s"] = self.stop(tool, p)
            return result
        finally:
            if p.poll() is None:
                self.stop(tool, p)
            shutil.rmtree(run_dir, ignore_errors=True)

    def crash_round(self, tool, rnd):
        names = ["crashme"]
        self.script("crashme")
        run_dir = os.path.join(self.root, f"crash-{tool}-{rnd}")
        argv, _ = self.setup(tool, names, run_dir)
        self.fifo.drain()
        p = self.launch(argv, run_dir)
        latencies = []
        try:
            took, pids = self.wait_running(names, self.args.timeout, now())
            if took is None:
                log(f"{tool}: crash service never started; see {run_dir}/supervisor.out")
                return []
            pid = pids["crashme"]
            for _ in range(self.args.kills):
                # runsv and s6-supervise hold back a restart until the previous start is 1 s old;
                # waiting 1.2 s before each kill measures the restart itself, not that throttle.
                time.sleep(1.2)
                t0 = now()
                os.kill(pid, signal.SIGKILL)
                took, pids = self.wait_running(names, 30, t0)
                if took is None:
                    log(f"{tool}: no restart within 30 s of SIGKILL; see {run_dir}/supervisor.out")
                    break
                if pids["crashme"] == pid:
                    raise RuntimeError(f"{tool}: readiness line of the killed pid {pid} again")
                latencies.append(took)
                pid = pids["crashme"]
            return latencies
        finally:
            self.stop(tool, p)
            shutil.rmtree(run_dir, ignore_errors=True)

    def log_round(self, tool, mode, rnd):
        nbytes = self.args.log_bytes
        name = os.path.basename(self.writer(nbytes))
        run_dir = os.path.join(self.root, f"log-{tool}-{mode}-{rnd}")
        argv, logfile = self.setup(tool, [name], run_dir, log_mode=mode)
        self.fifo.drain()
        p = self.launch(argv, run_dir)
        try:
            took, _ = self.wait_running([name], self.args.timeout, now())
            if took is None:
                log(f"{tool}/{mode}: writer never started; see {run_dir}/supervisor.out")
                return None
            t0 = now()
            deadline = t0 + self.args.timeout
            while now() < deadline:
                try:
                    with open(logfile, "rb") as f:
                        f.seek(0, os.SEEK_END)
                        size = f.tell()
                        f.seek(max(0, size - 256))
                        if b"ENDMARK" in f.read():
                            took = now() - t0
                            break
                except FileNotFoundError:
                    pass
                time.sleep(0.005)
            else:
                log(f"{tool}/{mode}: ENDMARK not in {logfile} after {self.args.timeout} s")
                return None
            hwm = max((status_kib(q, "VmHWM") for q in supervisor_tree(p.pid)[0]), default=0)
            return {"mb_s": nbytes / took / 1e6, "s": took, "hwm_kib": hwm}
        finally:
            self.stop(tool, p)
            shutil.rmtree(run_dir, ignore_errors=True)

    def idle_round(self, tool, rnd):
        """Context switches of every thread of the supervisor tree while N services run and nothing happens."""
        n = self.args.idle_n
        names = [f"svc{i:04d}" for i in range(n)]
        for name in names:
            self.script(name)
        run_dir = os.path.join(self.root, f"idle-{tool}-{rnd}")
        argv, _ = self.setup(tool, names, run_dir)
        old = time.time() - 10
        os.utime(run_dir, (old, old))
        for d in os.listdir(run_dir):
            os.utime(os.path.join(run_dir, d), (old, old))
        self.fifo.drain()
        p = self.launch(argv, run_dir)
        try:
            took, _ = self.wait_running(names, self.args.timeout, now())
            if took is None:
                log(f"{tool} idle: not all services running after {self.args.timeout} s; see {run_dir}/supervisor.out")
                return None
            time.sleep(self.args.idle_settle)
            pids, _ = supervisor_tree(p.pid)
            before = thread_switches(pids)
            t0 = now()
            time.sleep(self.args.idle_seconds)
            after = thread_switches(pids)
            secs = now() - t0
            per_thread = {}
            for key, (name, count) in after.items():
                # a thread born during the window counts from 0 (one that ended in it is not seen)
                d = count - before[key][1] if key in before else count
                if d > 0:
                    per_thread[name] = per_thread.get(name, 0) + d
            total = sum(per_thread.values())
            return {"switches": total, "per_s": total / secs, "seconds": secs, "threads": len(after),
                    "procs": len(pids), "by_thread": dict(sorted(per_thread.items(), key=lambda kv: -kv[1]))}
        finally:
            self.stop(tool, p)
            shutil.rmtree(run_dir, ignore_errors=True)

    def close(self):
        self.fifo.close()
        shutil.rmtree(self.root, ignore_errors=True)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java-home", default=os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--ns", default="1,100,1000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rounds-1000", type=int, default=1, help="rounds for N >= 1000 (each takes a while)")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--log-bytes", type=int, default=100_000_000)
    ap.add_argument("--log-rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--aot-file", default=None,
                    help="AOT cache for jinit's JVM instead of the launcher's choice ('' for none: default CDS)")
    ap.add_argument("--idle-n", type=int, default=100, help="services running during the idle part")
    ap.add_argument("--idle-seconds", type=float, default=60)
    ap.add_argument("--idle-settle", type=float, default=15,
                    help="seconds after all services run before the idle window (start-up's short-lived threads end)")
    ap.add_argument("--parts", default="start,crash,log")
    ap.add_argument("--jinit-opt", action="append", default=[], help="extra JVM option for jinit (repeatable)")
    ap.add_argument("--jinit-arg", action="append", default=[], help="extra argument to jinit run, e.g. --no-cgroup")
    ap.add_argument("--json", help="write raw results here")
    args = ap.parse_args()
    tools = args.tools.split(",")
    parts = args.parts.split(",")

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    b = Bench(args)
    results = {"start": {}, "crash": {}, "log": {}, "idle": {}, "loadavg_start": open("/proc/loadavg").read().split()[:3]}
    try:
        if "start" in parts:
            for n in [int(x) for x in args.ns.split(",")]:
                rounds = args.rounds_1000 if n >= 1000 else args.rounds
                for rnd in range(rounds):
                    order = tools[rnd % len(tools):] + tools[:rnd % len(tools)]
                    for tool in order:
                        r = b.start_round(tool, n, rnd)
                        log(f"start N={n} round {rnd} {tool}: {r}")
                        results["start"].setdefault(f"{tool}/{n}", []).append(r)
        if "crash" in parts:
            for rnd in range(args.rounds):
                for tool in tools[rnd % len(tools):] + tools[:rnd % len(tools)]:
                    lat = b.crash_round(tool, rnd)
                    log(f"crash round {rnd} {tool}: " + " ".join(f"{x * 1000:.1f}" for x in lat) + " ms")
                    results["crash"].setdefault(tool, []).extend(lat)
        if "log" in parts:
            modes = [("jinit", "journal"), ("jinit", "append"), ("runit", "svlogd"), ("s6", "s6-log"),
                     ("supervisord", "file")]
            modes = [m for m in modes if m[0] in tools]
            for rnd in range(args.log_rounds):
                for tool, mode in modes[rnd % len(modes):] + modes[:rnd % len(modes)]:
                    r = b.log_round(tool, mode, rnd)
                    log(f"log round {rnd} {tool}/{mode}: {r}")
                    results["log"].setdefault(f"{tool}/{mode}", []).append(r)
        if "idle" in parts:
            for rnd in range(args.rounds):
                for tool in tools[rnd % len(tools):] + tools[:rnd % len(tools)]:
                    r = b.idle_round(tool, rnd)
                    log(f"idle round {rnd} {tool}: {r}")
                    results["idle"].setdefault(tool, []).append(r)
    finally:
        b.sweep()
        b.close()
    results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    report(results, tools, args)


def report(res, tools, args):
    print(f"load average: start {' '.join(res['loadavg_start'])}, end {' '.join(res['loadavg_end'])}")
    if res["start"]:
        print("\n## start to all N running, supervisor-tree memory after start (median of rounds)")
        print(f"{'tool':12s} {'N':>5s} {'start s':>8s} {'vs jinit':>8s} {'RSS MiB':>8s} {'PSS MiB':>8s} {'procs':>6s} {'CPU s':>6s}  rounds")
        ns = sorted({int(k.split("/")[1]) for k in res["start"]})
        for n in ns:
            base = med([r["start_s"] for r in res["start"].get(f"jinit/{n}", []) if r])
            for tool in tools:
                rs = [r for r in res["start"].get(f"{tool}/{n}", []) if r]
                if not rs:
                    print(f"{tool:12s} {n:5d}   failed")
                    continue
                s = med([r["start_s"] for r in rs])
                print(f"{tool:12s} {n:5d} {s:8.3f} {s / base:7.2f}x {med([r['rss_kib'] for r in rs]) / 1024:8.1f} "
                      f"{med([r['pss_kib'] for r in rs]) / 1024:8.1f} {med([r['procs'] for r in rs]):6.0f} "
                      f"{med([r['cpu_s'] for r in rs]):6.2f}  {len(rs)}"
                      + (f"   SIGTERM to exit (all units stopped): {med([r['stop_s'] for r in rs if r.get('stop_s')]):.2f} s"
                         if tool == "jinit" else ""))
        if "runit" in tools or len(ns) > 1:
            print("\nPSS (median) against the peers at each N, and jinit's growth per extra unit:")
            for i, n in enumerate(ns):
                j = med([r["pss_kib"] for r in res["start"].get(f"jinit/{n}", []) if r])
                peers = "  ".join(f"{t} {j / med([r['pss_kib'] for r in res['start'].get(f'{t}/{n}', []) if r]):.2f}x"
                                  for t in tools if t != "jinit" and any(res["start"].get(f"{t}/{n}", [])))
                grow = ""
                if i > 0:
                    p = ns[i - 1]
                    jp = med([r["pss_kib"] for r in res["start"].get(f"jinit/{p}", []) if r])
                    grow = f"  growth {p}->{n}: {(j - jp) / (n - p):.1f} KiB/unit"
                print(f"  N={n:5d} jinit PSS {j / 1024:7.1f} MiB  jinit/peer: {peers}{grow}")
    if res["idle"]:
        print(f"\n## idle: context switches of every supervisor thread, {args.idle_n} services, "
              f"{args.idle_seconds:.0f} s with nothing happening (median of rounds)")
        for tool in tools:
            rs = [r for r in res["idle"].get(tool, []) if r]
            if not rs:
                continue
            mid = sorted(rs, key=lambda r: r["switches"])[len(rs) // 2]
            top = ", ".join(f"{k} {v}" for k, v in list(mid["by_thread"].items())[:6])
            print(f"{tool:12s} {med([r['switches'] for r in rs]):7.0f} switches  {med([r['per_s'] for r in rs]):6.2f}/s  "
                  f"threads {mid['threads']} in {mid['procs']} procs  rounds {len(rs)}  (median round: {top})")
    if res["crash"]:
        print(f"\n## crash (SIGKILL) to restarted, zero restart delay (median of all kills)")
        for tool in tools:
            xs = res["crash"].get(tool, [])
            if xs:
                print(f"{tool:12s} median {med(xs) * 1000:7.1f} ms  min {min(xs) * 1000:7.1f}  max {max(xs) * 1000:7.1f}  kills {len(xs)}")
    if res["log"]:
        print(f"\n## log throughput, one service writing {args.log_bytes / 1e6:.0f} MB in 100-byte lines (median of rounds)")
        base = med([r["mb_s"] for r in res["log"].get("jinit/journal", []) if r])
        for key, rs in res["log"].items():
            rs = [r for r in rs if r]
            if not rs:
                print(f"{key:22s} failed")
                continue
            m = med([r["mb_s"] for r in rs])
            print(f"{key:22s} {m:8.1f} MB/s  {m / base:5.2f}x jinit pipeline   largest peak RSS in the tree "
                  f"{med([r['hwm_kib'] for r in rs]) / 1024:6.1f} MiB  rounds {len(rs)}")


if __name__ == "__main__":
    main()
