#!/usr/bin/env bash
# Issue 9: GET /api/v1/units and /metrics with many units, two builds side by side (e.g. before and
# after a change), rounds alternating. Per round and build: jinit run with N units (/bin/sleep), wait
# until all are active, then for T seconds each (ab -c 10 -k, after a short warm-up):
#   list     GET /api/v1/units            (requests/s)
#   metrics  GET /metrics                 (requests/s; every unit's state, CPU, memory, log counters)
#   one      GET /api/v1/units/s0001 one at a time WHILE ab loads the list: median latency (ms) of a
#            single-unit question, which waits its turn on the manager thread behind the list's
# Prints one line per round and build, then medians.
# Usage: bench/api-load/compare.sh DIR_A DIR_B [UNITS] [ROUNDS] [SECONDS]
#   DIR_x holds jinit.jar and lib/ (a target/ directory after `mvn package`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
a=$1 b=$2 units=${3:-1000} rounds=${4:-3} secs=${5:-15}
work=$(mktemp -d /tmp/api-compare.XXXXXX)
for x in a b; do mkdir -p "$work/$x"; d=${!x}; cp -r "$d/jinit.jar" "$d/lib" "$work/$x/"; done
mkdir -p "$work/units"
for i in $(seq -f '%04g' 1 "$units"); do
    printf '[Service]\nExecStart=/bin/sleep 100000\n[Install]\nWantedBy=multi-user.target\n' > "$work/units/s$i.service"
done
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=19100
results=$work/results
echo "units=$units rounds=$rounds seconds=$secs; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %5s %10s %12s %14s %9s\n' build round list_rps metrics_rps one_ms_p50 rss_mib
for r in $(seq "$rounds"); do
    for x in a b; do
        port=$((port+1)); rm -rf "$work/state" "$work/run" "$work/lib" "$work/log"
        "$J/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar "$work/$x/jinit.jar" run --units "$work/units" \
            --state "$work/state" --runtime-base "$work/run" --state-base "$work/lib" --logs-base "$work/log" \
            --api 127.0.0.1:$port >"$work/out" 2>"$work/err" &
        pid=$!
        base=http://127.0.0.1:$port
        n=0
        for _ in $(seq 1200); do
            n=$(curl -sf -m 30 $base/api/v1/units 2>/dev/null | grep -o '"sub":"running"' | wc -l) || n=0
            [ "$n" -ge "$units" ] && break; sleep 0.5
        done
        [ "$n" -ge "$units" ] || { echo "build $x: only $n of $units running" >&2; tail -5 "$work/err" >&2; exit 1; }
        ab -q -n 20 -c 5 $base/api/v1/units >/dev/null 2>&1 || true   # warm-up (JIT)
        ab -q -n 5 -c 1 $base/metrics >/dev/null 2>&1 || true
        list=$(ab -q -t "$secs" -n 1000000 -c 10 -k $base/api/v1/units 2>/dev/null | awk '/Requests per second/{print $4}')
        metrics=$(ab -q -t "$secs" -n 1000000 -c 10 -k $base/metrics 2>/dev/null | awk '/Requests per second/{print $4}')
        ab -q -t "$secs" -n 1000000 -c 10 -k $base/api/v1/units >/dev/null 2>&1 &
        abpid=$!
        sleep 1
        one=$(for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' $base/api/v1/units/s0001; done \
            | sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]*1000}')
        wait $abpid || true
        rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$pid/status)
        printf '%-5s %5d %10s %12s %14s %9s\n' $x $r "$list" "$metrics" "$one" "$rss" | tee -a "$results"
        kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians:"
for x in a b; do
    awk -v x=$x '$1==x' "$results" | python3 -c '
import sys, statistics as s
rows=[l.split() for l in sys.stdin]
m=lambda i: s.median(float(r[i]) for r in rows)
print(f"{sys.argv[1]}: list {m(2):.1f} req/s, metrics {m(3):.1f} req/s, one-unit latency under list load {m(4):.0f} ms, RSS {m(5):.0f} MiB")' $x
done
