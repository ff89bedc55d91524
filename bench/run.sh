#!/usr/bin/env bash
# Issue 3 benchmarks: `jinit run` against runit (runsvdir), s6 (s6-svscan) and supervisord (supervisord -n),
# side by side in one run: start to N=1/100/1000 services running, supervisor-tree RSS at each N,
# crash-to-restarted latency with no restart delay, and log throughput (jinit's pipeline, append:,
# svlogd, s6-log, supervisord's log file). Run as root; takes about 10 minutes with the defaults.
# The measurement driver is bench/supervisors.py (its docstring says exactly what is measured);
# any option given here is passed to it, e.g.  bench/run.sh --ns 1,100 --rounds 5 --parts start
# Raw results: bench/out/run.json.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
for tool in runsvdir svlogd s6-svscan s6-log supervisord python3; do
    command -v "$tool" >/dev/null || { echo "bench/run.sh: needs $tool (apt-get install runit s6 supervisor python3)" >&2; exit 1; }
done
# Debian's runit and supervisor packages ship system services; none of them may be running during the benchmark.
if pgrep -x runsvdir >/dev/null || pgrep -f '^/usr/bin/python3 /usr/bin/supervisord' >/dev/null || pgrep -x s6-svscan >/dev/null; then
    echo "bench/run.sh: a runsvdir, s6-svscan or supervisord is already running; stop it first" >&2; exit 1
fi
./jinit exec -- /bin/true                 # builds target/jinit.jar and trains target/jinit.aot if needed
mkdir -p bench/out
echo "# bench/run.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
exec python3 bench/supervisors.py --java-home "$JAVA_HOME" --json bench/out/run.json "$@"
