#!/usr/bin/env bash
# Issue 8 benchmarks, side by side in one run (root; needs ip, dnsmasq, busybox):
#  1. start-up cost of the network part in `jinit run`: classes loaded and wall time to "supervising",
#     with a static .network file vs with none (the part is not loaded at all then);
#  2. link up to address configured against dnsmasq: jinit's DHCP client (its own "online after N ms",
#     measured from the part's start inside the running JVM) next to busybox udhcpc (whole process) in
#     the same namespaces;
#  3. jinit's extra RSS with a lease held (VmRSS of jinit run with a DHCP .network vs with none).
# Usage: bench/net.sh   (ROUNDS=5 by default; raw output in bench/out/net)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROUNDS=${ROUNDS:-5}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
mvn -q -B -o test-compile >/dev/null 2>&1 || { echo "bench/net.sh: mvn test-compile failed" >&2; exit 1; }
CP="target/classes:$( (ls target/lib/*.jar 2>/dev/null || true) | tr '\n' ':')$HOME/.m2/repository/com/google/code/gson/gson/2.13.2/gson-2.13.2.jar"
out=$PWD/bench/out/net
rm -rf "$out" && mkdir -p "$out"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
S=jbench-srv-$$ C=jbench-cli-$$
cleanup() { [ -n "${DNSMASQ:-}" ] && kill "$DNSMASQ" 2>/dev/null; ip netns del $S 2>/dev/null; ip netns del $C 2>/dev/null; true; }
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add $S; ip netns add $C
ip link add s0 netns $S type veth peer name c0 netns $C
ip -n $S addr add 10.97.0.1/24 dev s0; ip -n $S link set s0 up; ip -n $C link set lo up
ip netns exec $S dnsmasq --keep-in-foreground --port=0 --conf-file=/dev/null --interface=s0 --bind-interfaces \
    --dhcp-range=10.97.0.50,10.97.0.250,255.255.255.0,2m --dhcp-leasefile=$out/leases --pid-file=$out/dnsmasq.pid \
    --dhcp-authoritative --user=root 2>$out/dnsmasq.log & DNSMASQ=$!
echo "# bench/net.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# One jinit run in the client namespace with the given .network text (or none); prints
# "<ms to supervising> <classes loaded> <net classes> <online ms or -> <VmRSS kB>" and stops it.
run_jinit() {
    local net="$1" tag="$2" d; d=$(mktemp -d "$out/run-XXXX")
    mkdir -p "$d/units"; [ -n "$net" ] && printf '%s\n' "$net" > "$d/units/10-c0.network"
    rm -f "$d/leases"; ip -n $C addr flush dev c0; ip -n $C link set c0 down
    local t0; t0=$(date +%s%N)
    ip netns exec $C "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Xlog:class+load=info:file=$d/classes.log -cp "$CP" dev.jinit.cli.Main run --units "$d/units" --state "$d/state" \
        --runtime-base "$d" --state-base "$d" --logs-base "$d" --no-cgroup >"$d/out" 2>&1 & local pid=$!
    while ! grep -q "jinit: supervising" "$d/out" 2>/dev/null; do sleep 0.01; done
    local t1; t1=$(date +%s%N)
    # The part no longer holds back "supervising" (only network-online.target waits): for the RSS with
    # the lease held, wait for the network to be online first (bounded).
    if [ -n "$net" ]; then
        for _ in $(seq 600); do grep -q "network: online after" "$d/out" 2>/dev/null && break; sleep 0.05; done
    fi
    sleep 0.5
    local jpid; jpid=$(pgrep -P $pid java || echo $pid)
    local rss; rss=$(awk '/VmRSS/ {print $2}' /proc/$jpid/status)
    kill -TERM $pid; wait $pid || true
    local online; online=$(sed -n 's/.*network: online after \([0-9]*\) ms.*/\1/p' "$d/out"); online=${online:--}
    echo "$(( (t1 - t0) / 1000000 )) $(wc -l < $d/classes.log) $(grep -c 'dev.jinit.net\.\|dev.jinit.linux.\(Netlink\|PacketSocket\|UdpSocket\|Sockets\)' $d/classes.log) $online $rss" | tee -a "$out/$tag"
}

udhcpc_once() {
    ip -n $C addr flush dev c0; ip -n $C link set c0 down
    cat > $out/udhcpc.script <<'S'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
exit 0
S
    chmod +x $out/udhcpc.script
    local t0; t0=$(date +%s%N)
    ip -n $C link set c0 up
    timeout 60 ip netns exec $C busybox udhcpc -i c0 -n -q -f -s $out/udhcpc.script >/dev/null 2>&1
    echo $(( ($(date +%s%N) - t0) / 1000000 )) | tee -a "$out/udhcpc"
}

for r in $(seq "$ROUNDS"); do
    echo "round $r: none"; run_jinit "" none
    echo "round $r: static"; run_jinit $'[Match]\nName=c0\n[Network]\nAddress=10.97.0.9/24\nGateway=10.97.0.1' static
    echo "round $r: dhcp"; run_jinit $'[Match]\nName=c0\n[Network]\nDHCP=yes\n[DHCPv4]\nClientIdentifier=mac' dhcp
    echo "round $r: udhcpc"; udhcpc_once
done
echo
echo "medians over $ROUNDS rounds (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
for t in none static dhcp; do
    printf '%-8s to supervising %s ms, classes %s (net %s), online after %s ms, RSS %s kB\n' "$t" \
        "$(cut -d' ' -f1 $out/$t | median)" "$(cut -d' ' -f2 $out/$t | median)" "$(cut -d' ' -f3 $out/$t | median)" \
        "$(cut -d' ' -f4 $out/$t | grep -v -- - | median | grep . || echo -)" "$(cut -d' ' -f5 $out/$t | median)"
done
printf 'udhcpc   link up to address configured %s ms (whole process)\n' "$(median < $out/udhcpc)"
