#!/usr/bin/env bash
# Issue 2 benchmarks, side by side in one run (run as root on an otherwise idle machine):
#  1. spawn+reap of /bin/true: jinit's Spawner vs ProcessBuilder vs the same loop in C,
#     plus the extra cost of a throwaway-thread spawn and of a gated spawn;
#  2. the Reaper's zombie-draining rate;
#  3. wall time of `jinit exec -- /bin/true` next to `tini -- /bin/true` and `dumb-init /bin/true`.
# Rounds alternate between the contenders so machine noise hits all of them alike; medians are printed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROUNDS=${ROUNDS:-5}
N=${N:-2000}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
for tool in tini dumb-init hyperfine gcc; do
    command -v "$tool" >/dev/null || { echo "bench/exec.sh: needs $tool (apt-get install tini dumb-init hyperfine gcc)" >&2; exit 1; }
done
./jinit --help >/dev/null                       # builds target/jinit.jar if needed
mvn -q -B -o test-compile >/dev/null
out=$(mktemp -d)
gcc -O2 -o "$out/spawn-baseline" bench/spawn-baseline.c
CP=target/classes:target/test-classes
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for r in $(seq "$ROUNDS"); do
    "$out/spawn-baseline" "$N" | awk '{print $(NF-1)}' >> "$out/c"
    "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$CP" dev.jinit.exec.SpawnBench "$N" > "$out/java.$r"
    grep '^Spawner (posix_spawn' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/spawner"
    grep '^ProcessBuilder' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/pb"
    grep 'throwaway thread' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/throwaway"
    grep 'exec gate' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/gate"
    "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$CP" dev.jinit.exec.ReaperBench 5000 | awk '{print $(NF-1)}' >> "$out/reaper"
done
c=$(median < "$out/c"); sp=$(median < "$out/spawner"); pb=$(median < "$out/pb")
tw=$(median < "$out/throwaway"); gt=$(median < "$out/gate"); rp=$(median < "$out/reaper")
echo "## spawn+reap of /bin/true, N=$N, median of $ROUNDS rounds (spawns/s)"
printf '%-40s %8.0f\n' "C posix_spawn+waitpid loop" "$c" "jinit Spawner" "$sp" "ProcessBuilder" "$pb" \
    "jinit Spawner, throwaway thread (UMask)" "$tw" "jinit Spawner, exec gate (LimitNOFILE)" "$gt"
awk -v c="$c" -v s="$sp" -v p="$pb" -v t="$tw" -v g="$gt" 'BEGIN {
    printf "Spawner / C = %.2f   Spawner / ProcessBuilder = %.2f\n", s / c, s / p;
    printf "extra cost per spawn: throwaway thread %+.0f us, exec gate %+.0f us\n", 1e6 / t - 1e6 / s, 1e6 / g - 1e6 / s }'
echo "## Reaper: 5000 zombies drained, median of $ROUNDS rounds: $rp exits/s"
echo "## wall time of a whole run of /bin/true under each (hyperfine, median)"
hyperfine -N -w 5 -r 40 --export-json "$out/wall.json" \
    "$JAVA --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto $(./jinit --print-java-options 2>/dev/null) -jar target/jinit.jar exec -- /bin/true" \
    "tini -s -- /bin/true" "dumb-init /bin/true" >/dev/null
python3 - "$out/wall.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["jinit exec -- /bin/true", "tini -s -- /bin/true", "dumb-init /bin/true"]
for name, x in zip(names, r):
    print(f"{name:32s} median {x['median']*1000:8.1f} ms")
print(f"jinit / tini = {r[0]['median']/r[1]['median']:.1f}x   jinit / dumb-init = {r[0]['median']/r[2]['median']:.1f}x")
PY
rm -rf "$out"
