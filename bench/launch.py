#!/usr/bin/env python3
"""Launch latency of jinit, side by side with tini and dumb-init (issue 7). Not a test.

Three kinds of start, each timed from the spawn of the command (as a user or a container runtime
would start it) to the moment that counts:

  exec   `jinit exec -- /bin/true` until it exits (tini -s / dumb-init the same way)
  run    `jinit run --units DIR` with one unit until that unit's first act (a line written to a FIFO
         this driver holds open); then SIGTERM and wait for the exit (not timed)
  boot   `unshare --pid --fork --mount --mount-proc jinit boot --units DIR` (boot mode as PID 1 of a
         PID namespace) until the unit's line; then SIGKILL of the namespace (not timed)

Every variant is a full command line: the launcher `./jinit` as users type it, and the bare java
command lines it runs, with or without the AOT cache, so the launcher's own cost and each JVM flag
show separately. Rounds rotate the order of the variants so that machine noise hits them alike;
the first rounds warm the page cache and are dropped. Medians, quartiles and min are printed and
written as JSON (--json).

Usage: bench/launch.py [--rounds 15] [--warmup 2] [--kinds exec,run,boot] [--variants NAME,...]
       [--list] [--json FILE]
"""
import argparse
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def now():
    return time.monotonic()


def quantile(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    i = (len(xs) - 1) * q
    lo, hi = int(i), min(int(i) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (i - lo)


class Fifo:
    def __init__(self, path):
        os.mkfifo(path, 0o666)
        self.path = path
        self.rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.wfd = os.open(path, os.O_WRONLY)

    def drain(self):
        try:
            while os.read(self.rfd, 65536):
                pass
        except BlockingIOError:
            pass

    def wait_line(self, deadline):
        """Time at which a line arrived, or None at the deadline."""
        while True:
            left = deadline - now()
            if left <= 0:
                return None
            r, _, _ = select.select([self.rfd], [], [], left)
            if r:
                t = now()
                if os.read(self.rfd, 65536):
                    return t


def java_opts(java_home):
    return os.path.join(java_home, "bin", "java")


def variants(args, work):
    """name -> (kind, argv). The bare java lines copy what ./jinit runs (see the launcher)."""
    java = java_opts(args.java_home)
    jar = os.path.join(ROOT, "target", "jinit.jar")
    aot = os.path.join(ROOT, "target", "jinit.aot")
    launcher = os.path.join(ROOT, "jinit")
    units = os.path.join(work, "units")
    common = ["--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"]
    cache = [f"-XX:AOTCache={aot}", "-Xlog:aot*=off,cds*=off"]
    exec_opts = common + ["-XX:TieredStopAtLevel=1"]
    run_opts = common + ["-Xmx96m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"]
    unshare = ["unshare", "--pid", "--fork", "--mount", "--mount-proc"]
    cmdline = os.path.join(work, "cmdline")
    run_tail = ["run", "--units", units, "--state", os.path.join(work, "state")]
    boot_tail = ["boot", "--units", units, "--cmdline", cmdline, "--state", os.path.join(work, "bootstate")]
    extra = args.jinit_opt
    v = {
        "exec: ./jinit": ("exec", [launcher, "exec", "--", "/bin/true"]),
        "exec: java, AOT cache": ("exec", [java, *exec_opts, *cache, *extra, "-jar", jar, "exec", "--", "/bin/true"]),
        "exec: java, default CDS": ("exec", [java, *exec_opts, "-Xshare:auto", *extra, "-jar", jar, "exec", "--", "/bin/true"]),
        "exec: tini -s": ("exec", ["tini", "-s", "--", "/bin/true"]),
        "exec: dumb-init": ("exec", ["dumb-init", "/bin/true"]),
        "run: ./jinit": ("run", [launcher, *run_tail]),
        "run: java, AOT cache": ("run", [java, *run_opts, *cache, *extra, "-jar", jar, *run_tail]),
        "run: java, default CDS": ("run", [java, *run_opts, "-Xshare:auto", *extra, "-jar", jar, *run_tail]),
        "boot: ./jinit": ("boot", [*unshare, launcher, *boot_tail]),
        "boot: java, AOT cache": ("boot", [*unshare, java, *run_opts, *cache, *extra, "-jar", jar, *boot_tail]),
    }
    for spec in args.extra_variant:
        # NAME=KIND@JAR@JVM OPTIONS (space separated; JAR empty for target/jinit.jar), a bare java line of that kind
        name, rest = spec.split("=", 1)
        kind, vjar, opts = rest.split("@", 2)
        tail = {"exec": ["exec", "--", "/bin/true"], "run": run_tail, "boot": boot_tail}[kind]
        argv = [java, *opts.split(), *extra, "-jar", vjar or jar, *tail]
        v[name] = (kind, [*unshare, *argv] if kind == "boot" else argv)
    return v


def setup(work, fifo):
    units = os.path.join(work, "units")
    os.makedirs(units, exist_ok=True)
    script = os.path.join(work, "first")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\necho first > {fifo.path}\nexec /bin/sleep infinity\n")
    os.chmod(script, 0o755)
    with open(os.path.join(units, "first.service"), "w") as f:
        f.write(f"[Service]\nType=simple\nExecStart={script}\n[Install]\nWantedBy=multi-user.target\n")
    with open(os.path.join(work, "cmdline"), "w") as f:
        f.write("quiet\n")


TICK = os.sysconf("SC_CLK_TCK")


def jvm_cpu(pid, kind):
    """CPU seconds (user + system, every thread) of the JVM: for boot, unshare's child."""
    if kind == "boot":
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            pid = int(kids[0])
        except (OSError, IndexError):
            return float("nan")
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return float("nan")
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def one(kind, argv, fifo, devnull, timeout):
    """(seconds from spawn to the point that counts for this kind, CPU seconds of the JVM by then)."""
    fifo.drain()
    t0 = now()
    p = subprocess.Popen(argv, stdin=devnull, stdout=devnull, stderr=devnull, start_new_session=True,
                         cwd=ROOT)
    try:
        if kind == "exec":
            _, status, ru = os.wait4(p.pid, 0)
            t = now() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            if p.returncode != 0:
                raise RuntimeError(f"{argv}: exit status {p.returncode}")
            return t, ru.ru_utime + ru.ru_stime
        t = fifo.wait_line(t0 + timeout)
        if t is None:
            raise RuntimeError(f"{argv}: no line from the unit within {timeout} s")
        return t - t0, jvm_cpu(p.pid, kind)
    finally:
        if p.poll() is None:
            if kind == "run":
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pass
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)  # boot: the namespace's init, and with it the namespace
                p.wait()
        # whatever is left in the session (a unit of a SIGKILLed jinit run)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java-home", default=os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--kinds", default="exec,run,boot")
    ap.add_argument("--variants", help="comma-separated names of built-in variants ('' for none; default: every variant of the kinds)")
    ap.add_argument("--extra-variant", action="append", default=[],
                    help="NAME=KIND@JAR@JVM OPTIONS, e.g. 'x=exec@@--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC'")
    ap.add_argument("--jinit-opt", action="append", default=[], help="extra JVM option for every bare java variant")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--json")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="jinit-launch-")
    try:
        fifo = Fifo(os.path.join(work, "ready"))
        setup(work, fifo)
        vs = variants(args, work)
        kinds = args.kinds.split(",")
        extras = [spec.split("=", 1)[0] for spec in args.extra_variant]
        if args.variants is not None:
            names = [n for n in args.variants.split(",") if n] + extras
        else:
            names = [n for n, (k, _) in vs.items() if k in kinds and n not in extras] + extras
        if args.list:
            for n in names:
                print(f"{n}: {' '.join(vs[n][1])}")
            return
        if "boot" in kinds and not shutil.which("unshare"):
            sys.exit("bench/launch.py: needs unshare (util-linux)")
        load0 = open("/proc/loadavg").read().split()[:3]
        print(f"# bench/launch.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
              f"load average at start: {' '.join(load0)}", flush=True)
        devnull = os.open(os.devnull, os.O_RDWR)
        times = {n: [] for n in names}
        cpu = {n: [] for n in names}
        for r in range(args.warmup + args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in order:
                kind, argv = vs[n]
                t, c = one(kind, argv, fifo, devnull, args.timeout)
                if r >= args.warmup:
                    times[n].append(t)
                    cpu[n].append(c)
        load1 = open("/proc/loadavg").read().split()[:3]
        res = {"loadavg_start": load0, "loadavg_end": load1, "rounds": args.rounds,
               "argv": {n: vs[n][1] for n in names}, "seconds": times, "cpu_seconds": cpu}
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)
        print(f"{'variant':34s} {'median':>8s} {'q1':>7s} {'q3':>7s} {'min':>7s} {'CPU':>7s}   (ms, {args.rounds} rounds)")
        for n in names:
            xs = [x * 1000 for x in times[n]]
            cs = [x * 1000 for x in cpu[n]]
            print(f"{n:34s} {statistics.median(xs):8.1f} {quantile(xs, .25):7.1f} {quantile(xs, .75):7.1f} {min(xs):7.1f} "
                  f"{statistics.median(cs):7.0f}")
        print(f"# load average at end: {' '.join(load1)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
