#!/usr/bin/env bash
# Data-parallel training on Spark, measured (docs/SPARK.md, "Measured"):
#  1. the gradient exchange per step against model size (ExchangeBench), 2 workers, on local[2]
#     and on a standalone Master + 2 Workers (1 core, 1 GB each) on 127.0.0.1;
#  2. the Fashion-MNIST MLP's epoch time (examples/fashion-mlp.yaml, no dropout so every way does
#     the same steps; epoch 2 of 2, after the JIT's warm-up) in one process on 1 and 2 threads,
#     and data-parallel with 1 and 2 workers on the cluster (1 thread each).
#   bash bench/spark_train.sh [REPEATS]    (default 30 exchanges per size)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPEATS="${1:-30}"
./machina train --spark 'local[1]' --help >/dev/null   # builds the CLI and machina-spark when needed
source "$ROOT/bench/spark_cluster.sh"
start_cluster 2
CP="$ROOT/machina-cli/target/machina-cli.jar:$ROOT/machina-spark/target/machina-spark.jar:$ROOT/machina-spark/target/lib/*"
eval "$(sed -n '/^SPARK_FLAGS=(/,/)$/p' "$ROOT/machina")"   # the JVM flags the launcher gives a --spark JVM
FLAGS=(--add-modules jdk.incubator.vector -Xss4m "${SPARK_FLAGS[@]}")
for m in 'local[2]' "$MASTER_URL"; do
  "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.machina.spark.ExchangeBench "$m" 2 "$REPEATS" 2> >(grep -v '^WARNING' >&2)
done
SETS=(--set training.epochs=2 --set 'model[2].dropout=0' --set 'model[5].dropout=0' --no-report --progress none)
epoch2() { python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]+'/history.csv'))); print(r[1]['epoch_time_s'])" "$1"; }
run() { # NAME ARGS…
  local name="$1" dir; shift
  ./machina train examples/fashion-mlp.yaml "${SETS[@]}" --runs "$WORK/runs-$name" "$@" >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out" >&2; exit 1; }
  dir=$(ls -d "$WORK/runs-$name"/*/* | head -n1)
  printf '%-28s epoch 2: %6.2f s  %s\n' "$name" "$(epoch2 "$dir")" "$(grep -o 'test accuracy [0-9.]*' "$WORK/$name.out")"
}
echo "Fashion-MNIST MLP (784-256-128-10, batch 64), epoch time:"
run "1 process, 1 thread" --threads 1
run "1 process, 2 threads" --threads 2
run "Spark cluster, 1 worker" --spark "$MASTER_URL" --workers 1
run "Spark cluster, 2 workers" --spark "$MASTER_URL" --workers 2
