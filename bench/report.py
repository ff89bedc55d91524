#!/usr/bin/env python3
"""Turns bench/all's raw results into BENCHMARKS.md tables and two PNG plots. Called by bench/all.

Reads OUT/launch.json (bench/launch.py) and OUT/supervisors.json (bench/supervisors.py), writes
PLOTS/start-pss.png (start time and PSS against N for each tool) and PLOTS/restart.png (the
distribution of crash-to-restarted latencies), and replaces the text between the lines
'<!-- bench/all begin -->' and '<!-- bench/all end -->' in BENCHMARKS.md (inserted before the first
'## Issue' section when they are missing). Every figure is computed here from the raw samples:
medians, spread (min-max, or the quartiles where there are many samples) and ratios jinit/peer.
Parts of supervisors.py this script has no table for are copied from its printed report.
"""
import argparse
import json
import math
import os
import re
import statistics
import sys

BEGIN, END = "<!-- bench/all begin -->", "<!-- bench/all end -->"
TOOLS = ("jinit", "runit", "s6", "supervisord")
PEERS = TOOLS[1:]
COLORS = {"jinit": "#d62728", "runit": "#1f77b4", "s6": "#2ca02c", "supervisord": "#9467bd"}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def q(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    i = (len(xs) - 1) * p
    lo = int(i)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (i - lo)


def fmt_s(x):
    if x != x:
        return "–"
    if x < 0.01:
        return f"{x * 1000:.1f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_ratio(a, b):
    if not (a == a and b == b) or b == 0:
        return "–"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def spread(xs, scale=1.0, unit="", digits=1):
    if not xs:
        return ""
    if len(xs) == 1:
        return "1 round"
    lo, hi = min(xs) * scale, max(xs) * scale
    return f"{lo:.{digits}f}–{hi:.{digits}f}{unit}"


# ---- launch ---------------------------------------------------------------------------------------------
def launch_section(launch):
    if not launch:
        return []
    secs = launch["seconds"]
    cpu = launch.get("cpu_seconds", {})
    lines = [f"### Launch latency — `bench/launch.py` ({launch['rounds']} rounds, variants rotating; load "
             f"{' '.join(launch['loadavg_start'])} → {' '.join(launch['loadavg_end'])})", "",
             "From the spawn of the command to: its exit (`exec`), or the first act of the one unit "
             "(a line into a FIFO; `run`, and `boot` as PID 1 of a new PID namespace). CPU is the JVM's "
             "user+system time by then. The `java` rows are the command lines `./jinit` runs, without "
             "the launcher script.", "",
             "| variant | median | quartiles | min | CPU (median) | vs tini | vs dumb-init |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    tini = med(secs.get("exec: tini -s", []))
    dumb = med(secs.get("exec: dumb-init", []))
    for name, xs in secs.items():
        if not xs:
            continue
        m = med(xs)
        c = med(cpu.get(name, [])) if cpu.get(name) else float("nan")
        vs = name.startswith("exec:") and not name.startswith(("exec: tini", "exec: dumb"))
        lines.append(f"| `{name}` | **{m * 1000:.1f} ms** | {q(xs, .25) * 1000:.1f}–{q(xs, .75) * 1000:.1f} | "
                     f"{min(xs) * 1000:.1f} | {'–' if c != c else f'{c * 1000:.0f} ms'} | "
                     f"{fmt_ratio(m, tini) if vs else ''} | {fmt_ratio(m, dumb) if vs else ''} |")
    lines.append("")
    goals = []
    for name, goal in (("exec: ./jinit", 0.100), ("run: ./jinit", 0.150), ("boot: ./jinit", 0.150)):
        if secs.get(name):
            m = med(secs[name])
            goals.append(f"`{name}` {m * 1000:.0f} ms (goal {goal * 1000:.0f} ms: {'met' if m <= goal else 'not met'})")
    if goals:
        lines += ["Goals: " + "; ".join(goals) + ".", ""]
    return lines


# ---- supervisors -------------------------------------------------------------------------------------
def start_section(res):
    start = res.get("start") or {}
    if not start:
        return []
    ns = sorted({int(k.split("/")[1]) for k in start})

    def ok(tool, n):
        return [r for r in start.get(f"{tool}/{n}", []) if r]

    lines = ["### Start to all N services running, and the supervisor's memory", "",
             "Median (min–max over rounds) from launching the supervisor until every service wrote its "
             "line; PSS of the supervisor tree without the services, 2 s after; ratio = jinit ÷ peer "
             "(below 1: jinit is faster / smaller).", "",
             "| N | " + " | ".join(f"{t} start" for t in TOOLS) + " | " + " | ".join(f"jinit ÷ {p}" for p in PEERS) + " |",
             "|---:|" + "---:|" * (len(TOOLS) + len(PEERS))]
    for n in ns:
        cells, meds = [], {}
        for t in TOOLS:
            xs = [r["start_s"] for r in ok(t, n)]
            meds[t] = med(xs)
            failed = len(start.get(f"{t}/{n}", [])) - len(xs)
            rng = "" if len(xs) < 2 else f" ({fmt_s(min(xs))}–{fmt_s(max(xs))})"
            cells.append("–" if not xs else f"{fmt_s(meds[t])}{rng}" + (f", {failed} failed" if failed else ""))
        lines.append(f"| {n} | " + " | ".join(cells) + " | " + " | ".join(fmt_ratio(meds['jinit'], meds[p]) for p in PEERS) + " |")
    lines += ["", "| N | " + " | ".join(f"{t} PSS" for t in TOOLS) + " | " + " | ".join(f"jinit ÷ {p}" for p in PEERS)
              + " | jinit RSS | jinit CPU to start |",
              "|---:|" + "---:|" * (len(TOOLS) + len(PEERS) + 2)]
    for n in ns:
        cells, meds = [], {}
        for t in TOOLS:
            xs = [r["pss_kib"] / 1024 for r in ok(t, n)]
            meds[t] = med(xs)
            cells.append("–" if not xs else f"{meds[t]:.1f} MiB ({spread(xs)})")
        j = ok("jinit", n)
        lines.append(f"| {n} | " + " | ".join(cells) + " | " + " | ".join(fmt_ratio(meds['jinit'], meds[p]) for p in PEERS)
                     + f" | {med([r['rss_kib'] / 1024 for r in j]):.1f} MiB | {med([r['cpu_s'] for r in j]):.2f} s |")
    stops = {n: [r["stop_s"] for r in ok("jinit", n) if r.get("stop_s")] for n in ns}
    stop_txt = ", ".join(f"N = {n}: {fmt_s(med(v))}" for n, v in stops.items() if v)
    if stop_txt:
        lines += ["", f"jinit's orderly stop (SIGTERM until it exited, every unit stopped): {stop_txt}. "
                      "The peers are SIGKILLed."]
    lines += ["", "![start time and PSS against N](bench/plots/start-pss.png)", ""]
    return lines


def crash_section(res):
    crash = res.get("crash") or {}
    if not crash:
        return []
    lines = ["### Crash to restarted (SIGKILL of the service until its new instance wrote its line), no restart delay", "",
             "| tool | median | quartiles | 90th pct | min | max | kills | jinit ÷ tool |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    jm = med(crash.get("jinit", []))
    for t in TOOLS:
        xs = crash.get(t, [])
        if not xs:
            continue
        ms = [x * 1000 for x in xs]
        lines.append(f"| {t} | **{med(ms):.1f} ms** | {q(ms, .25):.1f}–{q(ms, .75):.1f} | {q(ms, .9):.1f} | "
                     f"{min(ms):.1f} | {max(ms):.1f} | {len(ms)} | {'' if t == 'jinit' else fmt_ratio(jm, med(xs))} |")
    lines += ["", "s6-supervise waits 1 s after every death and supervisord notices one only at its 1 s poll "
                  "(both built in, see \"How each tool was set up\" below); runsv restarts at once.", "",
              "![restart latency distribution](bench/plots/restart.png)", ""]
    return lines


def log_section(res, log_bytes):
    log = res.get("log") or {}
    if not log:
        return []
    base = med([r["mb_s"] for r in log.get("jinit/journal", []) if r])
    lines = [f"### Log throughput: one service writing {log_bytes / 1e6:.0f} MB in 100-byte lines", "",
             "| path | MB/s (median) | min–max | jinit pipeline ÷ this | peak RSS of the supervisor tree |",
             "|---|---:|---:|---:|---:|"]
    names = {"jinit/journal": "jinit, default pipeline (pipe → log pump → file + ring)",
             "jinit/append": "jinit, `StandardOutput=append:` (the child writes the file)",
             "runit/svlogd": "runit, `svlogd -tt`", "s6/s6-log": "s6, `s6-log T`",
             "supervisord/file": "supervisord, `stdout_logfile`"}
    for key, rs in log.items():
        rs = [r for r in rs if r]
        if not rs:
            lines.append(f"| {names.get(key, key)} | failed | | | |")
            continue
        xs = [r["mb_s"] for r in rs]
        lines.append(f"| {names.get(key, key)} | **{med(xs):.0f}** | {spread(xs, 1, '', 0)} | "
                     f"{'1' if key == 'jinit/journal' else fmt_ratio(base, med(xs))} | "
                     f"{med([r['hwm_kib'] / 1024 for r in rs]):.0f} MiB |")
    lines.append("")
    return lines


def other_sections(text, known=("start to all", "crash", "log throughput")):
    """Sections '## ...' of supervisors.py's printed report that this script has no table for, verbatim."""
    sections, cur = [], None
    for line in text.splitlines():
        if line.startswith("## "):
            cur = None if any(k in line.lower() for k in known) else [line]
            if cur is not None:
                sections.append(cur)
        elif cur is not None and not line.startswith("load average"):
            cur.append(line)
    if not sections:
        return []
    lines = ["### Other parts of `bench/supervisors.py` (its own report, verbatim)", ""]
    for sec in sections:
        while sec and not sec[-1].strip():
            sec.pop()
        lines += ["```"] + sec + ["```", ""]
    return lines


# ---- plots ---------------------------------------------------------------------------------------------
def plots(res, plot_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench/report.py: no matplotlib (apt-get install python3-matplotlib); plots not drawn", file=sys.stderr)
        return
    os.makedirs(plot_dir, exist_ok=True)
    start = res.get("start") or {}
    if start:
        ns = sorted({int(k.split("/")[1]) for k in start})
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
        for t in TOOLS:
            pts = [(n, [r for r in start.get(f"{t}/{n}", []) if r]) for n in ns]
            pts = [(n, rs) for n, rs in pts if rs]
            if not pts:
                continue
            x = [n for n, _ in pts]
            for ax, key, scale in ((a1, "start_s", 1.0), (a2, "pss_kib", 1 / 1024)):
                ys = [[r[key] * scale for r in rs] for _, rs in pts]
                m = [med(v) for v in ys]
                lo = [mm - min(v) for mm, v in zip(m, ys)]
                hi = [max(v) - mm for mm, v in zip(m, ys)]
                ax.errorbar(x, m, yerr=[lo, hi], marker="o", capsize=3, label=t, color=COLORS[t])
        for ax, title, unit in ((a1, "start to all N running", "seconds"), (a2, "PSS of the supervisor tree", "MiB")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("N services")
            ax.set_ylabel(unit)
            ax.set_title(title)
            ax.grid(True, which="both", alpha=.3)
            ax.legend()
        fig.suptitle("jinit run vs runit, s6, supervisord (median, bars: min–max over rounds)", fontsize=10)
        fig.tight_layout()
        fig.savefig(os.path.join(plot_dir, "start-pss.png"), dpi=90)
        plt.close(fig)
    crash = res.get("crash") or {}
    if crash:
        tools = [t for t in TOOLS if crash.get(t)]
        fig, ax = plt.subplots(figsize=(9, 0.9 + 0.8 * len(tools)))
        data = [[x * 1000 for x in crash[t]] for t in tools]
        ax.boxplot(data, vert=False, labels=tools, whis=(0, 100), widths=.5)
        for i, (t, d) in enumerate(zip(tools, data)):
            jitter = [i + 1 + ((k * 37) % 11 - 5) * 0.03 for k in range(len(d))]
            ax.scatter(d, jitter, s=9, alpha=.6, color=COLORS[t])
        ax.set_xscale("log")
        ax.set_xlabel("ms from SIGKILL to the new instance's first act (log scale)")
        ax.set_title("crash to restarted, no restart delay (every kill; box: quartiles, whiskers: min–max)", fontsize=10)
        ax.grid(True, axis="x", which="both", alpha=.3)
        fig.tight_layout()
        fig.savefig(os.path.join(plot_dir, "restart.png"), dpi=90)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--benchmarks", required=True)
    ap.add_argument("--plots", required=True)
    ap.add_argument("--load-start", default="?")
    ap.add_argument("--load-end", default="?")
    ap.add_argument("--minutes", default="?")
    ap.add_argument("--versions", default="")
    ap.add_argument("--git", default="")
    ap.add_argument("--command", default="bench/all")
    ap.add_argument("--log-bytes", type=int, default=100_000_000)
    args = ap.parse_args()

    def load(name):
        p = os.path.join(args.out, name)
        return json.load(open(p)) if os.path.exists(p) else None
    launch = load("launch.json")
    res = load("supervisors.json") or {}
    text = ""
    for name in ("supervisors.txt", "supervisors-idle.txt"):
        if os.path.exists(os.path.join(args.out, name)):
            text += open(os.path.join(args.out, name)).read() + "\n"
    plots(res, args.plots)
    import time
    body = [BEGIN, "## Issue 7: every comparison in one run — `bench/all`", "",
            f"Written by `{args.command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (jinit {args.git}; "
            f"{os.cpu_count()} cores; {args.minutes} min). **Load average {args.load_start} at the start, "
            f"{args.load_end} at the end** — other builds may share the machine: ratios measured side by "
            f"side are the figures to trust, absolute times are inflated by the load. Peers: {args.versions}.",
            "Reproduce: `bench/all` as root (installs the peers, builds jinit, trains its AOT cache, "
            "≤ 15 min; raw results in `bench/out/all/`). The tables and plots below are rewritten by it; "
            "the text elsewhere in this file is not.", ""]
    body += launch_section(launch)
    body += start_section(res)
    body += crash_section(res)
    body += log_section(res, args.log_bytes)
    body += other_sections(text)
    body.append(END)
    block = "\n".join(body) + "\n"
    md = open(args.benchmarks).read() if os.path.exists(args.benchmarks) else "# jinit benchmarks\n\n"
    if BEGIN in md and END in md:
        md = md[:md.index(BEGIN)] + block + md[md.index(END) + len(END) + 1:]
    else:
        m = re.search(r"^## Issue", md, re.M)
        at = m.start() if m else len(md)
        md = md[:at] + block + "\n" + md[at:]
    with open(args.benchmarks, "w") as f:
        f.write(md)
    print(f"bench/report.py: {args.benchmarks} rewritten between the bench/all markers; plots in {args.plots}")


if __name__ == "__main__":
    main()
