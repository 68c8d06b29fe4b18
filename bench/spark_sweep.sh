#!/usr/bin/env bash
# Wall time of one 16-trial digits sweep three ways (docs/SPARK.md, "Benchmark"):
#   threads  ./machina tune … --parallel 2                  trials on 2 threads of one JVM
#   local    ./machina tune … --spark 'local[2]'            Spark in the CLI's JVM, 2 task slots
#   cluster  ./machina tune … --spark spark://127.0.0.1:P   a standalone Master + 2 Workers (1 core, 1 GB each)
# The sweep is examples/digits-sweep.yaml as a random search (16 trials × 9 epochs, no pruning, so
# every way does the same work); times are of the whole command (JVM and Spark start included),
# without the report (--no-report). The cluster is started from machina-spark/target/lib's jars
# (built by the first --spark) on 127.0.0.1 and killed at the end.
#   bash bench/spark_sweep.sh [REPEATS]        (default 2; prints one line per run and the best of each)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${1:-2}"
cd "$ROOT"
SWEEP=(tune examples/digits-sweep.yaml --set strategy=random --no-report --progress none)
WORK="$(mktemp -d /tmp/machina-spark-bench.XXXXXX)"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do pkill -9 -P "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
export SPARK_LOCAL_IP=127.0.0.1   # driver, master, workers and executors on the loopback interface

./machina "${SWEEP[@]}" --spark 'local[1]' --help >/dev/null   # builds the CLI and machina-spark when needed
JAVA="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}/bin/java"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MASTER_PORT=$(free_port); WEB_PORT=$(free_port)
mkdir -p "$WORK/spark-home/jars"
ln -s "$ROOT"/machina-spark/target/lib/*.jar "$WORK/spark-home/jars/"
export SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_DIRS="$WORK/local"
"$JAVA" -Xmx256m -Dspark.master.rest.enabled=false -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" \
  --webui-port "$WEB_PORT" >"$WORK/master.log" 2>&1 &
PIDS+=($!)
for i in 1 2; do
  "$JAVA" -Xmx256m -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$MASTER_PORT" --host 127.0.0.1 \
    --cores 1 --memory 1g --webui-port "$(free_port)" --work-dir "$WORK/work-$i" >"$WORK/worker-$i.log" 2>&1 &
  PIDS+=($!)
done
alive() { python3 -c "import json, urllib.request as u; d = json.load(u.urlopen('http://127.0.0.1:$WEB_PORT/json', timeout=5)); print(sum(w['state'] == 'ALIVE' for w in d['workers']))" 2>/dev/null || echo 0; }
for _ in $(seq 1 240); do [ "$(alive)" -ge 2 ] && break; sleep 0.5; done
[ "$(alive)" -ge 2 ] || { echo "the cluster did not start; logs in $WORK" >&2; KEEP=1; exit 1; }

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
  run cluster --spark "spark://127.0.0.1:$MASTER_PORT"
done
echo "best of $REPEATS: threads ${BEST[threads]} s, local[2] ${BEST[local]} s, cluster ${BEST[cluster]} s"
