#!/usr/bin/env bash
# Issue 9: what the HTTP API costs jinit (PID 1 pays for every dependency). `jinit run` on 3 units,
# rounds alternating without and with --api 127.0.0.1:PORT. Per start: wall time from launch to the
# first unit's first instruction, to /healthz answering (with --api), jinit's CPU time, RSS and
# threads after one GET /api/v1/units and a WebSocket log follow; then classes loaded
# (-Xlog:class+load) in one extra start each.
# (%% in the unit file: systemd specifiers, %s would be the shell.)
# Usage: bench/api-cost.sh [ROUNDS]   (from the repository root, after `mvn package`; ~2 min)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-5}
work=$(mktemp -d /tmp/api-cost.XXXXXX)
cp -r "$root/target/jinit.jar" "$root/target/lib" "$work/" # a rebuild during the run must not change the jar
mkdir -p "$work/units"
for u in a b c; do
    cat > "$work/units/$u.service" <<UNIT
[Service]
ExecStart=/bin/sh -c 'date +%%s%%N > $work/started-$u; exec sleep 100000'
[Install]
WantedBy=multi-user.target
UNIT
done
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=18950
run_jinit() { # api(yes/no) extra-java-args...
    local api=$1; shift; port=$((port+1)); rm -f "$work"/started-*; rm -rf "$work/state"
    local extra=(); [ "$api" = yes ] && extra=(--api 127.0.0.1:$port)
    "$J/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC "$@" -jar "$work/jinit.jar" run --units "$work/units" \
        --state "$work/state" --runtime-base "$work/run" --state-base "$work/lib" --logs-base "$work/log" "${extra[@]}" \
        >"$work/out" 2>"$work/err" &
    pid=$!
}
wait_for() { for _ in $(seq 6000); do eval "$1" && return 0; sleep 0.005; done; echo "timeout: $1" >&2; return 1; }
stop_jinit() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %14s %12s %7s %8s %8s\n' api first_unit_ms healthz_ms cpu_ms rss_mib threads
for r in $(seq "$rounds"); do
    for api in no yes; do
        t0=$(date +%s%N); run_jinit $api
        wait_for '[ -s $work/started-a ] && [ -s $work/started-b ] && [ -s $work/started-c ]'
        first=$(sort -n "$work"/started-* | head -1)
        h=-
        if [ $api = yes ]; then
            wait_for 'curl -sf -m 1 http://127.0.0.1:$port/healthz >/dev/null'; h=$(( ($(date +%s%N)-t0)/1000000 ))
            curl -sf http://127.0.0.1:$port/api/v1/units >/dev/null
            python3 "$root/bench/http-libs/wsprobe.py" $port >/dev/null 2>&1 || true # HTTP + a WebSocket handshake
        fi
        sleep 2
        cpu=$(awk '{print ($14+$15)*10}' /proc/$pid/stat)
        rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$pid/status); thr=$(ls /proc/$pid/task | wc -l)
        printf '%-4s %14d %12s %7d %8s %8d\n' $api $(( (first-t0)/1000000 )) "$h" "$cpu" "$rss" "$thr"
        stop_jinit
    done
done
for api in no yes; do
    run_jinit $api -Xlog:class+load=info:file="$work/classes-$api"
    wait_for '[ -s $work/started-c ]'
    [ $api = yes ] && wait_for 'curl -sf -m 1 http://127.0.0.1:$port/api/v1/units >/dev/null'
    sleep 1; stop_jinit
    echo "api=$api classes loaded: $(grep -c . "$work/classes-$api") ($(grep -c 'shared objects file' "$work/classes-$api") from CDS)"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
