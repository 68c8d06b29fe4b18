# Sourced by the Spark benchmarks: start_cluster N starts a Spark standalone Master and N Workers
# (1 core, 1 GB each) on 127.0.0.1 from machina-spark/target/lib's jars (built by the first
# `./machina … --spark`), sets MASTER_URL, and kills them (and their executors) when the script
# exits. Logs go to $WORK (a temporary directory; KEEP=1 keeps it).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
WORK="$(mktemp -d /tmp/machina-spark-bench.XXXXXX)"
CLUSTER_PIDS=()
cleanup_cluster() {
  local p
  for p in "${CLUSTER_PIDS[@]}"; do pkill -9 -P "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup_cluster EXIT
export SPARK_LOCAL_IP=127.0.0.1   # driver, master, workers and executors on the loopback interface
# The JDK the launcher uses (JAVA_HOME if it is 21 or newer, else the one ./machina found and remembered):
# the Workers start their executors with it, and Machina's classes need 21 or newer.
jdk_major() { sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(jdk_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null || [ -z "$(jdk_major "$JAVA_HOME")" ]; then
  if [ -f "$ROOT/target/launcher/jdk" ]; then JAVA_HOME=$(cat "$ROOT/target/launcher/jdk")
  else JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")"); fi
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_cluster() { # N
  local n="$1" i web
  MASTER_PORT=$(free_port); web=$(free_port)
  mkdir -p "$WORK/spark-home/jars"
  ln -sf "$ROOT"/machina-spark/target/lib/*.jar "$WORK/spark-home/jars/"
  export SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_DIRS="$WORK/local"
  "$JAVA" -Xmx256m -Dspark.master.rest.enabled=false -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
    --port "$MASTER_PORT" --webui-port "$web" >"$WORK/master.log" 2>&1 &
  CLUSTER_PIDS+=($!); disown
  for i in $(seq 1 "$n"); do
    "$JAVA" -Xmx256m -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$MASTER_PORT" --host 127.0.0.1 \
      --cores 1 --memory 1g --webui-port "$(free_port)" --work-dir "$WORK/work-$i" >"$WORK/worker-$i.log" 2>&1 &
    CLUSTER_PIDS+=($!); disown  # killed at exit, without the shell's "Killed" lines
  done
  local alive=0
  for _ in $(seq 1 240); do
    alive=$(python3 -c "import json, urllib.request as u; d = json.load(u.urlopen('http://127.0.0.1:$web/json', timeout=5)); print(sum(w['state'] == 'ALIVE' for w in d['workers']))" 2>/dev/null || echo 0)
    [ "$alive" -ge "$n" ] && break
    sleep 0.5
  done
  [ "$alive" -ge "$n" ] || { echo "the cluster did not start; logs in $WORK" >&2; KEEP=1; exit 1; }
  MASTER_URL="spark://127.0.0.1:$MASTER_PORT"
}
