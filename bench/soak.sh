#!/usr/bin/env bash
# Soak run of `jinit run` (issue 12): 100 idle units, one crash-looping unit, one log flood, one
# watchdog unit and control clients in a loop, for DURATION seconds (default 1800). Every INTERVAL
# seconds (default 60) it samples the jinit JVM's RSS, open descriptors and threads, and prints
# them; at the end it prints the first, middle and last samples and checks jinit still answers and
# stops cleanly. Usage (as root):
#   [JINIT=/path/to/jinit-launcher] [INTERVAL=60] [NMT=1] nice -n 10 bench/soak.sh [DURATION]
# JINIT defaults to the repository's ./jinit (which rebuilds when sources change: point JINIT at a
# copy of the launcher beside target/jinit.jar to soak a fixed build while you edit the sources).
set -euo pipefail
duration=${1:-1800}
interval=${INTERVAL:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
jinit=${JINIT:-$here/jinit}
tmp=$(mktemp -d /tmp/jinit-soak-XXXX)
units=$tmp/units
mkdir -p "$units"
marker=31536$$   # the idle units' sleep time, to find them afterwards
for i in $(seq 1 100); do
    printf '[Service]\nExecStart=/bin/sleep %s\n[Install]\nWantedBy=multi-user.target\n' "$marker" > "$units/idle$i.service"
done
# Crash loop: exits at once, restarted every 100 ms forever (no start limit).
cat > "$units/crash.service" <<'EOF'
[Unit]
StartLimitIntervalSec=0
[Service]
ExecStart=/bin/sh -c 'echo crashing; echo oops >&2; exit 3'
Restart=always
RestartSec=100ms
[Install]
WantedBy=multi-user.target
EOF
# Log flood: 20,000 lines of 100 bytes every 50 ms (about 40 MB/s offered; the pipe and the pump
# decide what is taken), so the unit's log file rotates all the time.
cat > "$units/flood.service" <<'EOF'
[Service]
ExecStart=/bin/sh -c 'while :; do yes "flood line 0123456789012345678901234567890123456789012345678901234567890123456789012345678" | head -n 20000; sleep 0.05; done'
[Install]
WantedBy=multi-user.target
EOF
# A watchdog unit that pings every second (WatchdogSec=5), killed and restarted if jinit misjudges it.
cat > "$tmp/dog.py" <<'EOF'
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a = os.environ["NOTIFY_SOCKET"]
s.sendto(b"READY=1", a)
while True:
    s.sendto(b"WATCHDOG=1", a)
    time.sleep(1)
EOF
cat > "$units/dog.service" <<EOF
[Service]
Type=notify
ExecStart=/usr/bin/python3 $tmp/dog.py
WatchdogSec=5
Restart=on-failure
[Install]
WantedBy=multi-user.target
EOF
# NMT=1: the JVM tracks its native memory, and each sample adds what it has committed in all and for
# the Java heap (jcmd VM.native_memory), to tell heap from native growth.
[ -n "${NMT:-}" ] && export JDK_JAVA_OPTIONS="-XX:NativeMemoryTracking=summary"
"$jinit" run --units "$units" --state "$tmp/state" --runtime-base "$tmp" --state-base "$tmp" --logs-base "$tmp" \
    ${JINIT_RUN_ARGS:-} >"$tmp/out" 2>&1 &
jpid=$!
unset JDK_JAVA_OPTIONS
answered=
for _ in $(seq 1 600); do "$jinit" status --state "$tmp/state" >/dev/null 2>&1 && { answered=1; break; }; sleep 0.5; done
[ -n "$answered" ] || { echo "soak: jinit did not answer status; its output:"; cat "$tmp/out"; "$jinit" status --state "$tmp/state"; kill -TERM $jpid; exit 1; }
# The launcher execs java, so $jpid is the JVM.
sample() {
    local rss thr fds
    rss=$(awk '/^VmRSS/ {print $2}' /proc/$jpid/status)
    thr=$(awk '/^Threads/ {print $2}' /proc/$jpid/status)
    fds=$(ls /proc/$jpid/fd | wc -l)
    if [ -n "${NMT:-}" ]; then
        local nmt
        nmt=$("${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" $jpid VM.native_memory summary 2>/dev/null | awk -F'committed=' '
            /^Total:/ {split($2, a, "KB"); total = a[1]}
            /Java Heap \(/ {split($2, a, "KB"); heap = a[1]}
            END {print total, heap}')
        echo "$1 $rss $fds $thr $nmt"
    else
        echo "$1 $rss $fds $thr"
    fi
}
# Control clients in a loop, speaking the control protocol directly (one connection per request, as
# the CLI does): status of all, status of one unit with log lines, logs of the flood, a restart of an
# idle unit, an idle connection that never sends (closed by the idle timeout), and a half-read
# `logs -f` of the flood that is dropped after a second. Plus the real CLI every 10 s.
python3 - "$tmp/state/control.sock" "$duration" >"$tmp/clients" 2>&1 <<'PY' &
import json, socket, sys, time
path, duration = sys.argv[1], float(sys.argv[2])
end = time.time() + duration
counts = {}
def ask(req, read_all=True, timeout=30):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall((json.dumps(req) + "\n").encode())
        if not read_all:
            s.recv(4096); time.sleep(1); return
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(65536)
            if not c: break
            buf += c
        counts[req["cmd"]] = counts.get(req["cmd"], 0) + 1
    except OSError as e:
        counts["error " + str(e)] = counts.get("error " + str(e), 0) + 1
    finally:
        s.close()
idle = []
n = 0
while time.time() < end:
    n += 1
    ask({"cmd": "status"})
    ask({"cmd": "status", "units": ["crash.service"], "lines": 20})
    ask({"cmd": "logs", "units": ["flood.service"], "lines": 200})
    if n % 5 == 0:
        ask({"cmd": "restart", "units": ["idle%d.service" % (n // 5 % 100 + 1)]})
    if n % 10 == 0:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path); idle.append(s)
        if len(idle) > 20: idle.pop(0).close()
        ask({"cmd": "logs", "units": ["flood.service"], "follow": True}, read_all=False)
    time.sleep(0.2)
for s in idle: s.close()
print("client rounds:", n, json.dumps(counts, sort_keys=True))
PY
cpid=$!
(while kill -0 $cpid 2>/dev/null; do "$jinit" status --state "$tmp/state" >/dev/null 2>&1 || echo "cli status failed: $?"; sleep 10; done) >"$tmp/cli" 2>&1 &
echo "soak: jinit pid $jpid, dir $tmp, ${duration}s, sampling every ${interval}s"
echo "elapsed_s rss_kib fds threads${NMT:+ nmt_committed_kib heap_committed_kib}"
start=$(date +%s)
samples=()
while :; do
    now=$(( $(date +%s) - start ))
    line=$(sample "$now"); echo "$line"; samples+=("$line")
    [ "$now" -ge "$duration" ] && break
    sleep "$interval"
done
wait $cpid || true
echo "--- clients: $(cat "$tmp/clients")"
echo "--- cli failures: $(grep -c failed "$tmp/cli" || true)"
n=${#samples[@]}
echo "--- start:  ${samples[0]}"
echo "--- middle: ${samples[$((n / 2))]}"
echo "--- end:    ${samples[$((n - 1))]}"
"$jinit" status --state "$tmp/state" | tail -1
echo "crash.service restarts: $("$jinit" status --state "$tmp/state" --json | python3 -c 'import json,sys; print([u["restarts"] for u in json.load(sys.stdin)["units"] if u["name"]=="crash.service"][0])')"
echo "dog.service restarts: $("$jinit" status --state "$tmp/state" --json | python3 -c 'import json,sys; print([u["restarts"] for u in json.load(sys.stdin)["units"] if u["name"]=="dog.service"][0])')"
echo "watchdog timeouts in jinit's output: $(grep -ci watchdog "$tmp/out" || true)"
t0=$(date +%s.%N)
kill -TERM $jpid; rc=0; wait $jpid || rc=$?
echo "jinit exit $rc after SIGTERM in $(echo "$(date +%s.%N) - $t0" | bc) s; idle sleeps left: $(pgrep -fc "sleep $marker" || true)"
du -sh "$tmp" | cut -f1 | sed 's/^/disk used: /'
[ -n "${KEEP:-}" ] || rm -rf "$tmp"
