#!/usr/bin/env bash
# Issue 2 benchmarks, side by side in one run (run as root; the machine's load is printed with the results):
#  1. spawn+reap of /bin/true: jinit's Spawner vs ProcessBuilder vs the same loop in C (compiled here),
#     plus the extra cost of a throwaway-thread spawn and of a gated spawn;
#  2. the Reaper's zombie-draining rate;
#  3. wall time and peak RSS of `jinit exec -- /bin/true` (the launcher as users type it, and the bare
#     java command with and without the AOT cache) next to `tini -- /bin/true` and `dumb-init /bin/true`;
#  4. start-up details: the launcher's own overhead, and whether Gson (a main dependency) is loaded by `exec`.
# Rounds alternate between the contenders so machine noise hits all of them alike; medians are printed.
# Usage: bench/exec.sh            (ROUNDS=9 N=1000 RUNS=40 by default; raw results stay in bench/out/exec)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROUNDS=${ROUNDS:-9}
N=${N:-1000}
RUNS=${RUNS:-40}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
for tool in tini dumb-init gcc python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench/exec.sh: needs $tool (apt-get install tini dumb-init gcc python3 time)" >&2; exit 1; }
done
./jinit exec -- /bin/true >/dev/null      # builds target/jinit.jar and trains target/jinit.aot if needed
[ -f target/jinit.aot ] || { echo "bench/exec.sh: the launcher did not produce target/jinit.aot" >&2; exit 1; }
mvn -q -B -o test-compile >/dev/null 2>&1 || { echo "bench/exec.sh: mvn test-compile failed" >&2; exit 1; }
out=bench/out/exec
rm -rf "$out" && mkdir -p "$out"
gcc -O2 -o "$out/spawn-baseline" bench/spawn-baseline.c
CP=target/classes:target/test-classes
JOPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "# bench/exec.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

for r in $(seq "$ROUNDS"); do
    "$out/spawn-baseline" "$N" | awk '{print $(NF-1)}' >> "$out/c"
    "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.jinit.exec.SpawnBench "$N" > "$out/java.$r"
    grep '^Spawner (posix_spawn' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/spawner"
    grep '^ProcessBuilder' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/pb"
    grep 'throwaway thread' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/throwaway"
    grep 'exec gate' "$out/java.$r" | awk '{print $(NF-4)}' >> "$out/gate"
    "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.jinit.exec.ReaperBench 5000 | awk '{print $(NF-1)}' >> "$out/reaper"
done
c=$(median < "$out/c"); sp=$(median < "$out/spawner"); pb=$(median < "$out/pb")
tw=$(median < "$out/throwaway"); gt=$(median < "$out/gate"); rp=$(median < "$out/reaper")
echo "## spawn+reap of /bin/true, N=$N, median of $ROUNDS rounds (spawns/s)"
printf '%-42s %8.0f\n' "C posix_spawn+waitpid loop" "$c" "jinit Spawner" "$sp" "ProcessBuilder" "$pb" \
    "jinit Spawner, throwaway thread (UMask)" "$tw" "jinit Spawner, exec gate (LimitNOFILE)" "$gt"
# Ratios per round (the C loop runs seconds before the JVM's loops, ProcessBuilder right after the
# Spawner in the same JVM), then their median: pairs measured close in time suffer the same load.
rc=$(paste "$out/spawner" "$out/c" | awk '{print $1 / $2}' | median)
rp_=$(paste "$out/spawner" "$out/pb" | awk '{print $1 / $2}' | median)
echo "median of per-round ratios: Spawner / C = $rc   Spawner / ProcessBuilder = $rp_   (goal: >= 0.8 and >= 3)"
awk -v c="$c" -v s="$sp" -v p="$pb" -v t="$tw" -v g="$gt" 'BEGIN {
    printf "ratios of the medians:      Spawner / C = %.2f   Spawner / ProcessBuilder = %.2f\n", s / c, s / p;
    printf "extra cost per spawn: throwaway thread %+.0f us, exec gate %+.0f us\n", 1e6 / t - 1e6 / s, 1e6 / g - 1e6 / s }'
echo "## Reaper: 5000 zombies drained, median of $ROUNDS rounds: $rp exits/s"

