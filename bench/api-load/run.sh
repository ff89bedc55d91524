#!/usr/bin/env bash
# Issue 9: requests/s of GET /api/v1/units with 100 units (ab, from Debian's apache2-utils), and log
# lines/s delivered to 10 WebSocket subscribers while one unit floods, beside the pump's own rate.
# Usage: [REQUESTS=500] bench/api-load/run.sh   (from the repository root after `mvn package`; ~2 min)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d /tmp/api-load.XXXXXX)
cp -r "$root/target/jinit.jar" "$root/target/lib" "$work/"
mkdir -p "$work/units"
for i in $(seq -w 1 100); do
    printf '[Service]\nExecStart=/bin/sleep 100000\n[Install]\nWantedBy=multi-user.target\n' > "$work/units/s$i.service"
done
# numbered lines as fast as python can write them (started by the fan-out client)
printf '[Service]\nExecStart=/usr/bin/python3 -c "import sys\\nw=sys.stdout.write\\ni=0\\nwhile True:\\n  w(\\"n%%%%d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\\\n\\" %%%% i); i+=1"\n' > "$work/units/flood.service"
port=18990
"$J/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar "$work/jinit.jar" run --units "$work/units" \
    --state "$work/state" --runtime-base "$work/run" --state-base "$work/lib" --logs-base "$work/log" --api 127.0.0.1:$port \
    >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
base=http://127.0.0.1:$port
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1200); do
    n=$(curl -sf $base/api/v1/units 2>/dev/null | grep -o '"active":"active"' | wc -l) || n=0
    [ "$n" -ge 100 ] && break; sleep 0.5
done
echo "units active: $n"
ab -q -n 100 -c 10 $base/api/v1/units >/dev/null 2>&1   # warm-up (JIT)
ab -q -n ${REQUESTS:-500} -c 10 -k $base/api/v1/units | grep -E 'Requests per second|Time per request|Failed requests|Document Length'
"$J/bin/java" "$root/bench/api-load/Fanout.java" $base 10 10
echo "jinit RSS after: $(awk '/VmRSS/{printf "%.1f MiB", $2/1024}' /proc/$pid/status)"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
