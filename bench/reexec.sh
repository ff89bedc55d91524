#!/usr/bin/env bash
# Issue 12: how long `jinit daemon-reexec` takes (the command returns once the new jinit answers: its
# JVM started, unit files loaded, every unit taken over), and how long a jinit started after a SIGKILL
# of the previous one takes until it answers with every unit taken over; N sleep units, ROUNDS rounds
# each, medians. Checks that no unit's pid changed. Usage: bench/reexec.sh [N] [ROUNDS]  (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100}; rounds=${2:-5}
jinit="$here/jinit"
dir=$(mktemp -d /tmp/jinit-reexec-bench.XXXX)
mkdir -p "$dir/units"
for i in $(seq 1 "$n"); do
    printf '[Service]\nExecStart=/bin/sleep 100%05d\n[Install]\nWantedBy=multi-user.target\n' "$i" > "$dir/units/s$i.service"
done
args=(--units "$dir/units" --state "$dir/state" --runtime-base "$dir/run" --state-base "$dir/lib" --logs-base "$dir/log")
start_jinit() { setsid "$jinit" run "${args[@]}" >>"$dir/out" 2>&1 < /dev/null & echo $! > "$dir/pid"; }
pids() { "$jinit" status --state "$dir/state" | awk '/^s[0-9]+\.service/ {print $1, $5}' | sort; }
running() { [ "$("$jinit" status --state "$dir/state" 2>/dev/null | grep -c 'active   running')" -ge "$n" ]; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cleanup() { kill "$(cat "$dir/pid")" 2>/dev/null || true; sleep 3; rm -rf "$dir"; }
trap cleanup EXIT
start_jinit
until running; do sleep 0.2; done
before=$(pids)
for r in $(seq 1 "$rounds"); do
    t0=$(now); "$jinit" daemon-reexec --state "$dir/state"; t1=$(now)
    [ "$(pids)" = "$before" ] || { echo "pids changed after daemon-reexec" >&2; exit 1; }
    echo "$t1 - $t0" | bc >> "$dir/reexec.times"
done
for r in $(seq 1 "$rounds"); do
    kill -9 "$(cat "$dir/pid")"; t0=$(now); start_jinit
    until running; do sleep 0.05; done; t1=$(now)
    [ "$(pids)" = "$before" ] || { echo "pids changed after the crash" >&2; exit 1; }
    echo "$t1 - $t0" | bc >> "$dir/crash.times"
done
echo "units=$n rounds=$rounds load=$(cut -d' ' -f1 /proc/loadavg)"
echo "daemon-reexec until the new jinit answers: median $(median < "$dir/reexec.times") s (all: $(tr '\n' ' ' < "$dir/reexec.times"))"
echo "SIGKILL + new jinit until all $n running (taken over): median $(median < "$dir/crash.times") s (all: $(tr '\n' ' ' < "$dir/crash.times"))"
echo "pids unchanged through all rounds: yes"
