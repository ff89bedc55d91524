#!/usr/bin/env bash
# Issue 9: Jetty 12 vs Helidon SE 4 (and the JDK's com.sun.net.httpserver, which has no WebSocket) with
# a hello route + an echo WebSocket. Per start: wall time to "ready" and to a served HTTP request plus a
# WebSocket echo, CPU time, RSS, threads; then classes loaded (-Xlog:class+load) in one extra start each.
# Usage: bench/http-libs/run.sh [ROUNDS]   (needs Maven Central for the two dependency sets; ~3 min)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
rounds=${1:-5}
work=$(mktemp -d /tmp/http-libs.XXXXXX)
trap 'rm -rf "$work"' EXIT
for v in jetty helidon jdk; do
    mkdir -p "$work/$v" && cp "$here/$v/"* "$work/$v/"
    if [ -f "$work/$v/pom.xml" ]; then
        (cd "$work/$v" && JAVA_HOME=$J mvn -B -ntp -q dependency:copy-dependencies -DoutputDirectory=lib >/dev/null)
    else mkdir -p "$work/$v/lib"; fi
    (cd "$work/$v" && "$J/bin/javac" -cp 'lib/*' -d classes Hello.java)
done
port=18900
start() { # variant, extra java args... ; sets pid
    local v=$1; shift; port=$((port+1))
    (cd "$work/$v" && exec "$J/bin/java" -XX:+UseSerialGC -Xshare:auto "$@" -cp "classes:lib/*" Hello $port >out.txt 2>err.txt) &
    pid=$!
    for _ in $(seq 6000); do grep -q ready "$work/$v/out.txt" 2>/dev/null && return 0; kill -0 $pid 2>/dev/null || return 1; sleep 0.005; done
    return 1
}
probe() { if [ "$1" = jdk ]; then curl -sf "http://127.0.0.1:$port/" >/dev/null; else python3 "$here/wsprobe.py" $port >/dev/null; fi; }
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %9s %7s %8s %8s\n' lib ready_ms served_ms cpu_ms rss_mib threads
for r in $(seq "$rounds"); do
    for v in jdk jetty helidon; do
        t0=$(date +%s%N); start $v; t1=$(date +%s%N); probe $v; t2=$(date +%s%N)
        cpu=$(awk '{print ($14+$15)*10}' /proc/$pid/stat)
        sleep 1
        rss=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$pid/status); thr=$(ls /proc/$pid/task | wc -l)
        printf '%-8s %8d %9d %7d %8s %8d\n' $v $(( (t1-t0)/1000000 )) $(( (t2-t0)/1000000 )) $cpu $rss $thr
        kill $pid; wait $pid 2>/dev/null || true
    done
done
for v in jdk jetty helidon; do
    start $v -Xlog:class+load=info:file="$work/$v.classes"; probe $v; sleep 1; kill $pid; wait $pid 2>/dev/null || true
    echo "$v classes loaded after serving: $(grep -c . "$work/$v.classes") ($(grep -c 'shared objects file' "$work/$v.classes") from the CDS archive); jars: $(ls "$work/$v/lib" | wc -l), $(du -sh "$work/$v/lib" | cut -f1)"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
