#!/usr/bin/env bash
# RSS of `jinit run` before, during and after 20,000 connection attempts on its control socket
# (issue 12). Usage: [JINIT_RUN_ARGS="--control-max-clients 1000"] bench/control-flood.sh [ATTEMPTS]   (as root)
set -euo pipefail
attempts=${1:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/jinit-flood-XXXX)
mkdir -p "$tmp/units"
for i in $(seq 1 20); do printf '[Service]\nExecStart=/bin/sleep 100000\n[Install]\nWantedBy=multi-user.target\n' > "$tmp/units/s$i.service"; done
"$here/jinit" run --units "$tmp/units" --state "$tmp/state" --runtime-base "$tmp" --state-base "$tmp" --logs-base "$tmp" \
    ${JINIT_RUN_ARGS:-} >"$tmp/out" 2>&1 &
jpid=$!
rss() { awk '/VmRSS/ {print $2}' /proc/$jpid/status; }
fds() { ls /proc/$jpid/fd | wc -l; }
for _ in $(seq 1 300); do "$here/jinit" status --state "$tmp/state" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 2
echo "heap bound: $(tr '\0' ' ' </proc/$jpid/cmdline | grep -o -- '-Xmx[^ ]*')"
echo "before: rss $(rss) KiB, fds $(fds)"
python3 - "$tmp/state/control.sock" "$attempts" <<'PY' &
import resource, socket, sys, time, errno
path, attempts = sys.argv[1], int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held, refused = [], 0
for i in range(attempts):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
        held.append(s)
    except OSError as e:
        refused += 1  # EAGAIN: the listen queue is full
        s.close()
    if len(held) > 5000:
        held.pop(0).close()
print(f"flood: {attempts} attempts, {refused} refused by the kernel (listen queue full)", flush=True)
time.sleep(3)
for s in held: s.close()
PY
fpid=$!
peak=0
while kill -0 $fpid 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.2; done
echo "during: peak rss $peak KiB"
sleep 15
echo "after 15 s: rss $(rss) KiB, fds $(fds)"
"$here/jinit" status --state "$tmp/state" | tail -1
kill -TERM $jpid; wait $jpid || true
rm -rf "$tmp"
