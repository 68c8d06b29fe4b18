#!/usr/bin/env bash
# Wall time of one 16-trial digits sweep three ways (docs/SPARK.md, "Benchmark"):
#   threads  ./machina tune … --parallel 2                  trials on 2 threads of one JVM
#   local    ./machina tune … --spark 'local[2]'            Spark in the CLI's JVM, 2 task slots
#   cluster  ./machina tune … --spark spark://127.0.0.1:P   a standalone Master + 2 Workers (1 core, 1 GB each)
# The sweep is examples/digits-sweep.yaml as a random search (16 trials × 9 epochs, no pruning, so
# every way does the same work); times are of the whole command (JVM and Spark start included),
# without the report (--no-report). The cluster is started from machina-spark/target/lib's jars
# (built by the first --spark) on 127.0.0.1 and killed at the end (bench/spark_cluster.sh).
#   bash bench/spark_sweep.sh [REPEATS]        (default 2; prints one line per run and the best of each)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${1:-2}"
cd "$ROOT"
SWEEP=(tune examples/digits-sweep.yaml --set strategy=random --no-report --progress none)
./machina "${SWEEP[@]}" --spark 'local[1]' --help >/dev/null   # builds the CLI and machina-spark when needed
source "$ROOT/bench/spark_cluster.sh"   # start_cluster: a standalone Master and Workers from the build's jars, killed at exit
start_cluster 2

declare -A BEST
run() { # NAME ARGS…
  local name="$1" t0 t1 s; shift
  t0=$(date +%s.%N)
  ./machina "${SWEEP[@]}" --runs "$WORK/runs-$name" "$@" >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out" >&2; exit 1; }
  t1=$(date +%s.%N)
  s=$(python3 -c "print(f'{$t1-$t0:.1f}')")
  echo "$name: ${s} s ($(grep -o 'sweep .*trial(s), [0-9]* at a time' "$WORK/$name.out" | head -n1))"
  if [ -z "${BEST[$name]:-}" ] || python3 -c "import sys; sys.exit(0 if $s < ${BEST[$name]} else 1)"; then BEST[$name]=$s; fi
}
for _ in $(seq 1 "$REPEATS"); do
  run threads --parallel 2
  run local --spark 'local[2]'
  run cluster --spark "$MASTER_URL"
done
echo "best of $REPEATS: threads ${BEST[threads]} s, local[2] ${BEST[local]} s, cluster ${BEST[cluster]} s"