# The same command lines the launcher runs (see ./jinit), spelled out so the launcher's own cost shows.
JAR=$PWD/target/jinit.jar
AOT=$PWD/target/jinit.aot
EXEC_OPTS="--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
names=("./jinit exec -- /bin/true (launcher, AOT cache)"
       "java -jar jinit.jar exec (AOT cache)"
       "java -jar jinit.jar exec (no AOT, default CDS)"
       "java -cp jinit.jar exec (no Gson on the class path)"
       "tini -s -- /bin/true"
       "dumb-init /bin/true"
       "/bin/true alone"
       "launcher's Java version probe")
cmds=("./jinit exec -- /bin/true"
      "$JAVA $EXEC_OPTS -XX:AOTCache=$AOT -Xlog:aot*=off,cds*=off -jar $JAR exec -- /bin/true"
      "$JAVA $EXEC_OPTS -Xshare:auto -jar $JAR exec -- /bin/true"
      "$JAVA $EXEC_OPTS -Xshare:auto -cp $JAR dev.jinit.cli.Main exec -- /bin/true"
      "tini -s -- /bin/true"
      "dumb-init /bin/true"
      "/bin/true"
      "$JAVA -XshowSettings:properties -version")
echo "## wall time and peak RSS of a whole run: $RUNS runs each, the commands interleaved round-robin (medians)"
python3 - "$RUNS" "$out/wall.json" "${names[@]}" -- "${cmds[@]}" <<'PY'
import json, os, statistics, sys, time
runs, dump = int(sys.argv[1]), sys.argv[2]
sep = sys.argv.index("--")
names, cmds = sys.argv[3:sep], [c.split() for c in sys.argv[sep + 1:]]
wall = {k: [] for k in range(len(cmds))}
rss = {k: [] for k in range(len(cmds))}
devnull = os.open(os.devnull, os.O_RDWR)
fa = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
for r in range(runs + 3):                      # the first 3 rounds warm the page cache and are dropped
    order = list(range(len(cmds)))
    order = order[r % len(order):] + order[:r % len(order)]
    for k in order:
        t0 = time.perf_counter()
        pid = os.posix_spawnp(cmds[k][0], cmds[k], os.environ, file_actions=fa)
        _, status = os.waitpid(pid, 0)
        t = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{names[k]}: exit status {status}")
        if r >= 3:
            wall[k].append(t)
# Peak RSS through GNU time, in a pass of its own: a child spawned from this Python process (vfork or fork)
# would have Python's own pages counted in its ru_maxrss; GNU time is small. %M is in KiB, and is the
# largest of the process and its reaped descendants (for the launcher: the version probe or the real JVM).
rss_file = dump + ".rss"
for r in range(11):
    for k in range(len(cmds)):
        pid = os.posix_spawnp("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmds[k], os.environ,
                              file_actions=fa)
        os.waitpid(pid, 0)
        rss[k].append(int(open(rss_file).read().split()[-1]))
json.dump({"names": names, "wall_s": wall, "maxrss_kib": rss}, open(dump, "w"))
med = {k: statistics.median(v) for k, v in wall.items()}
for k, name in enumerate(names):
    print(f"{name:52s} median {med[k]*1000:7.1f} ms  (min {min(wall[k])*1000:6.1f})  peak RSS {statistics.median(rss[k])/1024:6.1f} MiB")
print(f"./jinit / tini = {med[0]/med[4]:.0f}x   ./jinit / dumb-init = {med[0]/med[5]:.0f}x   "
      f"AOT: {med[1]*1000:.0f} ms vs {med[2]*1000:.0f} ms without ({med[1]/med[2]:.2f}x)   "
      f"launcher adds {(med[0]-med[1])*1000:.0f} ms over bare java   Gson off the class path: {(med[3]-med[2])*1000:+.0f} ms")
PY

echo "## classes loaded by exec (-verbose:class)"
total=$("$JAVA" $EXEC_OPTS -Xshare:auto -verbose:class -jar "$JAR" exec -- /bin/true | grep -c '^\[.*class,load')
gson=$("$JAVA" $EXEC_OPTS -Xshare:auto -verbose:class -jar "$JAR" exec -- /bin/true | grep -c 'com\.google\.gson' || true)
echo "exec: $total classes loaded, $gson of them Gson"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
